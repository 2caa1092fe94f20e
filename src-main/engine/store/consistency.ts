import { type Db } from './db';
import { parseSnapshot, sameState, stateOf, toRawEvents } from './event-rows';

/**
 * Checks the invariants every committed transaction keeps; returns one line per problem (empty when
 * sound). Used after crashes in tests and available to a "check database" command.
 */
export function checkConsistency(db: Db): string[] {
  const problems: string[] = [];
  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
  for (const row of db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]) {
    problems.push(`foreign key: ${row.table} row ${row.rowid} points at a missing ${row.parent}`);
  }
  const latest = db.prepare('SELECT version, snapshot_json FROM event_versions WHERE event_id = ? ORDER BY version DESC LIMIT 1');
  const counts = db.prepare('SELECT COUNT(*) AS n, MIN(version) AS lo FROM event_versions WHERE event_id = ?');
  for (const event of toRawEvents(db.prepare('SELECT * FROM events').all())) {
    const { n, lo } = counts.get(event.id) as { n: number; lo: number | null };
    if (n !== event.version || lo !== 1) problems.push(`event ${event.id}: at version ${event.version} but has ${n} version rows`);
    const last = latest.get(event.id) as { version: number; snapshot_json: string } | undefined;
    if (!last || last.version !== event.version) continue;
    if (!sameState(stateOf(event), parseSnapshot(last.snapshot_json, event.id, last.version))) {
      problems.push(`event ${event.id}: row differs from its latest version snapshot`);
    }
  }
  const emptyEdits = db
    .prepare(
      `SELECT id FROM edits d WHERE kind IN ('edit', 'system')
         AND NOT EXISTS (SELECT 1 FROM event_versions v WHERE v.edit_id = d.id)
         AND NOT EXISTS (SELECT 1 FROM edit_recording_states s WHERE s.edit_id = d.id)`,
    )
    .all() as { id: number }[];
  for (const { id } of emptyEdits) problems.push(`edit ${id}: changes nothing`);
  const replays = db
    .prepare(
      `SELECT d.id, d.kind, t.kind AS target_kind,
         (SELECT COUNT(DISTINCT event_id) FROM event_versions WHERE edit_id = d.id) AS written,
         (SELECT COUNT(DISTINCT event_id) FROM event_versions WHERE edit_id = t.id) AS touched
       FROM edits d LEFT JOIN edits t ON t.id = d.target_edit_id WHERE d.kind IN ('undo', 'redo')`,
    )
    .all() as { id: number; kind: string; target_kind: string | null; written: number; touched: number }[];
  for (const r of replays) {
    if (r.target_kind !== 'edit') problems.push(`${r.kind} ${r.id}: does not target a user edit`);
    else if (r.written > r.touched) problems.push(`${r.kind} ${r.id}: wrote ${r.written} events, its edit touched ${r.touched}`);
  }
  const stack = db
    .prepare(
      `SELECT d.id, d.undone,
         (SELECT COUNT(*) FROM edits u WHERE u.target_edit_id = d.id AND u.kind = 'undo') -
         (SELECT COUNT(*) FROM edits r WHERE r.target_edit_id = d.id AND r.kind = 'redo') AS balance
       FROM edits d WHERE d.kind = 'edit'`,
    )
    .all() as { id: number; undone: number; balance: number }[];
  for (const r of stack) {
    if (r.balance !== r.undone) problems.push(`edit ${r.id}: undone flag ${r.undone} but undo minus redo is ${r.balance}`);
  }
  return problems;
}
