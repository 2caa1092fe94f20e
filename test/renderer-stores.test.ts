import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { ApiClient } from '../src-main/api/client';
import { ApiError, type EditState, type Job, type Recording, type SoundEventRow } from '../src-main/api/contract';
import { setApi } from '../src-renderer/api';
import { useEventsStore } from '../src-renderer/stores/events';
import { useProjectStore } from '../src-renderer/stores/project';
import { peaksRateFor, useRecordingsStore } from '../src-renderer/stores/recordings';
import { useUiStore } from '../src-renderer/stores/ui';
import { throughput, useJobsStore } from '../src-renderer/stores/jobs';

type Handler = (params: any) => unknown;

/** A fake client: scripted handlers per method, and a log of every call. */
function fakeApi(handlers: Record<string, Handler>) {
  const calls: { method: string; params: any }[] = [];
  const client: ApiClient = {
    async call(method: string, params: unknown) {
      calls.push({ method, params });
      const h = handlers[method];
      if (!h) throw new ApiError('not-implemented', `fake has no ${method}`);
      return (await h(params)) as never;
    },
    subscribe: () => () => undefined,
  } as ApiClient;
  return { client, calls };
}

const edits = (canUndo: boolean, canRedo = false): EditState => ({ projectId: 1, canUndo, canRedo, undoDescription: canUndo ? 'move event 7' : null, redoDescription: null });

function row(over: Partial<SoundEventRow> = {}): SoundEventRow {
  return { id: 7, recordingId: 3, labelId: 1, onset: 1, offset: 2, confidence: 0.9, source: 'predicted', verified: false, lowFrequency: null, highFrequency: null, version: 1, updatedAt: 't0', ...over };
}

function recording(over: Partial<Recording> = {}): Recording {
  return { id: 3, projectId: 1, path: 'a.wav', name: 'a.wav', durationSeconds: 10, sampleRate: 16000, channels: 1, status: 'detected', eventCount: 1, maxConfidence: 0.9, labelIds: [1], error: null, ...over };
}

function setup(handlers: Record<string, Handler>) {
  const fake = fakeApi(handlers);
  setApi(fake.client);
  setActivePinia(createPinia());
  const project = useProjectStore();
  project.project = { id: 1, name: 'p', root: '/p', createdAt: 't', recordingCount: 1, statusCounts: { 'not-run': 0, detected: 1, reviewed: 0 } };
  project.labels = [
    { id: 1, projectId: 1, name: 'babycry', color: '#4fa3ff', shortcut: '1' },
    { id: 2, projectId: 1, name: 'gunshot', color: '#ff6b5e', shortcut: '2' },
  ];
  const recordings = useRecordingsStore();
  recordings.list = [recording()];
  recordings.currentId = 3;
  return { ...fake, project, recordings, events: useEventsStore(), ui: useUiStore() };
}

describe('events store: optimistic edits', () => {
  beforeEach(() => setApi(null));

  it('shows the edit at once, then takes the server row and edit state', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = setup({
      'events.list': () => [row()],
      'events.update': async (p) => {
        await gate;
        return { event: row({ onset: p.onset, offset: p.offset, source: 'human', verified: true, version: 2, updatedAt: 't1' }), edits: edits(true) };
      },
    });
    await s.events.load(3);
    const pending = s.events.update(7, { onset: 1.25, offset: 2.5 });
    expect(s.events.events[0]).toMatchObject({ onset: 1.25, offset: 2.5, verified: true });
    expect(s.ui.saveState).toBe('saving');
    release();
    await pending;
    expect(s.events.events[0]).toMatchObject({ onset: 1.25, offset: 2.5, version: 2, updatedAt: 't1' });
    expect(s.project.edits?.canUndo).toBe(true);
    expect(s.ui.saveState).toBe('saved');
    expect(s.calls.find((c) => c.method === 'events.update')?.params).toEqual({ eventId: 7, onset: 1.25, offset: 2.5 });
  });

  it('rolls back and shows the API error when the save fails', async () => {
    const s = setup({
      'events.list': () => [row()],
      'events.update': () => {
        throw new ApiError('conflict', 'event 7 changed elsewhere');
      },
    });
    await s.events.load(3);
    await expect(s.events.update(7, { labelId: 2 })).rejects.toThrow('event 7 changed elsewhere');
    expect(s.events.events[0]).toEqual(row());
    expect(s.ui.toasts.map((t) => t.message)).toEqual(['event 7 changed elsewhere']);
    expect(s.ui.saveState).toBe('failed');
  });

  it('refuses bounds outside the file without calling the API', async () => {
    const s = setup({ 'events.list': () => [row()] });
    await s.events.load(3);
    await expect(s.events.update(7, { offset: 12 })).rejects.toThrow(/end of the file/);
    expect(s.calls.map((c) => c.method)).toEqual(['events.list']);
    expect(s.events.events[0].offset).toBe(2);
  });

  it('undo reloads the events of the touched open recording', async () => {
    let version = 1;
    const s = setup({
      'events.list': () => [row({ onset: version === 1 ? 1 : 0.5 })],
      'edits.undo': () => {
        version = 2;
        return { applied: true, description: 'move event 7', recordingIds: [3], edits: edits(false, true) };
      },
      'recordings.get': () => recording({ eventCount: 1 }),
    });
    await s.events.load(3);
    await s.events.undo();
    expect(s.events.events[0].onset).toBe(0.5);
    expect(s.project.edits).toMatchObject({ canUndo: false, canRedo: true });
  });

  it('refuses merging events with different labels', async () => {
    const s = setup({ 'events.list': () => [row(), row({ id: 8, onset: 3, offset: 4, labelId: 2 })] });
    await s.events.load(3);
    await s.events.merge([7, 8]);
    expect(s.calls.some((c) => c.method === 'events.merge')).toBe(false);
    expect(s.ui.toasts[0].message).toBe('cannot merge events with different labels (babycry, gunshot)');
  });
});

describe('jobs store', () => {
  const job = (over: Partial<Job>): Job => ({
    id: 'j1', kind: 'detection', projectId: 1, status: 'running', progress: { done: 1, total: 4, fraction: 0.25 }, current: 'a.wav',
    errors: [], message: null, startedAt: '2024-01-01T00:00:00.000Z', finishedAt: null, epochs: [], resultModelId: null, ...over,
  });

  it('computes throughput in files per second', () => {
    expect(throughput(job({ progress: { done: 4, total: 4, fraction: 1 }, finishedAt: '2024-01-01T00:00:02.000Z' }))).toBe(2);
    expect(throughput(job({ progress: { done: 0, total: 4, fraction: 0 } }))).toBeNull();
  });

  it('reloads files when a running job finishes and reports per-file errors', async () => {
    const s = setup({
      'recordings.list': () => [recording({ status: 'detected', eventCount: 2 })],
      'projects.get': () => s.project.project,
      'labels.list': () => s.project.labels,
      'app.info': () => ({ name: 'Earmark', version: '0', host: 'browser', backend: 'x', model: null, examplesDir: null, homeDir: '/' }),
    });
    const jobs = useJobsStore();
    jobs.onJob(job({}));
    expect(jobs.running).toBe(true);
    jobs.onJob(job({ status: 'done', progress: { done: 4, total: 4, fraction: 1 }, errors: [{ recordingId: 5, path: 'bad.wav', message: 'not a RIFF/WAVE file' }], finishedAt: '2024-01-01T00:00:04.000Z' }));
    expect(jobs.running).toBe(false);
    await new Promise((r) => setTimeout(r, 0));
    expect(s.calls.map((c) => c.method)).toContain('recordings.list');
    expect(s.ui.toasts[0]).toMatchObject({ kind: 'error', message: 'Detection finished: 4 files, 1 failed' });
  });
});

describe('peaks resolution', () => {
  it('is fine for clips and bounded for long files', () => {
    expect(peaksRateFor(30)).toBe(1000);
    for (const hours of [1, 24]) expect(peaksRateFor(hours * 3600) * hours * 3600).toBeCloseTo(40_000, 6);
    expect(peaksRateFor(0)).toBe(100);
  });
});
