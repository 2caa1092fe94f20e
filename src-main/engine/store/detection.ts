import { type Db, nowIso, sql, writeTransaction } from './db';
import { StoreNotFoundError, StoreStateError, StoreValidationError } from './errors';
import { type PredictedEventInput, replacePredictedEvents } from './events';
import { getModel } from './models';
import { getProject } from './projects';
import { getRecording } from './recordings';
import type { DetectionRunRow, EventRow, RunStatus } from './types';
import { requireId, requireText } from './validate';

interface RawDetectionRun {
  id: number;
  project_id: number;
  model_id: number;
  status: RunStatus;
  started_at: string;
  ended_at: string | null;
  files_done: number;
  files_failed: number;
}

const toRun = (raw: RawDetectionRun): DetectionRunRow => ({
  id: raw.id,
  projectId: raw.project_id,
  modelId: raw.model_id,
  status: raw.status,
  startedAt: raw.started_at,
  endedAt: raw.ended_at,
  filesDone: raw.files_done,
  filesFailed: raw.files_failed,
});

export function getDetectionRun(db: Db, id: number): DetectionRunRow {
  requireId(id, 'runId', 'detection run');
  const raw = sql(db, 'SELECT * FROM detection_runs WHERE id = ?').get(id) as RawDetectionRun | undefined;
  if (!raw) throw new StoreNotFoundError('detection run', id);
  return toRun(raw);
}

export function listDetectionRuns(db: Db, projectId: number): DetectionRunRow[] {
  getProject(db, projectId);
  return (sql(db, 'SELECT * FROM detection_runs WHERE project_id = ? ORDER BY id').all(projectId) as RawDetectionRun[]).map(toRun);
}

export function startDetectionRun(db: Db, projectId: number, modelId: number): DetectionRunRow {
  getProject(db, projectId);
  getModel(db, modelId);
  const { lastInsertRowid } = sql(
    db,
    "INSERT INTO detection_runs (project_id, model_id, status, started_at) VALUES (?, ?, 'running', ?)",
  ).run(projectId, modelId, nowIso());
  return getDetectionRun(db, Number(lastInsertRowid));
}

function runningRunFor(db: Db, runId: number, recordingId: number): DetectionRunRow {
  const run = getDetectionRun(db, runId);
  if (run.status !== 'running') throw new StoreStateError(`detection run ${runId} is already ${run.status}`);
  const recording = getRecording(db, recordingId);
  if (recording.projectId !== run.projectId) {
    throw new StoreValidationError(`detection run ${runId}: recording ${recordingId} is in another project`);
  }
  return run;
}

/**
 * One file detected: its predictions replace the old unverified ones (human and verified events
 * stay), the file is marked 'detected' (a reviewed file stays reviewed) and the run's count goes up,
 * all in one transaction.
 */
export function recordDetection(
  db: Db,
  runId: number,
  recordingId: number,
  events: readonly PredictedEventInput[],
): { removed: number; created: EventRow[] } {
  return writeTransaction(db, () => {
    const run = runningRunFor(db, runId, recordingId);
    const result = replacePredictedEvents(db, recordingId, run.modelId, events);
    sql(
      db,
      `UPDATE recordings SET status = CASE WHEN status = 'reviewed' THEN 'reviewed' ELSE 'detected' END, error_message = NULL,
         last_detection_run_id = ?, last_model_id = ?, updated_at = ? WHERE id = ?`,
    ).run(runId, run.modelId, nowIso(), recordingId);
    sql(db, 'UPDATE detection_runs SET files_done = files_done + 1 WHERE id = ?').run(runId);
    return result;
  });
}

/** One file failed (unreadable, wrong format...): the file gets status 'error' with the reason. */
export function recordDetectionFailure(db: Db, runId: number, recordingId: number, message: string): void {
  requireText(message, 'message', `detection run ${runId}`);
  writeTransaction(db, () => {
    runningRunFor(db, runId, recordingId);
    sql(
      db,
      "UPDATE recordings SET status = 'error', error_message = ?, last_detection_run_id = ?, updated_at = ? WHERE id = ?",
    ).run(message, runId, nowIso(), recordingId);
    sql(db, 'UPDATE detection_runs SET files_failed = files_failed + 1 WHERE id = ?').run(runId);
  });
}

export function finishDetectionRun(db: Db, runId: number, status: Exclude<RunStatus, 'running'>): DetectionRunRow {
  if (!['completed', 'failed', 'cancelled'].includes(status)) {
    throw new StoreValidationError(`detection run ${runId}: cannot finish with status ${String(status)}`, 'status');
  }
  return writeTransaction(db, () => {
    const run = getDetectionRun(db, runId);
    if (run.status !== 'running') throw new StoreStateError(`detection run ${runId} is already ${run.status}`);
    sql(db, 'UPDATE detection_runs SET status = ?, ended_at = ? WHERE id = ?').run(status, nowIso(), runId);
    return getDetectionRun(db, runId);
  });
}
