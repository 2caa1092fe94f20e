/** Row shapes returned by the store: camelCase here, snake_case in SQL. Times are ISO 8601 strings. */

export type JsonObject = { [key: string]: unknown };

export interface ProjectRow {
  id: number;
  name: string;
  /** Absolute folder that recordings' relative paths are relative to. */
  rootDir: string;
  createdAt: string;
  settings: JsonObject;
}

export type RecordingStatus = 'new' | 'detected' | 'reviewed' | 'error';

export interface RecordingRow {
  id: number;
  projectId: number;
  /** Relative to the project's root folder, with '/' separators. */
  relPath: string;
  absPath: string;
  /** sha256 of the file's bytes, lowercase hex. */
  contentHash: string;
  durationSeconds: number | null;
  sampleRate: number | null;
  channels: number | null;
  status: RecordingStatus;
  errorMessage: string | null;
  lastDetectionRunId: number | null;
  lastModelId: number | null;
  reviewedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface LabelSetRow {
  id: number;
  projectId: number;
  name: string;
  createdAt: string;
}

export interface LabelRow {
  id: number;
  labelSetId: number;
  name: string;
  /** '#rrggbb'. */
  colour: string;
  /** One character, or null. */
  keyShortcut: string | null;
  order: number;
}

export type EventSource = 'predicted' | 'human';

/** The editable content of an event; what a version snapshot stores (plus the id). */
export interface EventState {
  recordingId: number;
  label: string;
  onset: number;
  offset: number;
  confidence: number | null;
  source: EventSource;
  verified: boolean;
  modelId: number | null;
  deleted: boolean;
  /** A reviewer rejected this prediction (a false alarm); set together with `deleted`. */
  rejected: boolean;
  /** Frequency band in Hz (a box on the spectrogram): both set, low < high, or both null (the whole spectrum). */
  lowFrequency: number | null;
  highFrequency: number | null;
}

export interface EventSnapshot extends EventState {
  id: number;
}

export interface EventRow extends EventSnapshot {
  /** The number of the latest version in event_versions. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type EventOp = 'create' | 'update' | 'delete' | 'restore';

export interface EventVersionRow {
  eventId: number;
  version: number;
  op: EventOp;
  /** The event's state after the op (for 'delete': the state it had, with deleted = true). */
  snapshot: EventSnapshot;
  editId: number;
  editKind: EditKind;
  editDescription: string;
  createdAt: string;
}

/**
 * 'edit': a user action, on the undo stack. 'undo'/'redo': the versions written by undoing or
 * redoing `targetEditId`. 'system': automatic writes (re-detection), recorded but not undoable.
 */
export type EditKind = 'edit' | 'undo' | 'redo' | 'system';

export interface EditRow {
  id: number;
  projectId: number;
  kind: EditKind;
  targetEditId: number | null;
  description: string;
  createdAt: string;
  undone: boolean;
  /** An undone edit whose redo was discarded by a newer edit. */
  redoDiscarded: boolean;
}

export interface ModelRow {
  id: number;
  name: string;
  /** The model directory (model.json, weights.bin, ...). */
  dirPath: string;
  parentModelId: number | null;
  classes: string[];
  scores: JsonObject;
  createdAt: string;
  active: boolean;
}

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface TrainingRunRow {
  id: number;
  projectId: number;
  parentModelId: number | null;
  resultModelId: number | null;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  params: JsonObject;
  /** One entry per finished epoch, in order. */
  metrics: JsonObject[];
  errorMessage: string | null;
}

export interface DetectionRunRow {
  id: number;
  projectId: number;
  modelId: number;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  filesDone: number;
  filesFailed: number;
}
