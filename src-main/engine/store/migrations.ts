import { type Db, writeTransaction } from './db';
import { StoreSchemaError } from './errors';

/** One step of the schema history. Never edit a released migration: append a new one. */
export interface Migration {
  /** 1, 2, 3... in order; the database's `PRAGMA user_version` is the last one applied. */
  version: number;
  description: string;
  up: (db: Db) => void;
}

const v1Core = `
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(trim(name)) > 0),
  root_dir TEXT NOT NULL,
  created_at TEXT NOT NULL,
  settings_json TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  dir_path TEXT NOT NULL,
  parent_model_id INTEGER REFERENCES models(id),
  classes_json TEXT NOT NULL,
  scores_json TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1))
);
CREATE UNIQUE INDEX models_one_active ON models(active) WHERE active = 1;

CREATE TABLE detection_runs (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  model_id INTEGER NOT NULL REFERENCES models(id),
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
  started_at TEXT NOT NULL,
  ended_at TEXT,
  files_done INTEGER NOT NULL DEFAULT 0,
  files_failed INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE recordings (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  rel_path TEXT NOT NULL,
  abs_path TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  duration_seconds REAL,
  sample_rate INTEGER,
  channels INTEGER,
  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'detected', 'reviewed', 'error')),
  error_message TEXT,
  last_detection_run_id INTEGER REFERENCES detection_runs(id),
  last_model_id INTEGER REFERENCES models(id),
  reviewed_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (project_id, rel_path)
);
CREATE INDEX recordings_hash ON recordings(project_id, content_hash);

CREATE TABLE edits (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('edit', 'undo', 'redo', 'system')),
  target_edit_id INTEGER REFERENCES edits(id),
  description TEXT NOT NULL,
  created_at TEXT NOT NULL,
  undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
  redo_discarded INTEGER NOT NULL DEFAULT 0 CHECK (redo_discarded IN (0, 1))
);
CREATE INDEX edits_stack ON edits(project_id, kind, undone, redo_discarded);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  label TEXT NOT NULL CHECK (length(label) > 0),
  onset REAL NOT NULL CHECK (onset >= 0),
  offset REAL NOT NULL CHECK (offset > onset),
  confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
  source TEXT NOT NULL CHECK (source IN ('predicted', 'human')),
  verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
  model_id INTEGER REFERENCES models(id),
  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  version INTEGER NOT NULL CHECK (version >= 1),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX events_recording ON events(recording_id, deleted, onset);

CREATE TABLE event_versions (
  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete', 'restore')),
  snapshot_json TEXT NOT NULL,
  edit_id INTEGER NOT NULL REFERENCES edits(id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (event_id, version)
) WITHOUT ROWID;
CREATE INDEX event_versions_edit ON event_versions(edit_id);

CREATE TABLE training_runs (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  parent_model_id INTEGER REFERENCES models(id),
  result_model_id INTEGER REFERENCES models(id),
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
  started_at TEXT NOT NULL,
  ended_at TEXT,
  params_json TEXT NOT NULL,
  metrics_json TEXT NOT NULL DEFAULT '[]',
  error_message TEXT
);

CREATE TABLE training_run_recordings (
  run_id INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
  recording_id INTEGER NOT NULL REFERENCES recordings(id),
  content_hash TEXT NOT NULL,
  PRIMARY KEY (run_id, recording_id)
) WITHOUT ROWID;

CREATE TABLE training_run_events (
  run_id INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
  event_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (run_id, event_id),
  FOREIGN KEY (event_id, version) REFERENCES event_versions(event_id, version)
) WITHOUT ROWID;
`;

const v2LabelsAndReviewUndo = `
CREATE TABLE label_sets (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(trim(name)) > 0),
  created_at TEXT NOT NULL,
  UNIQUE (project_id, name)
);

CREATE TABLE labels (
  id INTEGER PRIMARY KEY,
  label_set_id INTEGER NOT NULL REFERENCES label_sets(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(trim(name)) > 0),
  colour TEXT NOT NULL,
  key_shortcut TEXT,
  sort_order INTEGER NOT NULL,
  UNIQUE (label_set_id, name),
  UNIQUE (label_set_id, key_shortcut)
);

-- Review state changed by an edit, so that undoing "mark reviewed" also restores the file's status.
CREATE TABLE edit_recording_states (
  edit_id INTEGER NOT NULL REFERENCES edits(id),
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  status_before TEXT NOT NULL,
  reviewed_at_before TEXT,
  status_after TEXT NOT NULL,
  reviewed_at_after TEXT,
  PRIMARY KEY (edit_id, recording_id)
) WITHOUT ROWID;
`;

// A prediction a reviewer rejected: deleted like any removed event, and remembered as a judged false
// alarm so the project's review queue keeps counting it. Rows written before v3 are not rejected.
const v3RejectedEvents = `
ALTER TABLE events ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0 CHECK (rejected IN (0, 1));
`;

// An optional frequency band per event (a box on the spectrogram), in Hz: both ends or neither.
// Rows and version snapshots written before v4 have none.
const v4FrequencyBands = `
ALTER TABLE events ADD COLUMN low_frequency REAL CHECK (low_frequency IS NULL OR low_frequency >= 0);
ALTER TABLE events ADD COLUMN high_frequency REAL
  CHECK ((high_frequency IS NULL) = (low_frequency IS NULL) AND (high_frequency IS NULL OR high_frequency > low_frequency));
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'core tables: projects, recordings, events and versions, edits, models, runs', up: (db) => db.exec(v1Core) },
  { version: 2, description: 'label sets and labels; recording review state in edits', up: (db) => db.exec(v2LabelsAndReviewUndo) },
  { version: 3, description: 'rejected predictions (review queue)', up: (db) => db.exec(v3RejectedEvents) },
  { version: 4, description: 'frequency bands of events', up: (db) => db.exec(v4FrequencyBands) },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export interface MigrationOutcome {
  from: number;
  to: number;
}

/**
 * Brings the database up to `targetVersion` (default: the latest), each migration in its own
 * transaction together with the `user_version` bump, so a failure leaves the last good version.
 */
export function migrate(
  db: Db,
  options: { migrations?: readonly Migration[]; targetVersion?: number; file?: string } = {},
): MigrationOutcome {
  const migrations = options.migrations ?? MIGRATIONS;
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list out of order at index ${i} (version ${m.version})`);
  });
  const latest = migrations.length;
  const target = options.targetVersion ?? latest;
  const file = options.file ?? db.name;
  const from = schemaVersion(db);
  if (from > latest) {
    throw new StoreSchemaError(
      `${file}: database schema version ${from} is newer than this version of Earmark understands (${latest}); ` +
        'open it with a newer Earmark',
    );
  }
  for (const migration of migrations.slice(from, target)) {
    try {
      writeTransaction(db, () => {
        // Another process may have applied it while this one waited for the write lock.
        if (schemaVersion(db) >= migration.version) return;
        migration.up(db);
        db.pragma(`user_version = ${migration.version}`);
      });
    } catch (error) {
      throw new StoreSchemaError(
        `${file}: migration ${migration.version} (${migration.description}) failed: ${(error as Error).message}`,
      );
    }
  }
  return { from, to: Math.max(from, target) };
}
