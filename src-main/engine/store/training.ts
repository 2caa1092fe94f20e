import { type Db, nowIso, parseJson, sql, writeTransaction } from './db';
import { StoreNotFoundError, StoreStateError, StoreValidationError } from './errors';
import { getModel } from './models';
import { getProject } from './projects';
import type { TrainingRecording } from './review';
import type { JsonObject, RunStatus, TrainingRunRow } from './types';
import { requireId, requireJsonObject, requireText } from './validate';

export interface StartTrainingRun {
  projectId: number;
  parentModelId: number | null;
  params: JsonObject;
  /** Exactly what the run trains on, usually from reviewedTrainingMaterial(); recorded with hashes and event versions. */
  material: readonly TrainingRecording[];
}

export interface FinishTrainingRun {
  status: Exclude<RunStatus, 'running'>;
  /** Required for 'completed'. */
  resultModelId?: number | null;
  errorMessage?: string | null;
}

export interface TrainingRunEventRef {
  eventId: number;
  version: number;
}

interface RawRun {
  id: number;
  project_id: number;
  parent_model_id: number | null;
  result_model_id: number | null;
  status: RunStatus;
  started_at: string;
  ended_at: string | null;
  params_json: string;
  metrics_json: string;
  error_message: string | null;
}

const toRun = (raw: RawRun): TrainingRunRow => ({
  id: raw.id,
  projectId: raw.project_id,
  parentModelId: raw.parent_model_id,
  resultModelId: raw.result_model_id,
  status: raw.status,
  startedAt: raw.started_at,
  endedAt: raw.ended_at,
  params: parseJson<JsonObject>(raw.params_json, `training run ${raw.id} params`),
  metrics: parseJson<JsonObject[]>(raw.metrics_json, `training run ${raw.id} metrics`),
  errorMessage: raw.error_message,
});

export function getTrainingRun(db: Db, id: number): TrainingRunRow {
  requireId(id, 'runId', 'training run');
  const raw = sql(db, 'SELECT * FROM training_runs WHERE id = ?').get(id) as RawRun | undefined;
  if (!raw) throw new StoreNotFoundError('training run', id);
  return toRun(raw);
}

export function listTrainingRuns(db: Db, projectId: number): TrainingRunRow[] {
  getProject(db, projectId);
  return (sql(db, 'SELECT * FROM training_runs WHERE project_id = ? ORDER BY id').all(projectId) as RawRun[]).map(toRun);
}

export function startTrainingRun(db: Db, input: StartTrainingRun): TrainingRunRow {
  const project = getProject(db, input.projectId);
  if (input.parentModelId !== null) getModel(db, input.parentModelId);
  const params = requireJsonObject(input.params, 'params', 'training run');
  if (!Array.isArray(input.material) || input.material.length === 0) {
    throw new StoreValidationError('training run: no training material (no reviewed recordings?)', 'material');
  }
  return writeTransaction(db, () => {
    const { lastInsertRowid } = sql(
      db,
      "INSERT INTO training_runs (project_id, parent_model_id, status, started_at, params_json) VALUES (?, ?, 'running', ?, ?)",
    ).run(project.id, input.parentModelId, nowIso(), JSON.stringify(params));
    const runId = Number(lastInsertRowid);
    for (const { recording, events } of input.material) {
      const stored = sql(db, 'SELECT project_id, content_hash FROM recordings WHERE id = ?').get(recording.id) as
        | { project_id: number; content_hash: string }
        | undefined;
      if (!stored || stored.project_id !== project.id) {
        throw new StoreValidationError(`training run: recording ${recording.id} is not in project ${project.id}`, 'material');
      }
      if (stored.content_hash !== recording.contentHash) {
        throw new StoreValidationError(`training run: ${recording.relPath} changed on disk since the material was read`, 'material');
      }
      sql(db, 'INSERT INTO training_run_recordings (run_id, recording_id, content_hash) VALUES (?, ?, ?)').run(
        runId,
        recording.id,
        recording.contentHash,
      );
      for (const event of events) {
        const version = sql(db, 'SELECT 1 FROM event_versions v JOIN events e ON e.id = v.event_id WHERE v.event_id = ? AND v.version = ? AND e.recording_id = ?').get(
          event.id,
          event.version,
          recording.id,
        );
        if (!version) {
          throw new StoreValidationError(`training run: event ${event.id} version ${event.version} is not in ${recording.relPath}`, 'material');
        }
        sql(db, 'INSERT INTO training_run_events (run_id, event_id, version) VALUES (?, ?, ?)').run(runId, event.id, event.version);
      }
    }
    return getTrainingRun(db, runId);
  });
}

function requireRunning(db: Db, runId: number): TrainingRunRow {
  const run = getTrainingRun(db, runId);
  if (run.status !== 'running') throw new StoreStateError(`training run ${runId} is already ${run.status}`);
  return run;
}

/** Appends one epoch's metrics (loss, validation F1...). */
export function appendTrainingEpoch(db: Db, runId: number, metrics: JsonObject): TrainingRunRow {
  requireJsonObject(metrics, 'metrics', `training run ${runId}`);
  return writeTransaction(db, () => {
    const run = requireRunning(db, runId);
    sql(db, 'UPDATE training_runs SET metrics_json = ? WHERE id = ?').run(JSON.stringify([...run.metrics, metrics]), runId);
    return getTrainingRun(db, runId);
  });
}

export function finishTrainingRun(db: Db, runId: number, outcome: FinishTrainingRun): TrainingRunRow {
  const context = `training run ${runId}`;
  if (!['completed', 'failed', 'cancelled'].includes(outcome.status)) {
    throw new StoreValidationError(`${context}: cannot finish with status ${String(outcome.status)}`, 'status');
  }
  const resultModelId = outcome.resultModelId ?? null;
  if (outcome.status === 'completed' && resultModelId === null) {
    throw new StoreValidationError(`${context}: a completed run needs its resulting model`, 'resultModelId');
  }
  if (resultModelId !== null) getModel(db, resultModelId);
  const errorMessage = outcome.errorMessage == null ? null : requireText(outcome.errorMessage, 'errorMessage', context);
  return writeTransaction(db, () => {
    requireRunning(db, runId);
    sql(db, 'UPDATE training_runs SET status = ?, result_model_id = ?, error_message = ?, ended_at = ? WHERE id = ?').run(
      outcome.status,
      resultModelId,
      errorMessage,
      nowIso(),
      runId,
    );
    return getTrainingRun(db, runId);
  });
}

/** The event versions a run trained on. */
export function trainingRunEvents(db: Db, runId: number): TrainingRunEventRef[] {
  getTrainingRun(db, runId);
  return (sql(db, 'SELECT event_id, version FROM training_run_events WHERE run_id = ? ORDER BY event_id').all(runId) as {
    event_id: number;
    version: number;
  }[]).map((r) => ({ eventId: r.event_id, version: r.version }));
}

/** The recordings a run trained on, with the content hash they had then. */
export function trainingRunRecordings(db: Db, runId: number): { recordingId: number; contentHash: string }[] {
  getTrainingRun(db, runId);
  return (sql(db, 'SELECT recording_id, content_hash FROM training_run_recordings WHERE run_id = ? ORDER BY recording_id').all(runId) as {
    recording_id: number;
    content_hash: string;
  }[]).map((r) => ({ recordingId: r.recording_id, contentHash: r.content_hash }));
}
