import { type Db, sql, writeTransaction } from './db';
import { StoreValidationError } from './errors';
import { EditWriter, stateOf, toRawEvents } from './event-rows';
import { getLabel, updateLabel } from './labels';
import type { LabelRow } from './types';
import { requireLabel } from './validate';

/** What happens to the events of a label being deleted. */
export type LabelEventFate = { kind: 'delete' } | { kind: 'move'; toLabelId: number };

export interface LabelChangeResult {
  /** Events relabelled or deleted, and the recordings they are on. */
  eventCount: number;
  recordingIds: number[];
}

function projectOfLabel(db: Db, labelId: number): number {
  getLabel(db, labelId);
  const row = sql(db, 'SELECT s.project_id FROM labels l JOIN label_sets s ON s.id = l.label_set_id WHERE l.id = ?').get(labelId) as {
    project_id: number;
  };
  return row.project_id;
}

/** Live events of a project that carry `label` (events refer to labels by name). */
function eventsNamed(db: Db, projectId: number, label: string) {
  return toRawEvents(
    sql(
      db,
      `SELECT e.* FROM events e JOIN recordings r ON r.id = e.recording_id
       WHERE r.project_id = ? AND e.label = ? AND e.deleted = 0 ORDER BY e.id`,
    ).all(projectId, label),
  );
}

function touched(events: { recordingId: number }[]): number[] {
  return [...new Set(events.map((e) => e.recordingId))].sort((a, b) => a - b);
}

/**
 * Renames a label and every event that carries it, in one transaction. The events' change is a
 * 'system' edit: in their history, not on the undo stack (undoing it alone would leave events
 * under a name no label has).
 */
export function renameLabel(db: Db, labelId: number, name: string): { label: LabelRow } & LabelChangeResult {
  const clean = requireLabel(name, `label ${labelId}`);
  return writeTransaction(db, () => {
    const projectId = projectOfLabel(db, labelId);
    const before = getLabel(db, labelId);
    const label = updateLabel(db, labelId, { name: clean });
    if (before.name === clean) return { label, eventCount: 0, recordingIds: [] };
    const events = eventsNamed(db, projectId, before.name);
    const writer = new EditWriter(db, projectId, 'system', `Rename label ${JSON.stringify(before.name)} to ${JSON.stringify(clean)}`);
    for (const event of events) writer.writeState(event, { ...stateOf(event), label: clean }, 'update');
    return { label, eventCount: events.length, recordingIds: touched(events) };
  });
}

/**
 * Deletes a label; its events are deleted or moved to another label of the same project first, as
 * one 'system' edit (recorded in their history).
 */
export function deleteLabel(db: Db, labelId: number, fate: LabelEventFate): LabelChangeResult {
  return writeTransaction(db, () => {
    const projectId = projectOfLabel(db, labelId);
    const label = getLabel(db, labelId);
    let target: LabelRow | null = null;
    if (fate.kind === 'move') {
      target = getLabel(db, fate.toLabelId);
      if (target.id === labelId) throw new StoreValidationError(`label ${labelId}: cannot move its events to itself`, 'toLabelId');
      if (projectOfLabel(db, target.id) !== projectId) throw new StoreValidationError(`label ${target.id} is in another project`, 'toLabelId');
    }
    const events = eventsNamed(db, projectId, label.name);
    if (events.length > 0) {
      const what = target ? `move its events to ${JSON.stringify(target.name)}` : 'delete its events';
      const writer = new EditWriter(db, projectId, 'system', `Delete label ${JSON.stringify(label.name)}: ${what}`);
      for (const event of events) {
        if (target) writer.writeState(event, { ...stateOf(event), label: target.name }, 'update');
        else writer.writeState(event, { ...stateOf(event), deleted: true }, 'delete');
      }
    }
    sql(db, 'DELETE FROM labels WHERE id = ?').run(labelId);
    return { eventCount: events.length, recordingIds: touched(events) };
  });
}
