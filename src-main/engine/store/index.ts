import { checkConsistency } from './consistency';
import { type Db, openDatabase } from './db';
import * as detection from './detection';
import * as events from './events';
import * as labels from './labels';
import * as labelChanges from './label-changes';
import * as eventReview from './event-review';
import { migrate, type MigrationOutcome } from './migrations';
import * as models from './models';
import * as projects from './projects';
import * as recordings from './recordings';
import * as review from './review';
import * as training from './training';
import * as undoRedo from './undo';
import type { JsonObject, RecordingStatus, RunStatus } from './types';

export * from './errors';
export * from './types';
export { hashFile } from './hash';
export { writeTransaction } from './db';
export { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion, type Migration, type MigrationOutcome } from './migrations';
export type { NewProject } from './projects';
export type { RecordingInput, UpsertRecordingsResult } from './recordings';
export type { LabelInput } from './labels';
export type { LabelChangeResult, LabelEventFate } from './label-changes';
export type { ReviewDecision } from './event-review';
export type { EditOptions, EventFilter, EventPatch, NewEvent, PredictedEventInput } from './events';
export type { UndoRedoResult } from './undo';
export type { TrainingRecording } from './review';
export type { NewModel } from './models';
export type { FinishTrainingRun, StartTrainingRun, TrainingRunEventRef } from './training';

/**
 * Earmark's project database: one SQLite file in WAL mode. Every event change is an immutable
 * version grouped into an edit (one undo step); multi-row writes are single transactions.
 * Not safe to share one Store between threads; open one per process (WAL handles the rest).
 */
export class Store {
  constructor(
    /** The underlying connection, for diagnostics and tests; all writes should go through the methods. */
    readonly db: Db,
    readonly migration: MigrationOutcome,
  ) {}

  close(): void {
    if (this.db.open) this.db.close();
  }

  // Projects
  createProject = (input: projects.NewProject) => projects.createProject(this.db, input);
  getProject = (id: number) => projects.getProject(this.db, id);
  listProjects = () => projects.listProjects(this.db);
  updateProjectSettings = (id: number, settings: JsonObject) => projects.updateProjectSettings(this.db, id, settings);

  // Recordings
  upsertRecordings = (projectId: number, rows: readonly recordings.RecordingInput[]) =>
    recordings.upsertRecordings(this.db, projectId, rows);
  getRecording = (id: number) => recordings.getRecording(this.db, id);
  findRecordingByPath = (projectId: number, relPath: string) => recordings.findRecordingByPath(this.db, projectId, relPath);
  listRecordings = (projectId: number, filter?: { status?: RecordingStatus }) =>
    recordings.listRecordings(this.db, projectId, filter);
  markRecordingError = (recordingId: number, message: string) => recordings.markRecordingError(this.db, recordingId, message);
  replaceContentHash = (recordingId: number, expected: string, contentHash: string) =>
    recordings.replaceContentHash(this.db, recordingId, expected, contentHash);
  markReviewed = (recordingId: number, reviewed = true) => review.markReviewed(this.db, recordingId, reviewed);

  // Label sets
  createLabelSet = (projectId: number, name: string) => labels.createLabelSet(this.db, projectId, name);
  listLabelSets = (projectId: number) => labels.listLabelSets(this.db, projectId);
  addLabel = (labelSetId: number, input: labels.LabelInput) => labels.addLabel(this.db, labelSetId, input);
  updateLabel = (id: number, patch: Partial<labels.LabelInput>) => labels.updateLabel(this.db, id, patch);
  removeLabel = (id: number) => labels.removeLabel(this.db, id);
  listLabels = (labelSetId: number) => labels.listLabels(this.db, labelSetId);
  renameLabel = (id: number, name: string) => labelChanges.renameLabel(this.db, id, name);
  deleteLabel = (id: number, fate: labelChanges.LabelEventFate) => labelChanges.deleteLabel(this.db, id, fate);

  // Events and their history
  createEvents = (inputs: readonly events.NewEvent[], options?: events.EditOptions) => events.createEvents(this.db, inputs, options);
  updateEvent = (id: number, patch: events.EventPatch, options?: events.EditOptions) =>
    events.updateEvent(this.db, id, patch, options);
  deleteEvents = (ids: readonly number[], options?: events.EditOptions) => events.deleteEvents(this.db, ids, options);
  splitEvent = (id: number, at: number, options?: events.EditOptions) => events.splitEvent(this.db, id, at, options);
  mergeEvents = (ids: readonly number[], options?: events.EditOptions) => events.mergeEvents(this.db, ids, options);
  replacePredictedEvents = (recordingId: number, modelId: number, predicted: readonly events.PredictedEventInput[]) =>
    events.replacePredictedEvents(this.db, recordingId, modelId, predicted);
  listEvents = (filter: events.EventFilter) => events.listEvents(this.db, filter);
  eventHistory = (eventId: number) => events.eventHistory(this.db, eventId);
  undo = (projectId: number) => undoRedo.undo(this.db, projectId);
  redo = (projectId: number) => undoRedo.redo(this.db, projectId);
  undoRedoState = (projectId: number) => undoRedo.undoRedoState(this.db, projectId);
  decideEvent = (eventId: number, decision: eventReview.ReviewDecision) => eventReview.decideEvent(this.db, eventId, decision);
  reviewQueueEvents = (projectId: number) => eventReview.reviewQueueEvents(this.db, projectId);
  listEdits = (projectId: number, limit?: number) => undoRedo.listEdits(this.db, projectId, limit);
  exportAnnotationSet = (projectId: number, options?: { reviewedOnly?: boolean }) =>
    review.exportAnnotationSet(this.db, projectId, options);

  // Models
  addModel = (input: models.NewModel) => models.addModel(this.db, input);
  getModel = (id: number) => models.getModel(this.db, id);
  listModels = () => models.listModels(this.db);
  getActiveModel = () => models.getActiveModel(this.db);
  setActiveModel = (id: number) => models.setActiveModel(this.db, id);
  updateModelScores = (id: number, scores: JsonObject) => models.updateModelScores(this.db, id, scores);

  // Detection runs
  startDetectionRun = (projectId: number, modelId: number) => detection.startDetectionRun(this.db, projectId, modelId);
  recordDetection = (runId: number, recordingId: number, predicted: readonly events.PredictedEventInput[]) =>
    detection.recordDetection(this.db, runId, recordingId, predicted);
  recordDetectionFailure = (runId: number, recordingId: number, message: string) =>
    detection.recordDetectionFailure(this.db, runId, recordingId, message);
  finishDetectionRun = (runId: number, status: Exclude<RunStatus, 'running'>) => detection.finishDetectionRun(this.db, runId, status);
  getDetectionRun = (id: number) => detection.getDetectionRun(this.db, id);
  listDetectionRuns = (projectId: number) => detection.listDetectionRuns(this.db, projectId);

  // Fine-tuning
  reviewedTrainingMaterial = (projectId: number) => review.reviewedTrainingMaterial(this.db, projectId);
  startTrainingRun = (input: training.StartTrainingRun) => training.startTrainingRun(this.db, input);
  appendTrainingEpoch = (runId: number, metrics: JsonObject) => training.appendTrainingEpoch(this.db, runId, metrics);
  finishTrainingRun = (runId: number, outcome: training.FinishTrainingRun) => training.finishTrainingRun(this.db, runId, outcome);
  getTrainingRun = (id: number) => training.getTrainingRun(this.db, id);
  listTrainingRuns = (projectId: number) => training.listTrainingRuns(this.db, projectId);
  trainingRunEvents = (runId: number) => training.trainingRunEvents(this.db, runId);
  trainingRunRecordings = (runId: number) => training.trainingRunRecordings(this.db, runId);

  // Diagnostics
  checkConsistency = () => checkConsistency(this.db);
}

/** Opens (creating if needed) the database at `path` and migrates it to the current schema. */
export function openStore(path: string): Store {
  const db = openDatabase(path);
  try {
    return new Store(db, migrate(db, { file: path }));
  } catch (error) {
    db.close();
    throw error;
  }
}
