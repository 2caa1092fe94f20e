import Database from 'better-sqlite3';

export type Db = Database.Database;
export type Statement = Database.Statement;

/** Opens the SQLite file with the settings every store connection uses. */
export function openDatabase(path: string): Db {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    // WAL lets the studio read while a detection batch writes; FULL fsyncs each commit, so an
    // acknowledged human edit survives power loss, not only a process crash.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

const statementCache = new WeakMap<Db, Map<string, Statement>>();

/** A prepared statement, cached per connection. */
export function sql(db: Db, text: string): Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let statement = cache.get(text);
  if (!statement) {
    statement = db.prepare(text);
    cache.set(text, statement);
  }
  return statement;
}

export const nowIso = (): string => new Date().toISOString();

export const toFlag = (value: boolean): 0 | 1 => (value ? 1 : 0);

export function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`corrupt JSON in ${what}`);
  }
}
