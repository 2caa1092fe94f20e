import { type Db, nowIso, parseJson, sql, toFlag } from './db';
import { StoreNotFoundError } from './errors';
import type { EditKind, EditRow, EventOp, EventRow, EventSnapshot, EventState, RecordingStatus } from './types';

interface RawEvent {
  id: number;
  recording_id: number;
  label: string;
  onset: number;
  offset: number;
  confidence: number | null;
  source: 'predicted' | 'human';
  verified: 0 | 1;
  model_id: number | null;
  deleted: 0 | 1;
  rejected: 0 | 1;
  low_frequency: number | null;
  high_frequency: number | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export const toEvent = (raw: RawEvent): EventRow => ({
  id: raw.id,
  recordingId: raw.recording_id,
  label: raw.label,
  onset: raw.onset,
  offset: raw.offset,
  confidence: raw.confidence,
  source: raw.source,
  verified: raw.verified === 1,
  modelId: raw.model_id,
  deleted: raw.deleted === 1,
  rejected: raw.rejected === 1,
  lowFrequency: raw.low_frequency,
  highFrequency: raw.high_frequency,
  version: raw.version,
  createdAt: raw.created_at,
  updatedAt: raw.updated_at,
});

export const EVENT_COLUMNS = 'e.id, e.recording_id, e.label, e.onset, e.offset, e.confidence, e.source, e.verified, e.model_id, e.deleted, e.rejected, e.low_frequency, e.high_frequency, e.version, e.created_at, e.updated_at';

export function toRawEvents(rows: unknown[]): EventRow[] {
  return (rows as RawEvent[]).map(toEvent);
}

export function findEvent(db: Db, id: number): EventRow | undefined {
  const raw = sql(db, 'SELECT * FROM events WHERE id = ?').get(id) as RawEvent | undefined;
  return raw && toEvent(raw);
}

export function getEvent(db: Db, id: number): EventRow {
  const event = findEvent(db, id);
  if (!event) throw new StoreNotFoundError('event', id);
  return event;
}

/** An event that exists and is not deleted, with the project it belongs to. */
export function getLiveEvent(db: Db, id: number): { event: EventRow; projectId: number } {
  const event = getEvent(db, id);
  if (event.deleted) throw new StoreNotFoundError('event', id, 'has been deleted');
  const { project_id } = sql(db, 'SELECT project_id FROM recordings WHERE id = ?').get(event.recordingId) as { project_id: number };
  return { event, projectId: project_id };
}

export function stateOf(event: EventState): EventState {
  return {
    recordingId: event.recordingId,
    label: event.label,
    onset: event.onset,
    offset: event.offset,
    confidence: event.confidence,
    source: event.source,
    verified: event.verified,
    modelId: event.modelId,
    deleted: event.deleted,
    rejected: event.rejected,
    lowFrequency: event.lowFrequency,
    highFrequency: event.highFrequency,
  };
}

export function sameState(a: EventState, b: EventState): boolean {
  return (
    a.recordingId === b.recordingId &&
    a.label === b.label &&
    a.onset === b.onset &&
    a.offset === b.offset &&
    a.confidence === b.confidence &&
    a.source === b.source &&
    a.verified === b.verified &&
    a.modelId === b.modelId &&
    a.deleted === b.deleted &&
    a.rejected === b.rejected &&
    a.lowFrequency === b.lowFrequency &&
    a.highFrequency === b.highFrequency
  );
}

/** Snapshots written before schema v3 have no `rejected` (not rejected), before v4 no band (none). */
export function parseSnapshot(json: string, eventId: number, version: number): EventSnapshot {
  const snapshot = parseJson<Partial<EventSnapshot>>(json, `event ${eventId} version ${version}`) as EventSnapshot;
  return { ...snapshot, rejected: snapshot.rejected === true, lowFrequency: snapshot.lowFrequency ?? null, highFrequency: snapshot.highFrequency ?? null };
}

interface RawEdit {
  id: number;
  project_id: number;
  kind: EditKind;
  target_edit_id: number | null;
  description: string;
  created_at: string;
  undone: 0 | 1;
  redo_discarded: 0 | 1;
}

export const toEdit = (raw: RawEdit): EditRow => ({
  id: raw.id,
  projectId: raw.project_id,
  kind: raw.kind,
  targetEditId: raw.target_edit_id,
  description: raw.description,
  createdAt: raw.created_at,
  undone: raw.undone === 1,
  redoDiscarded: raw.redo_discarded === 1,
});

export interface RecordingReviewState {
  status: RecordingStatus;
  reviewedAt: string | null;
}

/**
 * Writes one grouped edit: the edit row (created on the first change, so an action that changes
 * nothing leaves no trace), each event change and its immutable version row. Call inside a transaction.
 */
export class EditWriter {
  private editId: number | null = null;
  private readonly now = nowIso();

  constructor(
    private readonly db: Db,
    readonly projectId: number,
    readonly kind: EditKind,
    readonly description: string,
    readonly targetEditId: number | null = null,
  ) {}

  get id(): number | null {
    return this.editId;
  }

  ensureEdit(): number {
    if (this.editId !== null) return this.editId;
    if (this.kind === 'edit') {
      // A new user action ends the redo stack, as in any editor.
      sql(
        this.db,
        "UPDATE edits SET redo_discarded = 1 WHERE project_id = ? AND kind = 'edit' AND undone = 1 AND redo_discarded = 0",
      ).run(this.projectId);
    }
    const { lastInsertRowid } = sql(
      this.db,
      'INSERT INTO edits (project_id, kind, target_edit_id, description, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(this.projectId, this.kind, this.targetEditId, this.description, this.now);
    this.editId = Number(lastInsertRowid);
    return this.editId;
  }

  insertEvent(state: EventState): EventRow {
    const editId = this.ensureEdit();
    const { lastInsertRowid } = sql(
      this.db,
      `INSERT INTO events (recording_id, label, onset, offset, confidence, source, verified, model_id, deleted, rejected,
         low_frequency, high_frequency, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, 1, ?, ?)`,
    ).run(
      state.recordingId,
      state.label,
      state.onset,
      state.offset,
      state.confidence,
      state.source,
      toFlag(state.verified),
      state.modelId,
      state.lowFrequency,
      state.highFrequency,
      this.now,
      this.now,
    );
    const event = getEvent(this.db, Number(lastInsertRowid));
    this.writeVersion(event, 'create', editId);
    return event;
  }

  /** Moves an existing event to `next` as a new version. */
  writeState(current: EventRow, next: EventState, op: EventOp): EventRow {
    const editId = this.ensureEdit();
    sql(
      this.db,
      `UPDATE events SET label = ?, onset = ?, offset = ?, confidence = ?, source = ?, verified = ?, model_id = ?,
         deleted = ?, rejected = ?, low_frequency = ?, high_frequency = ?, version = version + 1, updated_at = ?
         WHERE id = ? AND version = ?`,
    ).run(
      next.label,
      next.onset,
      next.offset,
      next.confidence,
      next.source,
      toFlag(next.verified),
      next.modelId,
      toFlag(next.deleted),
      toFlag(next.rejected),
      next.lowFrequency,
      next.highFrequency,
      this.now,
      current.id,
      current.version,
    );
    const event = getEvent(this.db, current.id);
    if (event.version !== current.version + 1) throw new Error(`event ${current.id} changed underneath an edit`);
    this.writeVersion(event, op, editId);
    return event;
  }

  recordRecordingState(recordingId: number, before: RecordingReviewState, after: RecordingReviewState): void {
    const editId = this.ensureEdit();
    sql(
      this.db,
      `INSERT INTO edit_recording_states (edit_id, recording_id, status_before, reviewed_at_before, status_after,
         reviewed_at_after) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(editId, recordingId, before.status, before.reviewedAt, after.status, after.reviewedAt);
    sql(this.db, 'UPDATE recordings SET status = ?, reviewed_at = ?, updated_at = ? WHERE id = ?').run(
      after.status,
      after.reviewedAt,
      this.now,
      recordingId,
    );
  }

  private writeVersion(event: EventRow, op: EventOp, editId: number): void {
    const snapshot: EventSnapshot = { id: event.id, ...stateOf(event) };
    sql(
      this.db,
      'INSERT INTO event_versions (event_id, version, op, snapshot_json, edit_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(event.id, event.version, op, JSON.stringify(snapshot), editId, this.now);
  }
}
