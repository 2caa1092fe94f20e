import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, type ApiMethod, type ApiParams, type ApiResult } from '../src-main/api/contract';
import { createService } from '../src-main/service/service';
import { resolveInsideRoot } from '../src-main/service/paths';
import type { EarmarkService } from '../src-main/service/types';
import { fakeDetectorFactory, makeAudioFolder } from './service-helpers';

let folder: ReturnType<typeof makeAudioFolder>;
let dbPath: string;
let service: EarmarkService;
let projectId: number;

async function call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
  return (await service.call(method, params)) as ApiResult<M>;
}

async function refusal(params: Omit<ApiParams<'export.run'>, 'projectId'>): Promise<string> {
  const error = await service.call('export.run', { projectId, ...params }).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  return (error as ApiError).code;
}

beforeEach(async () => {
  folder = makeAudioFolder();
  // The old default: the database in the folder the studio was started from, which is the recordings folder.
  dbPath = path.join(folder.root, 'earmark.db');
  service = await createService({ dbPath, resourcesDir: null, detectorFactory: fakeDetectorFactory, homeDir: folder.dir }, { host: 'browser', mediaUrl: (id) => `/media/${id}` });
  projectId = (await call('projects.open', { root: folder.root })).id;
});

afterEach(async () => {
  await service.close();
  rmSync(folder.dir, { recursive: true, force: true });
});

describe('export.run: never over the user data', () => {
  it('refuses the open database under any name, and keeps answering edits from it', async () => {
    const dbBefore = readFileSync(dbPath);
    linkSync(dbPath, path.join(folder.root, 'hardlink-to-db.txt'));
    symlinkSync(dbPath, path.join(folder.root, 'symlink-to-db.txt'));
    for (const destination of ['earmark.db', './sub/../earmark.db', 'earmark.db-wal', 'earmark.db-journal', 'hardlink-to-db.txt', 'symlink-to-db.txt']) {
      expect(await refusal({ destination, overwrite: true }), destination).toBe('forbidden-path');
    }
    expect(readFileSync(dbPath).subarray(0, 16).toString()).toBe(dbBefore.subarray(0, 16).toString());
    const [label] = await call('labels.list', { projectId });
    const recording = (await call('recordings.list', { projectId })).find((r) => r.path === 'a.wav')!;
    await call('events.create', { recordingId: recording.id, labelId: label.id, onset: 0.1, offset: 0.5 });
    expect(await call('events.list', { recordingId: recording.id })).toHaveLength(1);
  });

  it('refuses every audio file of the project, by name, symlink or hard link', async () => {
    const audio = readFileSync(path.join(folder.root, 'a.wav'));
    symlinkSync(path.join(folder.root, 'a.wav'), path.join(folder.root, 'a-link.txt'));
    linkSync(path.join(folder.root, 'a.wav'), path.join(folder.root, 'a-hard.txt'));
    for (const destination of ['a.wav', 'sub/b.wav', 'new.flac', 'a-link.txt', 'a-hard.txt']) {
      expect(await refusal({ destination, overwrite: true }), destination).toBe('forbidden-path');
    }
    expect(readFileSync(path.join(folder.root, 'a.wav')).equals(audio)).toBe(true);
  });

  it('replaces an existing file only when asked, and writes it whole', async () => {
    writeFileSync(path.join(folder.root, 'notes.txt'), 'keep me');
    expect(await refusal({ destination: 'notes.txt' })).toBe('conflict');
    expect(readFileSync(path.join(folder.root, 'notes.txt'), 'utf8')).toBe('keep me');
    const first = await call('export.run', { projectId, destination: 'out/list.txt' });
    expect(readFileSync(first.path!, 'utf8')).toBe('a.wav\nsub/b.wav\n');
    expect(await refusal({ destination: 'out/list.txt' })).toBe('conflict');
    await call('export.run', { projectId, destination: 'notes.txt', overwrite: true });
    expect(readFileSync(path.join(folder.root, 'notes.txt'), 'utf8')).toBe('a.wav\nsub/b.wav\n');
    expect(readFileSync(path.join(folder.root, 'out', 'list.txt'), 'utf8')).toBe('a.wav\nsub/b.wav\n');
  });

  it('does not escape the project through a symlink (checked on real paths)', async () => {
    const outside = path.join(folder.dir, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, path.join(folder.root, 'escape'));
    symlinkSync(path.join(outside, 'new.txt'), path.join(folder.root, 'dangling.txt'));
    for (const destination of ['escape/x.txt', 'escape/deeper/x.txt', 'dangling.txt']) {
      expect(await refusal({ destination }), destination).toBe('forbidden-path');
    }
    await expect(resolveInsideRoot(folder.root, 'escape/x.txt')).rejects.toThrow(/outside the project folder/);
    // A link that stays inside is fine, and resolves to its real target.
    symlinkSync(path.join(folder.root, 'sub'), path.join(folder.root, 'inside'));
    expect(await resolveInsideRoot(folder.root, 'inside/x.txt')).toBe(path.join(folder.root, 'sub', 'x.txt'));
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('export.run: per-recording files, folders and undecodable recordings', () => {
  beforeEach(async () => {
    const [label] = await call('labels.list', { projectId });
    const a = (await call('recordings.list', { projectId })).find((r) => r.path === 'a.wav')!;
    await call('events.create', { recordingId: a.id, labelId: label.id, onset: 0.5, offset: 1.25 });
  });

  it('writes one Raven table per recording into a project folder, 0 Hz to Nyquist, leaving out the broken file', async () => {
    const out = await call('export.run', { projectId, format: 'raven', destination: 'tables' });
    expect(out.path).toBe(path.join(folder.root, 'tables'));
    expect(out.files).toEqual([path.join(folder.root, 'tables', 'a.selections.txt'), path.join(folder.root, 'tables', 'sub', 'b.selections.txt')]);
    expect(out.skipped.map((s) => s.path)).toEqual(['c.wav']);
    const rate = (await call('recordings.list', { projectId })).find((r) => r.path === 'a.wav')!.sampleRate;
    expect(readFileSync(out.files[0], 'utf8').split('\n')[1]).toBe(`1\tSpectrogram 1\t1\t0.5\t1.25\t0\t${rate / 2}\tbabycry`);
    expect(existsSync(path.join(folder.root, 'tables', 'c.selections.txt'))).toBe(false);
  });

  it('refuses before writing anything when one of the per-recording files exists', async () => {
    const outside = path.join(folder.dir, 'tracks');
    await call('export.run', { projectId, format: 'audacity', folder: outside });
    writeFileSync(path.join(outside, 'a.txt'), 'mine');
    rmSync(path.join(outside, 'sub'), { recursive: true });
    expect(await refusal({ format: 'audacity', folder: outside })).toBe('conflict');
    expect(readFileSync(path.join(outside, 'a.txt'), 'utf8')).toBe('mine');
    expect(existsSync(path.join(outside, 'sub'))).toBe(false);
    await call('export.run', { projectId, format: 'audacity', folder: outside, overwrite: true });
    expect(readFileSync(path.join(outside, 'a.txt'), 'utf8')).toBe('0.5\t1.25\tbabycry\n');
  });

  it('asks for a folder for several recordings as text, and takes fileName only with folder', async () => {
    const several = await service.call('export.run', { projectId, format: 'raven' }).then(() => null, (e: ApiError) => e);
    expect(several?.message).toMatch(/to a folder \(one file per recording\)/);
    expect(await refusal({ format: 'dcase', destination: 'x.txt', fileName: 'y.txt' })).toBe('invalid-params');
    const written = await call('export.run', { projectId, folder: path.join(folder.dir, 'elsewhere'), fileName: 'list.txt' });
    expect(readFileSync(written.path!, 'utf8')).toBe('a.wav\t0.5\t1.25\tbabycry\nsub/b.wav\n');
  });
});
