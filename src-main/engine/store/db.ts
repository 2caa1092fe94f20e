import Database from 'better-sqlite3';

export type Db = Database.Database;
export type Statement = Database.Statement;

/** How long one statement waits for another connection's write lock before SQLITE_BUSY; EARMARK_BUSY_TIMEOUT_MS (ms) overrides it, for tests. */
export function busyTimeoutMs(): number {
  const fromEnv = Number(process.env.EARMARK_BUSY_TIMEOUT_MS || NaN);
  return Number.isInteger(fromEnv) && fromEnv >= 0 ? fromEnv : 5000;
}
/** Whole write transactions tried at most this often when the lock stays taken past the busy timeout. */
export const WRITE_ATTEMPTS = 3;

const isBusy = (error: unknown): boolean => /^SQLITE_BUSY/.test(String((error as { code?: unknown })?.code ?? ''));

/**
 * Runs `fn` as one write transaction that takes the write lock up front (BEGIN IMMEDIATE): a deferred
 * transaction that reads first cannot upgrade to writing once another process has committed (SQLite
 * answers SQLITE_BUSY at once, without waiting), which lost work with two writers. Waits busy_timeout
 * for the lock and retries the whole transaction a bounded number of times. Inside an open
 * transaction it runs as a savepoint of that one.
 */
export function writeTransaction<T>(db: Db, fn: () => T): T {
  const tx = db.transaction(fn);
  if (db.inTransaction) return tx();
  for (let attempt = 1; ; attempt++) {
    try {
      return tx.immediate();
    } catch (error) {
      if (!isBusy(error) || attempt >= WRITE_ATTEMPTS) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 * attempt);
    }
  }
}

/** Opens the SQLite file with the settings every store connection uses. */
export function openDatabase(path: string): Db {
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs()}`);
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
