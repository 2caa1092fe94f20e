import { type Db, sql, writeTransaction } from './db';
import { StoreNotFoundError, StoreValidationError } from './errors';
import { EVENT_COLUMNS, EditWriter, getEvent, stateOf, toRawEvents } from './event-rows';
import { getProject } from './projects';
import type { EventRow } from './types';
import { requireId } from './validate';

export type ReviewDecision = 'accept' | 'reject';

/**
 * A reviewer's verdict on one prediction, as one undoable edit. Accept verifies it (and brings back a
 * rejected one); reject deletes it and marks it rejected, so it stays in the review queue as judged.
 */
export function decideEvent(db: Db, eventId: number, decision: ReviewDecision): EventRow {
  requireId(eventId, 'eventId', 'decideEvent');
  if (decision !== 'accept' && decision !== 'reject') {
    throw new StoreValidationError(`event ${eventId}: decision must be 'accept' or 'reject', got ${String(decision)}`, 'decision');
  }
  return writeTransaction(db, () => {
    const event = getEvent(db, eventId);
    if (event.deleted && !event.rejected) throw new StoreNotFoundError('event', eventId, 'has been deleted');
    if (decision === 'reject' && event.source !== 'predicted') {
      throw new StoreValidationError(`event ${eventId}: only predictions can be rejected; delete a drawn event instead`, 'decision');
    }
    const { project_id: projectId } = sql(db, 'SELECT project_id FROM recordings WHERE id = ?').get(event.recordingId) as { project_id: number };
    const state = stateOf(event);
    const next =
      decision === 'accept' ? { ...state, verified: true, deleted: false, rejected: false } : { ...state, deleted: true, rejected: true };
    if (next.verified === state.verified && next.deleted === state.deleted && next.rejected === state.rejected) return event;
    const verb = decision === 'accept' ? 'Accept' : 'Reject';
    const writer = new EditWriter(db, projectId, 'edit', `${verb} ${event.label} event`);
    const op = decision === 'reject' ? 'delete' : event.deleted ? 'restore' : 'update';
    return writer.writeState(event, next, op);
  });
}

/** Every prediction of a project a reviewer should judge: the live ones and those rejected. Unordered. */
export function reviewQueueEvents(db: Db, projectId: number): { event: EventRow; relPath: string }[] {
  getProject(db, projectId);
  const rows = sql(
    db,
    `SELECT ${EVENT_COLUMNS}, r.rel_path FROM events e JOIN recordings r ON r.id = e.recording_id
     WHERE r.project_id = ? AND e.source = 'predicted' AND (e.deleted = 0 OR e.rejected = 1)
     ORDER BY r.rel_path, e.onset, e.id`,
  ).all(projectId) as ({ rel_path: string } & Record<string, unknown>)[];
  const events = toRawEvents(rows);
  return events.map((event, i) => ({ event, relPath: rows[i].rel_path }));
}
