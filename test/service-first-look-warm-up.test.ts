import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AudioDecodeError } from '../src-main/engine/audio/errors';
import { openStore } from '../src-main/engine/store';
import { bundledWarmUpFile, warmUpFirstLook } from '../src-main/service/first-look-warm-up';
import { createService } from '../src-main/service/service';
import { callService, fakeDetectorFactory, makeAudioFolder } from './service-helpers';

const EXAMPLES = path.resolve(import.meta.dirname, '..', 'resources', 'examples');

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'earmark-warm-up-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(tmp, { recursive: true, force: true });
});

/** A file that starts like FLAC and holds no stream. */
function brokenFlac(): string {
  const file = path.join(tmp, 'broken.flac');
  writeFileSync(file, Buffer.from('fLaC but nothing after it'));
  return file;
}

describe('bundledWarmUpFile', () => {
  it("picks the first FLAC of the resources' examples, by name", () => {
    const examples = path.join(tmp, 'resources', 'examples');
    mkdirSync(examples, { recursive: true });
    for (const name of ['b.flac', 'a.wav', 'c.FLAC']) writeFileSync(path.join(examples, name), '');
    copyFileSync(path.join(EXAMPLES, 'test_gunshot_0001.flac'), path.join(examples, 'a2.flac'));
    expect(bundledWarmUpFile(path.join(tmp, 'resources'))).toBe(path.join(examples, 'a2.flac'));
  });

  it('finds none without an examples folder, or without resources', () => {
    expect(bundledWarmUpFile(tmp)).toBeNull();
    expect(bundledWarmUpFile(null)).toBeNull();
  });
});

describe('warmUpFirstLook', () => {
  it('reads a bundled example through, and reports a file it cannot read', async () => {
    await expect(warmUpFirstLook(path.join(EXAMPLES, 'test_babycry_0000.flac'))).resolves.toBeUndefined();
    await expect(warmUpFirstLook(brokenFlac())).rejects.toBeInstanceOf(AudioDecodeError);
  });

  it('stops between excerpts when its signal aborts', async () => {
    const stop = new AbortController();
    const running = warmUpFirstLook(path.join(EXAMPLES, 'test_babycry_0000.flac'), stop.signal);
    stop.abort(new Error('a view was asked for'));
    await expect(running).rejects.toThrow('a view was asked for');
  });
});

describe('the service warm-up', () => {
  it('runs a moment after the first request, not while a page is still coming up, and says so when its file cannot be read', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const broken = brokenFlac();
    const service = await createService({ store: openStore(':memory:'), resourcesDir: null, warmUpFile: broken, homeDir: tmp }, { host: 'browser', mediaUrl: (id) => `/media/${id}` });
    const warnings = () => warn.mock.calls.map(([message]) => String(message)).join('\n');
    try {
      // No page has asked for anything: nothing runs.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(warnings()).not.toContain('first-look warm-up');
      const asked = performance.now();
      await callService(service, 'app.info', {});
      await vi.waitFor(() => expect(warnings()).toContain(`first-look warm-up on ${broken}`), { timeout: 5000 });
      // Not at once: the page that asked is still building its first screen.
      expect(performance.now() - asked).toBeGreaterThan(900);
    } finally {
      await service.close();
    }
  });

  it('is skipped when the first recording is drawn before it starts', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const folder = makeAudioFolder();
    const service = await createService(
      { dbPath: folder.dbPath, resourcesDir: null, warmUpFile: brokenFlac(), detectorFactory: fakeDetectorFactory, homeDir: folder.dir },
      { host: 'browser', mediaUrl: (id) => `/media/${id}` },
    );
    try {
      const project = await callService(service, 'projects.open', { root: folder.root });
      const recordings = await callService(service, 'recordings.list', { projectId: project.id });
      const playable = recordings.find((r) => r.path === 'a.wav')!;
      await callService(service, 'recordings.peaks', { recordingId: playable.id, peaksPerSecond: 10 });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(warn.mock.calls.map(([message]) => String(message)).join('\n')).not.toContain('first-look warm-up');
    } finally {
      await service.close();
      rmSync(folder.dir, { recursive: true, force: true });
    }
  });
});
