import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinetuneDataError } from '../../src-main/engine/finetune/errors';
import { redetectUnreviewed } from '../../src-main/engine/finetune/redetect';
import type { FinetuneProgress } from '../../src-main/engine/finetune/run';
import { startFinetuneWorker } from '../../src-main/engine/finetune/start-worker';
import { openStore } from '../../src-main/engine/store';
import { reviewedClips, tinyProject, type TinyProject } from '../fixtures/finetune/setup';

describe('fine-tuning in a worker thread, then re-detection', () => {
  let p: TinyProject;
  beforeAll(async () => {
    p = await tinyProject([
      ...reviewedClips(8, ['beep', 'whistle']),
      { name: 'u1.wav', events: [], reviewed: false, predicted: [{ label: 'beep', onset: 0.5, offset: 1 }] },
      { name: 'u2.wav', events: [{ label: 'whistle', onset: 1, offset: 2 }], reviewed: false },
    ]);
    // u2's whistle is a human annotation on a file not yet reviewed: re-detection must keep it.
    const store = openStore(p.dbPath);
    store.createEvents([{ recordingId: p.recordings['u2.wav'], label: 'whistle', onset: 1, offset: 2 }]);
    store.close();
  });
  afterAll(() => p.cleanup());

  it('reports per-epoch progress, can be cancelled, and resolves with the run', async () => {
    const controller = new AbortController();
    const seen: FinetuneProgress[] = [];
    const cancelled = await startFinetuneWorker({ dbPath: p.dbPath, epochs: 50, augmentPerFile: 0, signal: controller.signal, onProgress: (e) => {
      seen.push(e);
      if (e.type === 'epoch') controller.abort();
    } });
    expect(cancelled.status).toBe('cancelled');
    expect(seen.filter((e) => e.type === 'epoch').length).toBeGreaterThanOrEqual(1);

    const epochs: number[] = [];
    const done = await startFinetuneWorker({ dbPath: p.dbPath, epochs: 2, augmentPerFile: 0, learningRate: 0.005, onProgress: (e) => e.type === 'epoch' && epochs.push(e.epoch) });
    if (done.status !== 'completed') throw new Error('expected completion');
    expect(epochs).toEqual([1, 2]);
    const store = openStore(p.dbPath);
    try {
      expect(store.getActiveModel()!.id).toBe(done.model.id);
      expect(store.listTrainingRuns(p.projectId).map((r) => r.status)).toEqual(['cancelled', 'completed']);

      const humanBefore = store.listEvents({ projectId: p.projectId }).filter((e) => e.source === 'human' || e.verified);
      const summary = await redetectUnreviewed(store, p.projectId, done.model.dirPath, { jobs: 0, backend: 'tfjs' });
      expect(summary).toMatchObject({ modelId: done.model.id, detected: 2, failed: [], skippedReviewed: 8 });
      const live = store.listEvents({ projectId: p.projectId });
      // Human and verified events survive unchanged (same rows, same versions).
      for (const e of humanBefore) expect(live.find((x) => x.id === e.id)).toMatchObject({ version: e.version, onset: e.onset, label: e.label });
      // The old unverified prediction of u1 is gone; whatever is predicted now comes from the new model.
      for (const e of live.filter((x) => x.source === 'predicted' && !x.verified)) expect(e.modelId).toBe(done.model.id);
      expect(store.getRecording(p.recordings['u1.wav']).lastModelId).toBe(done.model.id);
      expect(store.listRecordings(p.projectId, { status: 'reviewed' })).toHaveLength(8);
      expect(store.checkConsistency()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('rejects with FinetuneDataError listing what is missing', async () => {
    const thin = await tinyProject([{ name: 'a.wav', events: [], reviewed: true }]);
    try {
      const error = await startFinetuneWorker({ dbPath: thin.dbPath, epochs: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FinetuneDataError);
      expect((error as FinetuneDataError).missing).toEqual([
        '1 reviewed recording(s); at least 4 are needed (mark more files reviewed)',
        'no verified event in any reviewed recording: nothing to learn from',
      ]);
    } finally {
      thin.cleanup();
    }
  });
});
