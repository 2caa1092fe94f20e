import { type Db, sql, writeTransaction } from './db';
import { EditWriter, type RecordingReviewState, getEvent, parseSnapshot, sameState, stateOf, toEdit } from './event-rows';
import { getProject } from './projects';
import { getRecording } from './recordings';
import type { EditRow, EventOp, EventSnapshot, EventState, RecordingStatus } from './types';

export interface UndoRedoResult {
  /** The user edit that was undone or redone. */
  edit: EditRow;
  /** The 'undo' or 'redo' edit holding the versions written now. */
  writtenEditId: number;
  changedEventIds: number[];
  /**
   * Events left alone because something outside the undo stack (re-detection) changed them since;
   * overwriting them would lose that change.
   */
  skippedEventIds: number[];
}

interface EventChange {
  eventId: number;
  /** State before the edit; null when the edit created the event. */
  before: EventSnapshot | null;
  after: EventSnapshot;
}

function snapshotAt(db: Db, eventId: number, version: number): EventSnapshot {
  const row = sql(db, 'SELECT snapshot_json FROM event_versions WHERE event_id = ? AND version = ?').get(eventId, version) as
    | { snapshot_json: string }
    | undefined;
  if (!row) throw new Error(`event ${eventId} has no version ${version}`);
  return parseSnapshot(row.snapshot_json, eventId, version);
}

function changesOf(db: Db, editId: number): EventChange[] {
  const rows = sql(
    db,
    `SELECT event_id, MIN(version) AS first, MAX(version) AS last FROM event_versions WHERE edit_id = ?
     GROUP BY event_id ORDER BY event_id`,
  ).all(editId) as { event_id: number; first: number; last: number }[];
  return rows.map((r) => ({
    eventId: r.event_id,
    before: r.first === 1 ? null : snapshotAt(db, r.event_id, r.first - 1),
    after: snapshotAt(db, r.event_id, r.last),
  }));
}

function recordingStatesOf(db: Db, editId: number): { recordingId: number; before: RecordingReviewState; after: RecordingReviewState }[] {
  const rows = sql(db, 'SELECT * FROM edit_recording_states WHERE edit_id = ? ORDER BY recording_id').all(editId) as {
    recording_id: number;
    status_before: RecordingStatus;
    reviewed_at_before: string | null;
    status_after: RecordingStatus;
    reviewed_at_after: string | null;
  }[];
  return rows.map((r) => ({
    recordingId: r.recording_id,
    before: { status: r.status_before, reviewedAt: r.reviewed_at_before },
    after: { status: r.status_after, reviewedAt: r.reviewed_at_after },
  }));
}

const stateOrDeleted = (snapshot: EventSnapshot | null, fallback: EventSnapshot): EventState =>
  snapshot ? stateOf(snapshot) : { ...stateOf(fallback), deleted: true };

function opFor(current: EventState, target: EventState): EventOp {
  if (target.deleted && !current.deleted) return 'delete';
  if (!target.deleted && current.deleted) return 'restore';
  return 'update';
}

/** Moves every event and recording touched by `edit` from state `from` to state `to`, where still possible. */
function apply(db: Db, edit: EditRow, direction: 'undo' | 'redo'): UndoRedoResult {
  const writer = new EditWriter(db, edit.projectId, direction, `${direction === 'undo' ? 'Undo' : 'Redo'}: ${edit.description}`, edit.id);
  writer.ensureEdit();
  const changed: number[] = [];
  const skipped: number[] = [];
  for (const change of changesOf(db, edit.id)) {
    const afterEdit = stateOf(change.after);
    const beforeEdit = stateOrDeleted(change.before, change.after);
    const [from, to] = direction === 'undo' ? [afterEdit, beforeEdit] : [beforeEdit, afterEdit];
    const current = getEvent(db, change.eventId);
    if (!sameState(stateOf(current), from)) {
      skipped.push(change.eventId);
      continue;
    }
    writer.writeState(current, to, opFor(current, to));
    changed.push(change.eventId);
  }
  for (const state of recordingStatesOf(db, edit.id)) {
    const [from, to] = direction === 'undo' ? [state.after, state.before] : [state.before, state.after];
    const recording = getRecording(db, state.recordingId);
    if (recording.status === from.status && recording.reviewedAt === from.reviewedAt) {
      writer.recordRecordingState(state.recordingId, from, to);
    }
  }
  sql(db, 'UPDATE edits SET undone = ? WHERE id = ?').run(direction === 'undo' ? 1 : 0, edit.id);
  return {
    edit: { ...edit, undone: direction === 'undo' },
    writtenEditId: writer.ensureEdit(),
    changedEventIds: changed,
    skippedEventIds: skipped,
  };
}

function nextToUndo(db: Db, projectId: number): EditRow | null {
  const raw = sql(db, "SELECT * FROM edits WHERE project_id = ? AND kind = 'edit' AND undone = 0 ORDER BY id DESC LIMIT 1").get(projectId);
  return raw ? toEdit(raw as Parameters<typeof toEdit>[0]) : null;
}

function nextToRedo(db: Db, projectId: number): EditRow | null {
  const raw = sql(
    db,
    "SELECT * FROM edits WHERE project_id = ? AND kind = 'edit' AND undone = 1 AND redo_discarded = 0 ORDER BY id ASC LIMIT 1",
  ).get(projectId);
  return raw ? toEdit(raw as Parameters<typeof toEdit>[0]) : null;
}

/** Undoes the project's latest user edit by writing new versions; returns null when there is nothing to undo. */
export function undo(db: Db, projectId: number): UndoRedoResult | null {
  getProject(db, projectId);
  return writeTransaction(db, () => {
    const edit = nextToUndo(db, projectId);
    return edit ? apply(db, edit, 'undo') : null;
  });
}

/** Redoes the most recently undone edit, unless a newer edit discarded it; null when there is nothing to redo. */
export function redo(db: Db, projectId: number): UndoRedoResult | null {
  getProject(db, projectId);
  return writeTransaction(db, () => {
    const edit = nextToRedo(db, projectId);
    return edit ? apply(db, edit, 'redo') : null;
  });
}

/** What undo and redo would act on now (for menu labels). */
export function undoRedoState(db: Db, projectId: number): { undo: EditRow | null; redo: EditRow | null } {
  getProject(db, projectId);
  return { undo: nextToUndo(db, projectId), redo: nextToRedo(db, projectId) };
}

/** The project's edits, newest first. */
export function listEdits(db: Db, projectId: number, limit = 100): EditRow[] {
  getProject(db, projectId);
  return (sql(db, 'SELECT * FROM edits WHERE project_id = ? ORDER BY id DESC LIMIT ?').all(projectId, limit) as Parameters<
    typeof toEdit
  >[0][]).map(toEdit);
}
