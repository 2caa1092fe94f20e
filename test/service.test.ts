import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiEvent, type ApiMethod, type ApiParams, type ApiResult } from '../src-main/api/contract';
import { openStore, type Store } from '../src-main/engine/store';
import { collectAudioFiles } from '../src-main/engine/detect';
import { createService } from '../src-main/service/service';
import type { EarmarkService } from '../src-main/service/types';
import { apiRejection, callService, fakeDetectorFactory, makeAudioFolder, waitFor } from './service-helpers';

let folder: ReturnType<typeof makeAudioFolder>;
let store: Store;
let service: EarmarkService;
const events: ApiEvent[] = [];

const call = <M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> => callService(service, method, params);
const rejection = apiRejection;

beforeEach(async () => {
  folder = makeAudioFolder();
  store = openStore(folder.dbPath);
  store.addModel({ name: 'test-model', dirPath: folder.modelDir, classes: ['babycry', 'glassbreak', 'gunshot'] });
  service = await createService({ store, resourcesDir: null, detectorFactory: fakeDetectorFactory, homeDir: folder.dir }, { host: 'browser', mediaUrl: (id) => `/media/${id}` });
  events.length = 0;
  service.subscribe((e) => events.push(e));
});

afterEach(async () => {
  await service.close();
  store.close();
  rmSync(folder.dir, { recursive: true, force: true });
});

async function openAndDetect() {
  const project = await call('projects.open', { root: folder.root });
  const { jobId } = await call('detection.start', { projectId: project.id });
  const job = await waitFor(async () => {
    const j = await call('jobs.get', { jobId });
    return j.status === 'running' ? undefined : j;
  });
  return { project, job };
}

describe('service', () => {
  it('opens a folder and lists its recordings with metadata and per-file errors', async () => {
    const project = await call('projects.open', { root: folder.root });
    expect(project.root).toBe(folder.root);
    expect(project.recordingCount).toBe(3);
    const recordings = await call('recordings.list', { projectId: project.id });
    expect(recordings.map((r) => r.path)).toEqual(['a.wav', 'c.wav', 'sub/b.wav']);
    const a = recordings[0];
    expect(a.durationSeconds).toBe(2);
    expect(a.sampleRate).toBe(8000);
    expect(a.status).toBe('not-run');
    expect(recordings[1].error).toMatch(/c\.wav.*not audio/);
    // Reopening is idempotent.
    const again = await call('projects.open', { root: folder.root });
    expect(again.id).toBe(project.id);
    expect((await call('projects.list', {})).length).toBe(1);
    const labels = await call('labels.list', { projectId: project.id });
    expect(labels.map((l) => l.name)).toEqual(['babycry', 'glassbreak', 'gunshot']);
  });

  it('lists the same audio files as `detect` reads, .wave included', async () => {
    copyFileSync(path.join(folder.root, 'a.wav'), path.join(folder.root, 'd.WAVE'));
    const project = await call('projects.open', { root: folder.root });
    const recordings = await call('recordings.list', { projectId: project.id });
    expect(recordings.map((r) => r.path)).toEqual(['a.wav', 'c.wav', 'd.WAVE', 'sub/b.wav']);
    expect(recordings.find((r) => r.path === 'd.WAVE')).toMatchObject({ durationSeconds: 2, error: null });
    const detected = await collectAudioFiles([folder.root]);
    expect(detected.map((f) => path.relative(folder.root, f.path)).sort()).toEqual(recordings.map((r) => r.path).sort());
  });

  it('runs detection as a job with progress and per-file errors, then filters recordings', async () => {
    const { project, job } = await openAndDetect();
    expect(job.status).toBe('done');
    expect(job.progress).toEqual({ done: 3, total: 3, fraction: 1 });
    expect(job.errors).toHaveLength(1);
    expect(job.errors[0].path).toBe('c.wav');
    expect(events.some((e) => e.type === 'job.finished')).toBe(true);
    expect(events.filter((e) => e.type === 'job.progress').length).toBeGreaterThan(2);
    const all = await call('recordings.list', { projectId: project.id });
    expect(all.find((r) => r.path === 'a.wav')).toMatchObject({ status: 'detected', eventCount: 2, maxConfidence: 0.9 });
    const labels = await call('labels.list', { projectId: project.id });
    const gunshot = labels.find((l) => l.name === 'gunshot')!;
    const confident = await call('recordings.list', { projectId: project.id, minConfidence: 0.95 });
    expect(confident).toEqual([]);
    const withGunshot = await call('recordings.list', { projectId: project.id, labelId: gunshot.id });
    expect(withGunshot.map((r) => r.path)).toEqual(['a.wav', 'sub/b.wav']);
    // Nothing left to detect without force.
    const { jobId } = await call('detection.start', { projectId: project.id });
    const second = await waitFor(async () => {
      const j = await call('jobs.get', { jobId });
      return j.status === 'running' ? undefined : j;
    });
    expect(second.progress.total).toBe(1); // only the failed file is retried
  });

  it('creates, updates, splits, merges and deletes events with undo/redo and history', async () => {
    const { project } = await openAndDetect();
    const recording = (await call('recordings.list', { projectId: project.id })).find((r) => r.path === 'a.wav')!;
    const labels = await call('labels.list', { projectId: project.id });
    const glass = labels.find((l) => l.name === 'glassbreak')!;
    const created = await call('events.create', { recordingId: recording.id, labelId: glass.id, onset: 0.1, offset: 0.3 });
    expect(created.event).toMatchObject({ onset: 0.1, offset: 0.3, source: 'human', verified: true, confidence: null, labelId: glass.id });
    expect(created.edits.canUndo).toBe(true);

    const moved = await call('events.update', { eventId: created.event.id, onset: 0.2, expectedVersion: created.event.version });
    expect(moved.event.onset).toBe(0.2);
    expect(moved.event.version).toBe(created.event.version + 1);
    const stale = await rejection(service.call('events.update', { eventId: created.event.id, onset: 0.15, expectedVersion: created.event.version }));
    expect(stale.code).toBe('conflict');

    const undone = await call('edits.undo', { projectId: project.id });
    expect(undone.applied).toBe(true);
    expect(undone.recordingIds).toEqual([recording.id]);
    let list = await call('events.list', { recordingId: recording.id });
    expect(list.find((e) => e.id === created.event.id)?.onset).toBe(0.1);
    const redone = await call('edits.redo', { projectId: project.id });
    expect(redone.applied).toBe(true);
    list = await call('events.list', { recordingId: recording.id });
    expect(list.find((e) => e.id === created.event.id)?.onset).toBe(0.2);

    const split = await call('events.split', { eventId: created.event.id, at: 0.25 });
    expect(split.events.map((e) => [e.onset, e.offset])).toEqual([[0.2, 0.25], [0.25, 0.3]]);
    const merged = await call('events.merge', { eventIds: split.events.map((e) => e.id) });
    expect([merged.event.onset, merged.event.offset]).toEqual([0.2, 0.3]);
    await call('events.delete', { eventId: merged.event.id });
    list = await call('events.list', { recordingId: recording.id });
    expect(list.map((e) => e.id)).not.toContain(merged.event.id);
    await call('edits.undo', { projectId: project.id });
    list = await call('events.list', { recordingId: recording.id });
    expect(list.map((e) => e.id)).toContain(merged.event.id);

    const history = await call('events.history', { eventId: created.event.id });
    expect(history[history.length - 1].action).toBe('create');
    expect(history.map((h) => h.action)).toContain('undo');
    const recordingHistory = await call('events.history', { recordingId: recording.id });
    expect(recordingHistory.some((h) => h.action === 'detect')).toBe(true);
  });

  it('refuses bad edits with typed errors and leaves the data alone', async () => {
    const { project } = await openAndDetect();
    const recording = (await call('recordings.list', { projectId: project.id })).find((r) => r.path === 'a.wav')!;
    const [label] = await call('labels.list', { projectId: project.id });
    const before = await call('events.list', { recordingId: recording.id });
    expect((await rejection(service.call('events.create', { recordingId: recording.id, labelId: label.id, onset: 1, offset: 0.5 }))).code).toBe('invalid-params');
    expect((await rejection(service.call('events.create', { recordingId: recording.id, labelId: label.id, onset: 1, offset: 50 }))).message).toMatch(/past the end/);
    expect((await rejection(service.call('events.create', { recordingId: recording.id, labelId: label.id, onset: -1, offset: 1 }))).code).toBe('invalid-params');
    expect((await rejection(service.call('events.create', { recordingId: 999, labelId: label.id, onset: 0, offset: 1 }))).code).toBe('not-found');
    expect((await rejection(service.call('events.split', { eventId: before[0].id, at: 0.1 }))).code).toBe('invalid-params');
    expect((await rejection(service.call('nope.nope', {}))).code).toBe('unknown-method');
    expect((await rejection(service.call('export.run', { projectId: project.id, destination: '../../escape.txt' }))).code).toBe('forbidden-path');
    expect((await rejection(service.call('export.run', { projectId: project.id, destination: '/etc/passwd' }))).code).toBe('forbidden-path');
    expect(await call('events.list', { recordingId: recording.id })).toEqual(before);
  });

  it('exports DCASE text exactly, and writes files inside the project only', async () => {
    const { project } = await openAndDetect();
    const recordings = await call('recordings.list', { projectId: project.id });
    const a = recordings.find((r) => r.path === 'a.wav')!;
    const gunshotEvent = (await call('events.list', { recordingId: a.id })).find((e) => e.offset === 1.75)!;
    await call('events.delete', { eventId: gunshotEvent.id });
    const out = await call('export.run', { projectId: project.id, includeConfidence: true });
    expect(out.format).toBe('dcase');
    expect(out.text).toBe(
      ['a.wav\t0.5\t1.25\tbabycry\t0.9', 'sub/b.wav\t0.5\t1.25\tbabycry\t0.9', 'sub/b.wav\t1.5\t1.75\tgunshot\t0.4', ''].join('\n'),
    );
    // c.wav could not be decoded: left out and listed, not exported as a file without events.
    expect(out.skipped).toEqual([{ path: 'c.wav', reason: expect.stringContaining('c.wav') }]);
    const one = await call('export.run', { projectId: project.id, recordingIds: [a.id], format: 'audacity' });
    expect(one.text).toBe('0.5\t1.25\tbabycry\n');
    const written = await call('export.run', { projectId: project.id, destination: 'exports/all.txt', minConfidence: 0.5, includeConfidence: true });
    expect(written.path).toBe(path.join(folder.root, 'exports', 'all.txt'));
    expect(readFileSync(written.path!, 'utf8')).toBe(['a.wav\t0.5\t1.25\tbabycry\t0.9', 'sub/b.wav\t0.5\t1.25\tbabycry\t0.9', ''].join('\n'));
    const multi = await rejection(service.call('export.run', { projectId: project.id, format: 'raven' }));
    expect(multi.code).toBe('invalid-params');
  });

  it('marks a recording reviewed (undoably) and serves peaks and spectrogram tiles', async () => {
    const { project } = await openAndDetect();
    const a = (await call('recordings.list', { projectId: project.id })).find((r) => r.path === 'a.wav')!;
    const reviewed = await call('recordings.setReviewed', { recordingId: a.id, reviewed: true });
    expect(reviewed.status).toBe('reviewed');
    expect((await call('events.list', { recordingId: a.id })).every((e) => e.verified)).toBe(true);
    const undone = await call('edits.undo', { projectId: project.id });
    expect(undone.recordingIds).toEqual([a.id]);
    expect((await call('recordings.get', { recordingId: a.id })).status).toBe('detected');

    const peaks = await call('recordings.peaks', { recordingId: a.id, peaksPerSecond: 10 });
    expect(peaks.min).toHaveLength(20);
    expect(Math.max(...peaks.max)).toBeCloseTo(0.5, 2);
    expect(Math.min(...peaks.min)).toBeCloseTo(-0.5, 2);
    const fine = await call('recordings.peaks', { recordingId: a.id, peaksPerSecond: 1000, start: 1, end: 1.5 });
    expect(fine.min).toHaveLength(500);
    expect((await rejection(service.call('recordings.peaks', { recordingId: a.id, peaksPerSecond: 10, start: 5 }))).code).toBe('invalid-params');

    const tile = await call('recordings.spectrogram', { recordingId: a.id, start: 0, end: 2, scale: 'linear', columns: 16, bins: 64 });
    const data = Buffer.from(tile.data, 'base64');
    expect(data.length).toBe(16 * 64);
    // The 1 kHz tone lands in the bin whose centre is nearest 1000 Hz (4 kHz / 64 bins = 62.5 Hz wide).
    const column = data.subarray(8 * 64, 9 * 64);
    const loudest = column.indexOf(Math.max(...column));
    expect(Math.abs(tile.frequencies[loudest] - 1000)).toBeLessThan(62.5);
    const mel = await call('recordings.spectrogram', { recordingId: a.id, start: 0.5, end: 1, columns: 8, bins: 32 });
    const melData = Buffer.from(mel.data, 'base64');
    expect(melData.length).toBe(8 * 32);
    const melColumn = [...melData.subarray(4 * 32, 5 * 32)];
    const peak = melColumn.indexOf(Math.max(...melColumn));
    expect(Math.abs(mel.frequencies[peak] - 1000)).toBeLessThan(mel.frequencies[peak + 1] - mel.frequencies[peak - 1]);

    // A frequency range and FFT size: the bins cover only the range, the tone still lands on 1 kHz.
    const zoomed = await call('recordings.spectrogram', { recordingId: a.id, start: 0, end: 2, scale: 'linear', columns: 8, bins: 32, fftSize: 4096, minFrequency: 500, maxFrequency: 1500 });
    expect([zoomed.fftSize, zoomed.minFrequency, zoomed.maxFrequency]).toEqual([4096, 500, 1500]);
    expect(zoomed.frequencies[0]).toBeCloseTo(500 + 1000 / 64, 1);
    const zoomedColumn = [...Buffer.from(zoomed.data, 'base64').subarray(4 * 32, 5 * 32)];
    expect(Math.abs(zoomed.frequencies[zoomedColumn.indexOf(Math.max(...zoomedColumn))] - 1000)).toBeLessThan(1000 / 32);
    const cut = await call('recordings.spectrogram', { recordingId: a.id, start: 0, end: 2, scale: 'mel', columns: 4, bins: 16, fftSize: 256, minFrequency: 100, maxFrequency: 20_000 });
    expect([cut.fftSize, cut.minFrequency, cut.maxFrequency]).toEqual([256, 100, 4000]);
    expect(Math.max(...cut.frequencies)).toBeLessThan(4000);
    for (const bad of [{ fftSize: 1000 }, { fftSize: 128 }, { fftSize: 8192 }, { minFrequency: 900, maxFrequency: 900 }, { minFrequency: 4000 }, { maxFrequency: -1 }]) {
      expect((await rejection(service.call('recordings.spectrogram', { recordingId: a.id, start: 0, end: 2, ...bad }))).code, JSON.stringify(bad)).toBe('invalid-params');
    }

    const media = await call('recordings.mediaUrl', { recordingId: a.id });
    expect(media).toEqual({ url: `/media/${a.id}`, mimeType: 'audio/wav' });
    const file = await service.mediaFile(a.id);
    expect(file.size).toBe(44 + 2 * 8000 * 2);
  });

  it('says why training cannot start yet and lists models', async () => {
    const project = await call('projects.open', { root: folder.root });
    const material = await call('training.material', { projectId: project.id });
    expect(material).toMatchObject({ reviewedFiles: 0, unreviewedFiles: 3, parent: { name: 'test-model' } });
    expect(material.problems).toContain('0 reviewed recording(s); at least 4 are needed (mark more files reviewed)');
    const models = await call('models.list', {});
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ name: 'test-model', active: true, origin: 'finetune' });
    const info = await call('app.info', {});
    expect(info.model?.name).toBe('test-model');
  });
});
