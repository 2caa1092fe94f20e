import { type Db, nowIso, parseJson, sql, writeTransaction } from './db';
import { StoreNotFoundError, StoreValidationError } from './errors';
import type { JsonObject, ModelRow } from './types';
import { requireAbsolutePath, requireId, requireJsonObject, requireLabel, requireText } from './validate';

export interface NewModel {
  name: string;
  dirPath: string;
  parentModelId?: number | null;
  classes: string[];
  scores?: JsonObject;
  /** Make it the active model. The first model ever added is always made active. */
  activate?: boolean;
}

interface RawModel {
  id: number;
  name: string;
  dir_path: string;
  parent_model_id: number | null;
  classes_json: string;
  scores_json: string;
  created_at: string;
  active: 0 | 1;
}

const toModel = (raw: RawModel): ModelRow => ({
  id: raw.id,
  name: raw.name,
  dirPath: raw.dir_path,
  parentModelId: raw.parent_model_id,
  classes: parseJson<string[]>(raw.classes_json, `model ${raw.id} classes`),
  scores: parseJson<JsonObject>(raw.scores_json, `model ${raw.id} scores`),
  createdAt: raw.created_at,
  active: raw.active === 1,
});

export function getModel(db: Db, id: number): ModelRow {
  requireId(id, 'modelId', 'model');
  const raw = sql(db, 'SELECT * FROM models WHERE id = ?').get(id) as RawModel | undefined;
  if (!raw) throw new StoreNotFoundError('model', id);
  return toModel(raw);
}

export function listModels(db: Db): ModelRow[] {
  return (sql(db, 'SELECT * FROM models ORDER BY id').all() as RawModel[]).map(toModel);
}

/** The active model; undefined only while no model has been added. */
export function getActiveModel(db: Db): ModelRow | undefined {
  const raw = sql(db, 'SELECT * FROM models WHERE active = 1').get() as RawModel | undefined;
  return raw && toModel(raw);
}

export function addModel(db: Db, input: NewModel): ModelRow {
  const context = `model ${JSON.stringify(input.name)}`;
  const name = requireText(input.name, 'name', context);
  const dirPath = requireAbsolutePath(input.dirPath, 'dirPath', context);
  if (!Array.isArray(input.classes) || input.classes.length === 0) {
    throw new StoreValidationError(`${context}: classes must be a non-empty array of labels`, 'classes');
  }
  input.classes.forEach((c) => requireLabel(c, context));
  if (new Set(input.classes).size !== input.classes.length) throw new StoreValidationError(`${context}: duplicate class`, 'classes');
  const scores = requireJsonObject(input.scores ?? {}, 'scores', context);
  const parentModelId = input.parentModelId ?? null;
  if (parentModelId !== null) getModel(db, parentModelId);
  return writeTransaction(db, () => {
    const { lastInsertRowid } = sql(
      db,
      'INSERT INTO models (name, dir_path, parent_model_id, classes_json, scores_json, created_at, active) VALUES (?, ?, ?, ?, ?, ?, 0)',
    ).run(name, dirPath, parentModelId, JSON.stringify(input.classes), JSON.stringify(scores), nowIso());
    const id = Number(lastInsertRowid);
    if (input.activate || !getActiveModel(db)) activate(db, id);
    return getModel(db, id);
  });
}

function activate(db: Db, id: number): void {
  sql(db, 'UPDATE models SET active = 0 WHERE active = 1 AND id != ?').run(id);
  sql(db, 'UPDATE models SET active = 1 WHERE id = ?').run(id);
}

/** Makes `id` the one active model. */
export function setActiveModel(db: Db, id: number): ModelRow {
  getModel(db, id);
  writeTransaction(db, () => activate(db, id));
  return getModel(db, id);
}

export function updateModelScores(db: Db, id: number, scores: JsonObject): ModelRow {
  getModel(db, id);
  requireJsonObject(scores, 'scores', `model ${id}`);
  sql(db, 'UPDATE models SET scores_json = ? WHERE id = ?').run(JSON.stringify(scores), id);
  return getModel(db, id);
}
