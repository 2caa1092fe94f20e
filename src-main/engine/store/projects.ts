import { type Db, nowIso, parseJson, sql } from './db';
import { StoreNotFoundError } from './errors';
import type { JsonObject, ProjectRow } from './types';
import { requireAbsolutePath, requireId, requireJsonObject, requireText } from './validate';

export interface NewProject {
  name: string;
  rootDir: string;
  settings?: JsonObject;
}

interface RawProject {
  id: number;
  name: string;
  root_dir: string;
  created_at: string;
  settings_json: string;
}

const toProject = (raw: RawProject): ProjectRow => ({
  id: raw.id,
  name: raw.name,
  rootDir: raw.root_dir,
  createdAt: raw.created_at,
  settings: parseJson<JsonObject>(raw.settings_json, `project ${raw.id} settings`),
});

export function createProject(db: Db, input: NewProject): ProjectRow {
  const context = 'new project';
  const name = requireText(input.name, 'name', context);
  const rootDir = requireAbsolutePath(input.rootDir, 'rootDir', context);
  const settings = requireJsonObject(input.settings ?? {}, 'settings', context);
  const { lastInsertRowid } = sql(db, 'INSERT INTO projects (name, root_dir, created_at, settings_json) VALUES (?, ?, ?, ?)').run(
    name,
    rootDir,
    nowIso(),
    JSON.stringify(settings),
  );
  return getProject(db, Number(lastInsertRowid));
}

export function findProject(db: Db, id: number): ProjectRow | undefined {
  const raw = sql(db, 'SELECT * FROM projects WHERE id = ?').get(id) as RawProject | undefined;
  return raw && toProject(raw);
}

export function getProject(db: Db, id: number): ProjectRow {
  requireId(id, 'projectId', 'project');
  const project = findProject(db, id);
  if (!project) throw new StoreNotFoundError('project', id);
  return project;
}

export function listProjects(db: Db): ProjectRow[] {
  return (sql(db, 'SELECT * FROM projects ORDER BY id').all() as RawProject[]).map(toProject);
}

/** Replaces the project's settings object. */
export function updateProjectSettings(db: Db, id: number, settings: JsonObject): ProjectRow {
  getProject(db, id);
  requireJsonObject(settings, 'settings', `project ${id}`);
  sql(db, 'UPDATE projects SET settings_json = ? WHERE id = ?').run(JSON.stringify(settings), id);
  return getProject(db, id);
}
