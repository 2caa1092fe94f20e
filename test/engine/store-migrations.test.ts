import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION, StoreSchemaError, migrate, openStore, schemaVersion } from '../../src-main/engine/store';
import { hashOf } from '../fixtures/store/setup';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'earmark-migrate-'));
  path = join(dir, 'old.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A version-1 database with a project, a recording, an edited event and a model, written with v1's SQL only. */
function writeV1Fixture(): void {
  const db = new Database(path);
  db.pragma('foreign_keys = ON');
  expect(migrate(db, { targetVersion: 1 })).toEqual({ from: 0, to: 1 });
  const t = '2024-01-01T00:00:00.000Z';
  db.exec(`
    INSERT INTO projects (id, name, root_dir, created_at, settings_json) VALUES (1, 'Old', '/old', '${t}', '{"k":1}');
    INSERT INTO models (id, name, dir_path, classes_json, created_at, active) VALUES (1, 'base', '/m/base', '["gun"]', '${t}', 1);
    INSERT INTO recordings (id, project_id, rel_path, abs_path, content_hash, duration_seconds, status, reviewed_at, created_at, updated_at)
      VALUES (1, 1, 'x.wav', '/old/x.wav', '${hashOf(1)}', 5, 'reviewed', '${t}', '${t}', '${t}');
    INSERT INTO edits (id, project_id, kind, description, created_at) VALUES (1, 1, 'edit', 'Add 1 event', '${t}'), (2, 1, 'edit', 'Edit gun event', '${t}');
    INSERT INTO events (id, recording_id, label, onset, offset, confidence, source, verified, model_id, version, created_at, updated_at)
      VALUES (1, 1, 'gun', 1, 3, NULL, 'human', 1, NULL, 2, '${t}', '${t}');
    INSERT INTO event_versions (event_id, version, op, snapshot_json, edit_id, created_at) VALUES
      (1, 1, 'create', '{"id":1,"recordingId":1,"label":"gun","onset":1,"offset":2,"confidence":null,"source":"human","verified":true,"modelId":null,"deleted":false}', 1, '${t}'),
      (1, 2, 'update', '{"id":1,"recordingId":1,"label":"gun","onset":1,"offset":3,"confidence":null,"source":"human","verified":true,"modelId":null,"deleted":false}', 2, '${t}');
  `);
  expect(schemaVersion(db)).toBe(1);
  expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'labels'").get()).toBeUndefined();
  db.close();
}

describe('store: schema migrations', () => {
  it('migrates a v1 database to the current version with its data intact', () => {
    writeV1Fixture();
    const store = openStore(path);
    try {
      expect(store.migration).toEqual({ from: 1, to: SCHEMA_VERSION });
      expect(schemaVersion(store.db)).toBe(SCHEMA_VERSION);
      expect(store.getProject(1)).toMatchObject({ name: 'Old', settings: { k: 1 } });
      expect(store.getRecording(1)).toMatchObject({ relPath: 'x.wav', status: 'reviewed', durationSeconds: 5 });
      expect(store.listEvents({ recordingId: 1 }).map((e) => [e.label, e.onset, e.offset, e.version])).toEqual([['gun', 1, 3, 2]]);
      expect(store.getActiveModel()?.name).toBe('base');
      // The old history works with the new code: undo the v1 edit, then use a v2 table.
      store.undo(1);
      expect(store.listEvents({ recordingId: 1 })[0].offset).toBe(2);
      const set = store.createLabelSet(1, 'default');
      store.addLabel(set.id, { name: 'gun', colour: '#ff0000' });
      expect(store.listLabels(set.id).map((l) => l.name)).toEqual(['gun']);
      expect(store.checkConsistency()).toEqual([]);
    } finally {
      store.close();
    }
    const reopened = openStore(path);
    expect(reopened.migration).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    reopened.close();
  });

  it('refuses a database from a newer Earmark with a clear error', () => {
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openStore(path)).toThrow(StoreSchemaError);
    expect(() => openStore(path)).toThrow(`database schema version ${SCHEMA_VERSION + 1} is newer than this version of Earmark understands (${SCHEMA_VERSION})`);
  });

  it('rolls a failing migration back, keeping the last good version', () => {
    const db = new Database(path);
    const broken = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        description: 'half-finished',
        up: (d: Database.Database) => {
          d.exec('CREATE TABLE extra (id INTEGER PRIMARY KEY)');
          d.exec('INSERT INTO no_such_table VALUES (1)');
        },
      },
    ];
    expect(() => migrate(db, { migrations: broken })).toThrow(new RegExp(`migration ${MIGRATIONS.length + 1} \\(half-finished\\) failed: no such table`));
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").get()).toBeUndefined();
    db.close();
  });

  it('rejects an out-of-order migration list', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, { migrations: [MIGRATIONS[1]] })).toThrow(/out of order/);
    db.close();
  });
});
