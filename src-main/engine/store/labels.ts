import { type Db, nowIso, sql } from './db';
import { StoreNotFoundError, StoreValidationError } from './errors';
import { getProject } from './projects';
import type { LabelRow, LabelSetRow } from './types';
import { requireId, requireLabel, requireText } from './validate';

export interface LabelInput {
  name: string;
  /** '#rrggbb'. */
  colour: string;
  keyShortcut?: string | null;
  /** Default: after the last label of the set. */
  order?: number;
}

interface RawLabel {
  id: number;
  label_set_id: number;
  name: string;
  colour: string;
  key_shortcut: string | null;
  sort_order: number;
}

const toLabel = (raw: RawLabel): LabelRow => ({
  id: raw.id,
  labelSetId: raw.label_set_id,
  name: raw.name,
  colour: raw.colour,
  keyShortcut: raw.key_shortcut,
  order: raw.sort_order,
});

const toLabelSet = (raw: { id: number; project_id: number; name: string; created_at: string }): LabelSetRow => ({
  id: raw.id,
  projectId: raw.project_id,
  name: raw.name,
  createdAt: raw.created_at,
});

function checkColour(value: unknown, context: string): string {
  if (typeof value !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(value)) {
    throw new StoreValidationError(`${context}: colour must be '#rrggbb', got ${String(value)}`, 'colour');
  }
  return value.toLowerCase();
}

function checkShortcut(value: unknown, context: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || [...value].length !== 1 || value.trim() === '') {
    throw new StoreValidationError(`${context}: keyShortcut must be one visible character, got ${JSON.stringify(value)}`, 'keyShortcut');
  }
  return value;
}

function checkOrder(value: unknown, context: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new StoreValidationError(`${context}: order must be a non-negative integer, got ${String(value)}`, 'order');
  }
  return value;
}

/** Unique-constraint failures become validation errors naming the clash. */
function uniquely<T>(context: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    const message = (error as Error).message;
    if (message.includes('UNIQUE constraint failed: labels.key_shortcut') || message.includes('labels.label_set_id, labels.key_shortcut')) {
      throw new StoreValidationError(`${context}: key shortcut already used in this label set`, 'keyShortcut');
    }
    if (message.includes('UNIQUE constraint failed')) throw new StoreValidationError(`${context}: name already exists`, 'name');
    throw error;
  }
}

export function createLabelSet(db: Db, projectId: number, name: string): LabelSetRow {
  getProject(db, projectId);
  const clean = requireText(name, 'name', `label set for project ${projectId}`);
  const { lastInsertRowid } = uniquely(`label set ${JSON.stringify(clean)}`, () =>
    sql(db, 'INSERT INTO label_sets (project_id, name, created_at) VALUES (?, ?, ?)').run(projectId, clean, nowIso()),
  );
  return getLabelSet(db, Number(lastInsertRowid));
}

export function getLabelSet(db: Db, id: number): LabelSetRow {
  requireId(id, 'labelSetId', 'label set');
  const raw = sql(db, 'SELECT * FROM label_sets WHERE id = ?').get(id) as Parameters<typeof toLabelSet>[0] | undefined;
  if (!raw) throw new StoreNotFoundError('label set', id);
  return toLabelSet(raw);
}

export function listLabelSets(db: Db, projectId: number): LabelSetRow[] {
  getProject(db, projectId);
  return (sql(db, 'SELECT * FROM label_sets WHERE project_id = ? ORDER BY id').all(projectId) as Parameters<typeof toLabelSet>[0][]).map(
    toLabelSet,
  );
}

export function addLabel(db: Db, labelSetId: number, input: LabelInput): LabelRow {
  getLabelSet(db, labelSetId);
  const context = `label ${JSON.stringify(input.name)}`;
  const name = requireLabel(input.name, context);
  const colour = checkColour(input.colour, context);
  const keyShortcut = checkShortcut(input.keyShortcut, context);
  const order =
    input.order === undefined
      ? ((sql(db, 'SELECT MAX(sort_order) AS m FROM labels WHERE label_set_id = ?').get(labelSetId) as { m: number | null }).m ?? -1) + 1
      : checkOrder(input.order, context);
  const { lastInsertRowid } = uniquely(context, () =>
    sql(db, 'INSERT INTO labels (label_set_id, name, colour, key_shortcut, sort_order) VALUES (?, ?, ?, ?, ?)').run(
      labelSetId,
      name,
      colour,
      keyShortcut,
      order,
    ),
  );
  return getLabel(db, Number(lastInsertRowid));
}

export function getLabel(db: Db, id: number): LabelRow {
  requireId(id, 'labelId', 'label');
  const raw = sql(db, 'SELECT * FROM labels WHERE id = ?').get(id) as RawLabel | undefined;
  if (!raw) throw new StoreNotFoundError('label', id);
  return toLabel(raw);
}

export function updateLabel(db: Db, id: number, patch: Partial<LabelInput>): LabelRow {
  const label = getLabel(db, id);
  const context = `label ${id}`;
  const next = {
    name: patch.name === undefined ? label.name : requireLabel(patch.name, context),
    colour: patch.colour === undefined ? label.colour : checkColour(patch.colour, context),
    keyShortcut: patch.keyShortcut === undefined ? label.keyShortcut : checkShortcut(patch.keyShortcut, context),
    order: patch.order === undefined ? label.order : checkOrder(patch.order, context),
  };
  uniquely(context, () =>
    sql(db, 'UPDATE labels SET name = ?, colour = ?, key_shortcut = ?, sort_order = ? WHERE id = ?').run(
      next.name,
      next.colour,
      next.keyShortcut,
      next.order,
      id,
    ),
  );
  return getLabel(db, id);
}

export function removeLabel(db: Db, id: number): void {
  getLabel(db, id);
  sql(db, 'DELETE FROM labels WHERE id = ?').run(id);
}

/** Labels of a set in display order. */
export function listLabels(db: Db, labelSetId: number): LabelRow[] {
  getLabelSet(db, labelSetId);
  return (sql(db, 'SELECT * FROM labels WHERE label_set_id = ? ORDER BY sort_order, id').all(labelSetId) as RawLabel[]).map(toLabel);
}
