import {
  ApiError,
  type ApiEvent,
  type ApiParsedParams,
  type ApiResult,
  type Job,
  type Model,
  type ScoreSummary,
  type TrainingJobDetail,
  type TrainingOutcome,
} from '../api/contract';
import { FinetuneDataError } from '../engine/finetune/errors';
import { finetuneClasses, positivesByClass, reviewedMaterial } from '../engine/finetune/material';
import type { FinetuneCompleted, FinetuneProgress } from '../engine/finetune/run';
import { startFinetuneWorker, type StartFinetuneWorkerOptions } from '../engine/finetune/start-worker';
import type { FinetuneWorkerOptions } from '../engine/finetune/worker';
import type { JsonObject, ModelRow, Store, TrainingRunRow } from '../engine/store';
import type { JobRegistry } from './jobs';
import { modelView } from './views';

/** Worker options every studio run uses unless the request says otherwise (tests: small crops, no mixtures). */
export type TrainingDefaults = Partial<Omit<FinetuneWorkerOptions, 'dbPath' | 'projectId' | 'fromModelDir'>>;

export interface TrainingServiceDeps {
  store: Store;
  jobs: JobRegistry;
  publish(event: ApiEvent): void;
  /** Keeps the background task alive until the service closes. */
  track(task: Promise<unknown>): void;
  bundledModelsDir: string | null;
  defaults?: TrainingDefaults;
  /** Starts the worker; tests may wrap it. Default: the engine's startFinetuneWorker. */
  startWorker?: typeof startFinetuneWorker;
}

type Epoch = Job['epochs'][number];
const DEFAULT_EPOCHS = 12;
const DEFAULT_MIN_REVIEWED = 4;

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Scores as stored or computed -> the contract's shape; undefined values (NaN, stored as null) become null. */
export function cleanScores(value: unknown): ScoreSummary | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as { errorRate?: unknown; fMeasure?: unknown; classWise?: unknown };
  const classWise: ScoreSummary['classWise'] = {};
  for (const [label, s] of Object.entries((v.classWise ?? {}) as Record<string, { errorRate?: unknown; fMeasure?: unknown } | null>)) {
    classWise[label] = { errorRate: finite(s?.errorRate), fMeasure: finite(s?.fMeasure) };
  }
  return { errorRate: finite(v.errorRate), fMeasure: finite(v.fMeasure), classWise };
}

/** One epoch's metrics (from the engine or the run's stored metrics) -> the contract's TrainingEpoch. */
export function epochView(record: JsonObject | Record<string, unknown>): Epoch {
  return {
    epoch: Math.round(finite(record.epoch) ?? 0),
    loss: finite(record.loss) ?? 0,
    validationLoss: finite(record.validationLoss),
    errorRate: finite(record.errorRate),
    fMeasure: finite(record.fMeasure),
    improved: record.improved === true,
  };
}

function outcomeView(result: FinetuneCompleted): TrainingOutcome {
  const empty: ScoreSummary = { errorRate: null, fMeasure: null, classWise: {} };
  return {
    runId: result.runId,
    modelId: result.model.id,
    modelName: result.model.name,
    active: result.model.active,
    parentModelId: result.parent.id,
    before: cleanScores(result.before) ?? empty,
    after: cleanScores(result.after) ?? empty,
    trainFiles: result.trainFiles,
    validationFiles: result.validationFiles,
    addedClasses: result.addedClasses,
    untrainedClasses: result.untrainedClasses,
    regressedClasses: result.regressedClasses,
    bestEpoch: result.bestEpoch,
    seconds: result.seconds,
  };
}

/** The database file the worker opens; fine-tuning cannot run on an in-memory database. */
function databaseFile(store: Store): string {
  const name = store.db.name;
  if (store.db.memory || !name || name === ':memory:') {
    throw new ApiError('conflict', 'fine-tuning needs the project database on disk: start the studio with a database file (earmark serve --db FILE)');
  }
  return name;
}

/** The training and model-version part of the service API. */
export function createTrainingService(deps: TrainingServiceDeps) {
  const { store, jobs, publish } = deps;
  const defaults = deps.defaults ?? {};
  const startWorker = deps.startWorker ?? startFinetuneWorker;

  function parentModel(fromModelId: number | undefined): ModelRow | undefined {
    return fromModelId !== undefined ? store.getModel(fromModelId) : store.getActiveModel();
  }

  /** result_model_id -> the run that made it, over every project. */
  function runsByModel(): Map<number, TrainingRunRow> {
    const out = new Map<number, TrainingRunRow>();
    for (const project of store.listProjects()) {
      for (const run of store.listTrainingRuns(project.id)) if (run.resultModelId !== null) out.set(run.resultModelId, run);
    }
    return out;
  }

  function modelDetail(row: ModelRow, runs = runsByModel()): Model {
    const base = modelView(row, deps.bundledModelsDir);
    const run = runs.get(row.id);
    const scores = row.scores as Record<string, unknown>;
    const after = cleanScores(scores.after);
    const heldBackFiles = finite(scores.heldBackFiles);
    return {
      ...base,
      evaluation: after ? { heldBackFiles: Math.round(heldBackFiles ?? 0), after, before: cleanScores(scores.before) } : null,
      training: run
        ? {
            runId: run.id,
            projectId: run.projectId,
            recordings: store.trainingRunRecordings(run.id).length,
            events: store.trainingRunEvents(run.id).length,
            trainFiles: finite(scores.trainFiles) ?? (Array.isArray(run.params.trainRecordings) ? run.params.trainRecordings.length : null),
            validationFiles: heldBackFiles ?? (Array.isArray(run.params.validationRecordings) ? run.params.validationRecordings.length : null),
            epochs: run.metrics.length,
            startedAt: run.startedAt,
            endedAt: run.endedAt,
          }
        : null,
    };
  }

  async function material(p: ApiParsedParams<'training.material'>): Promise<ApiResult<'training.material'>> {
    const project = store.getProject(p.projectId);
    const parent = parentModel(p.fromModelId);
    const items = reviewedMaterial(store, project.id);
    const parentClasses = parent?.classes ?? [];
    const { classes, added } = finetuneClasses(parentClasses, items);
    const files = positivesByClass(items, classes);
    const events = new Map<string, number>();
    for (const item of items) for (const e of item.events) events.set(e.label, (events.get(e.label) ?? 0) + 1);
    const minReviewedFiles = defaults.minReviewedFiles ?? DEFAULT_MIN_REVIEWED;
    // run.ts brings in TensorFlow.js: loaded only when someone looks at training.
    const { materialProblems } = await import('../engine/finetune/run');
    const { problems, untrained } = materialProblems(items, parentClasses, { minReviewedFiles, requireAllClasses: defaults.requireAllClasses ?? false });
    if (!parent) problems.unshift('no model to start from: install a model under resources/models');
    const recordings = store.listRecordings(project.id);
    return {
      projectId: project.id,
      reviewedFiles: items.length,
      unreviewedFiles: recordings.length - items.length,
      emptyReviewedFiles: items.filter((i) => i.events.length === 0).length,
      parent: parent ? { id: parent.id, name: parent.name, classes: parent.classes } : null,
      classes: classes.map((label) => ({ label, events: events.get(label) ?? 0, files: files[label]?.length ?? 0, isNew: added.includes(label) })),
      minReviewedFiles,
      problems,
      warnings: untrained.map((c) => `class "${c}" has no verified event in the reviewed files: its output is kept from the parent, not trained`),
    };
  }

  function start(p: ApiParsedParams<'training.start'>): ApiResult<'training.start'> {
    const project = store.getProject(p.projectId);
    const existing = jobs.active('training', project.id);
    if (existing) throw new ApiError('busy', `fine-tuning is already running for this project (job ${existing.id})`, { jobId: existing.id });
    const dbPath = databaseFile(store);
    const parent = parentModel(p.fromModelId);
    if (!parent) throw new ApiError('conflict', 'no model to start from: install a model under resources/models');
    const epochs = p.epochs ?? defaults.epochs ?? DEFAULT_EPOCHS;
    const job = jobs.start('training', project.id, epochs);
    const detail: TrainingJobDetail = { runId: null, epochs, warnings: [], problems: [], result: null };
    job.training(detail);
    job.progress(0, epochs, 'starting the fine-tuning worker');
    let epochsDone = 0;
    const onProgress = (event: FinetuneProgress): void => {
      if (event.type === 'stage') job.progress(epochsDone, epochs, event.message);
      else if (event.type === 'warning') {
        detail.warnings.push(event.message);
        job.training(detail);
      } else {
        epochsDone = event.epoch;
        job.epoch(epochView(event as unknown as Record<string, unknown>));
        job.progress(Math.min(epochsDone, epochs), epochs, `epoch ${event.epoch}/${epochs}`);
      }
    };
    const options: StartFinetuneWorkerOptions = {
      ...defaults,
      dbPath,
      projectId: project.id,
      fromModelDir: parent.dirPath,
      epochs,
      commandLine: defaults.commandLine ?? 'earmark studio: training.start',
      signal: job.signal,
      onProgress,
    };
    const task = (async () => {
      try {
        const result = await startWorker(options);
        detail.runId = result.runId;
        if (result.status === 'cancelled') {
          job.training(detail);
          const active = store.getActiveModel();
          job.finish('cancelled', `cancelled after ${result.history.length} epoch(s); ${active ? `${active.name} stays the active model` : 'no model was changed'}`);
          return;
        }
        detail.result = outcomeView(result);
        job.training(detail);
        publish({ type: 'models.changed' });
        const note = result.model.active
          ? null
          : `the new model ${result.model.name} was kept but not made active: ${result.regressedClasses.map((c) => `"${c}"`).join(', ')} got worse on the held-back files`;
        job.finish('done', note, result.model.id);
      } catch (error) {
        if (error instanceof FinetuneDataError) {
          detail.problems = error.missing;
          job.training(detail);
          job.finish('failed', error.message);
        } else {
          job.finish('failed', `fine-tuning failed: ${(error as Error)?.message ?? String(error)}`);
        }
      }
    })();
    deps.track(task);
    return { jobId: job.id };
  }

  function runs(p: ApiParsedParams<'training.runs'>): ApiResult<'training.runs'> {
    return store
      .listTrainingRuns(p.projectId)
      .map((run) => ({
        id: run.id,
        status: run.status,
        parentModelId: run.parentModelId,
        resultModelId: run.resultModelId,
        startedAt: run.startedAt,
        endedAt: run.endedAt,
        recordings: store.trainingRunRecordings(run.id).length,
        events: store.trainingRunEvents(run.id).length,
        epochs: run.metrics.map(epochView),
        errorMessage: run.errorMessage,
      }))
      .reverse();
  }

  return {
    material,
    start,
    runs,
    cancel: (p: ApiParsedParams<'training.cancel'>) => jobs.cancel(p.jobId, 'training'),
    listModels: (): Model[] => {
      const byModel = runsByModel();
      return store.listModels().map((m) => modelDetail(m, byModel));
    },
    model: (modelId: number): Model => modelDetail(store.getModel(modelId)),
    activate: (modelId: number): Model => {
      const row = store.setActiveModel(modelId);
      publish({ type: 'models.changed' });
      return modelDetail(row);
    },
  };
}
