import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ApiEvent, type ApiMethod, type ApiParams, type ApiResult, type Job } from '../src-main/api/contract';
import { openStore } from '../src-main/engine/store';
import { createService } from '../src-main/service/service';
import type { EarmarkService } from '../src-main/service/types';
import { reviewedClips, tinyProject, type TinyProject } from './fixtures/finetune/setup';
import { waitFor } from './service-helpers';

// The service's training jobs over the real fine-tuning worker, on tiny synthetic projects
// (8 kHz clips with tone "events", a 2-block CRNN), so a run takes seconds.

const host = { host: 'browser' as const, mediaUrl: (id: number) => `/media/${id}` };
const TRAINING = { augmentPerFile: 0, cropSeconds: 1.28, cropsPerEpoch: 16, learningRate: 0.005 };

interface Harness {
  p: TinyProject;
  service: EarmarkService;
  events: ApiEvent[];
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  finished(jobId: string, timeoutMs?: number): Promise<Job>;
  close(): Promise<void>;
}

async function harness(p: TinyProject): Promise<Harness> {
  const service = await createService({ dbPath: p.dbPath, resourcesDir: null, homeDir: p.dir, training: TRAINING }, host);
  const events: ApiEvent[] = [];
  service.subscribe((e) => events.push(e));
  const call = async <M extends ApiMethod>(method: M, params: ApiParams<M>) => (await service.call(method, params)) as ApiResult<M>;
  return {
    p,
    service,
    events,
    call,
    finished: (jobId, timeoutMs = 60_000) =>
      waitFor(() => events.find((e): e is Extract<ApiEvent, { type: 'job.finished' }> => e.type === 'job.finished' && e.job.id === jobId)?.job, timeoutMs),
    async close() {
      await service.close();
      p.cleanup();
    },
  };
}

describe('service: fine-tuning jobs, model versions and re-detection', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(
      await tinyProject([
        ...reviewedClips(8, ['beep', 'whistle']),
        { name: 'u1.wav', events: [], reviewed: false, predicted: [{ label: 'beep', onset: 0.5, offset: 1 }] },
        { name: 'u2.wav', events: [{ label: 'whistle', onset: 1, offset: 2 }], reviewed: false, predicted: [{ label: 'beep', onset: 2.5, offset: 3 }] },
      ]),
    );
  });
  afterAll(() => h?.close());

  it('reports the reviewed material per class before training', async () => {
    const material = await h.call('training.material', { projectId: h.p.projectId });
    // reviewedClips(8): clips 3 and 7 have no event; 0, 2, 4, 6 carry a beep and 1, 5 a whistle.
    expect(material).toEqual({
      projectId: h.p.projectId,
      reviewedFiles: 8,
      unreviewedFiles: 2,
      emptyReviewedFiles: 2,
      parent: { id: h.p.parentModelId, name: 'parent', classes: ['beep', 'whistle'] },
      classes: [
        { label: 'beep', events: 4, files: 4, isNew: false },
        { label: 'whistle', events: 2, files: 2, isNew: false },
      ],
      minReviewedFiles: 4,
      problems: [],
      warnings: [],
    });
  });

  it('cancels a run: the previous model stays active and the run is marked cancelled', async () => {
    const { jobId } = await h.call('training.start', { projectId: h.p.projectId, epochs: 200 });
    await waitFor(() => h.events.find((e) => e.type === 'job.progress' && e.job.id === jobId && e.job.epochs.length > 0), 60_000);
    const cancelling = await h.call('training.cancel', { jobId });
    expect(cancelling.kind).toBe('training');
    const job = await h.finished(jobId);
    expect(job.status).toBe('cancelled');
    expect(job.message).toMatch(/^cancelled after \d+ epoch\(s\); parent stays the active model$/);
    expect(job.resultModelId).toBeNull();
    const models = await h.call('models.list', {});
    expect(models.map((m) => [m.name, m.active])).toEqual([['parent', true]]);
    const runs = await h.call('training.runs', { projectId: h.p.projectId });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: job.training!.runId, status: 'cancelled', resultModelId: null, recordings: 8, events: 6 });
  });

  it('fine-tunes as a job with per-epoch progress; the new model is listed with its scores and becomes active', async () => {
    const { jobId } = await h.call('training.start', { projectId: h.p.projectId, epochs: 2 });
    // One training job per project.
    const busy = await h.service.call('training.start', { projectId: h.p.projectId }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(ApiError);
    expect((busy as ApiError).code).toBe('busy');

    const job = await h.finished(jobId);
    expect(job.message).toBeNull();
    expect(job.status).toBe('done');
    const progress = h.events.filter((e): e is Extract<ApiEvent, { type: 'job.progress' }> => e.type === 'job.progress' && e.job.id === jobId);
    // Epoch metrics arrive one by one while the job runs.
    const epochCounts = [...new Set(progress.map((e) => e.job.epochs.length))];
    expect(epochCounts).toEqual([0, 1, 2]);
    expect(job.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of job.epochs) {
      expect(e.loss).toBeGreaterThan(0);
      expect(e.validationLoss).toBeGreaterThan(0);
      expect(e.errorRate).toBeGreaterThanOrEqual(0);
      // F is undefined (null) when the held-back files get no detection at all.
      if (e.fMeasure != null) expect(e.fMeasure).toBeGreaterThanOrEqual(0);
    }
    expect(job.progress).toMatchObject({ done: 2, total: 2, fraction: 1 });

    const outcome = job.training!.result!;
    expect(outcome.modelId).toBe(job.resultModelId);
    expect(outcome).toMatchObject({ parentModelId: h.p.parentModelId, active: true, trainFiles: 6, validationFiles: 2, addedClasses: [], regressedClasses: [] });
    expect(Object.keys(outcome.after.classWise).length).toBeGreaterThan(0);
    expect(h.events.some((e) => e.type === 'models.changed')).toBe(true);

    const models = await h.call('models.list', {});
    expect(models.map((m) => [m.id, m.active, m.parentId])).toEqual([
      [h.p.parentModelId, false, null],
      [outcome.modelId, true, h.p.parentModelId],
    ]);
    const model = models[1];
    expect(model.origin).toBe('finetune');
    expect(model.evaluation).toEqual({ heldBackFiles: 2, after: outcome.after, before: outcome.before });
    expect(model.training).toMatchObject({ runId: outcome.runId, projectId: h.p.projectId, recordings: 8, events: 6, trainFiles: 6, validationFiles: 2, epochs: 2 });
    expect(models[0].training).toBeNull();

    // The database holds the run with exactly the recordings and event versions it used.
    const store = openStore(h.p.dbPath);
    try {
      const run = store.listTrainingRuns(h.p.projectId).find((r) => r.id === outcome.runId)!;
      expect(run).toMatchObject({ status: 'completed', resultModelId: outcome.modelId, parentModelId: h.p.parentModelId });
      const reviewed = store.listRecordings(h.p.projectId, { status: 'reviewed' });
      expect(store.trainingRunRecordings(run.id).map((r) => r.recordingId)).toEqual(reviewed.map((r) => r.id));
      const verified = store.listEvents({ projectId: h.p.projectId }).filter((e) => e.verified && reviewed.some((r) => r.id === e.recordingId));
      expect(store.trainingRunEvents(run.id)).toEqual(verified.map((e) => ({ eventId: e.id, version: e.version })).sort((a, b) => a.eventId - b.eventId));
    } finally {
      store.close();
    }
  });

  it('rolls back and forward between model versions', async () => {
    const models = await h.call('models.list', {});
    const fine = models.find((m) => m.origin === 'finetune' && m.active)!;
    expect((await h.call('models.activate', { modelId: h.p.parentModelId })).active).toBe(true);
    expect((await h.call('app.info', {})).model?.id).toBe(h.p.parentModelId);
    await h.call('models.activate', { modelId: fine.id });
    expect((await h.call('models.list', {})).filter((m) => m.active).map((m) => m.id)).toEqual([fine.id]);
  });

  it('re-detects unreviewed files with the new model and never touches verified or human events', async () => {
    const fine = (await h.call('models.list', {})).find((m) => m.active)!;
    const u1 = h.p.recordings['u1.wav'];
    const u2 = h.p.recordings['u2.wav'];
    // On u2 a person draws a whistle and adjusts the predicted beep (which makes it verified).
    const whistle = await h.call('labels.create', { projectId: h.p.projectId, name: 'whistle' });
    await h.call('events.create', { recordingId: u2, labelId: whistle.id, onset: 1, offset: 2 });
    const u2Before = await h.call('events.list', { recordingId: u2 });
    const prediction = u2Before.find((e) => e.source === 'predicted')!;
    await h.call('events.update', { eventId: prediction.id, onset: 2.4 });
    const kept = (await h.call('events.list', { recordingId: u2 })).filter((e) => e.verified);
    expect(kept.map((e) => [e.source, e.onset, e.offset])).toEqual([
      ['human', 1, 2],
      ['predicted', 2.4, 3],
    ]);
    const u1Before = await h.call('events.list', { recordingId: u1 });
    expect(u1Before.map((e) => [e.source, e.verified])).toEqual([['predicted', false]]);
    const reviewedEvents = (await h.call('recordings.list', { projectId: h.p.projectId, status: ['reviewed'] })).map((r) => r.eventCount);

    const { jobId } = await h.call('detection.start', { projectId: h.p.projectId, scope: 'unreviewed', modelId: fine.id });
    const job = await h.finished(jobId, 90_000);
    expect(job.errors).toEqual([]);
    expect(job).toMatchObject({ status: 'done', progress: { done: 2, total: 2 } });

    const u2After = await h.call('events.list', { recordingId: u2 });
    for (const e of kept) expect(u2After.find((x) => x.id === e.id)).toEqual(e);
    const u1After = await h.call('events.list', { recordingId: u1 });
    expect(u1After.some((e) => e.id === u1Before[0].id)).toBe(false);
    const store = openStore(h.p.dbPath);
    try {
      expect(store.getRecording(u1).lastModelId).toBe(fine.id);
      expect(store.getRecording(u2).lastModelId).toBe(fine.id);
      for (const e of store.listEvents({ projectId: h.p.projectId }).filter((x) => !x.verified)) expect(e.modelId).toBe(fine.id);
      expect(store.checkConsistency()).toEqual([]);
    } finally {
      store.close();
    }
    // Reviewed files were left alone.
    expect((await h.call('recordings.list', { projectId: h.p.projectId, status: ['reviewed'] })).map((r) => r.eventCount)).toEqual(reviewedEvents);
  });
});

describe('service: fine-tuning with too little material', () => {
  it('fails the job with a message that lists what is missing', async () => {
    const h = await harness(await tinyProject([{ name: 'a.wav', events: [], reviewed: true }, { name: 'b.wav', events: [], reviewed: false }]));
    try {
      const material = await h.call('training.material', { projectId: h.p.projectId });
      const missing = ['1 reviewed recording(s); at least 4 are needed (mark more files reviewed)', 'no verified event in any reviewed recording: nothing to learn from'];
      expect(material.problems).toEqual(missing);
      const { jobId } = await h.call('training.start', { projectId: h.p.projectId, epochs: 1 });
      const job = await h.finished(jobId);
      expect(job.status).toBe('failed');
      expect(job.message).toBe(`not enough reviewed material to fine-tune:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
      expect(job.training?.problems).toEqual(missing);
      expect((await h.call('models.list', {})).map((m) => [m.name, m.active])).toEqual([['parent', true]]);
      expect(await h.call('training.runs', { projectId: h.p.projectId })).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('refuses to fine-tune on an in-memory database', async () => {
    const store = openStore(':memory:');
    const project = store.createProject({ name: 'mem', rootDir: process.cwd() });
    store.addModel({ name: 'm', dirPath: process.cwd(), classes: ['beep'] });
    const service = await createService({ store, resourcesDir: null }, host);
    try {
      const error = (await service.call('training.start', { projectId: project.id }).catch((e: unknown) => e)) as ApiError;
      expect(error).toBeInstanceOf(ApiError);
      expect(error.code).toBe('conflict');
      expect(error.message).toMatch(/database on disk/);
    } finally {
      await service.close();
      store.close();
    }
  });
});
