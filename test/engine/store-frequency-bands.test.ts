import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, StoreValidationError, migrate, openStore } from '../../src-main/engine/store';
import { freshStore, hashOf, type Fresh } from '../fixtures/store/setup';

let f: Fresh;
beforeEach(() => {
  f = freshStore();
});
afterEach(() => f.cleanup());

const bandOf = (e: { lowFrequency: number | null; highFrequency: number | null }) => [e.lowFrequency, e.highFrequency];

describe('store: frequency bands of events', () => {
  it('opens a v3 database with its events and history, which have no band, and bands them afterwards', () => {
    const path = f.path.replace(/earmark\.db$/, 'v3.db');
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    migrate(db, { targetVersion: 3 });
    const t = '2024-01-01T00:00:00.000Z';
    db.exec(`
      INSERT INTO projects (id, name, root_dir, created_at) VALUES (1, 'Old', '/old', '${t}');
      INSERT INTO recordings (id, project_id, rel_path, abs_path, content_hash, duration_seconds, sample_rate, status, created_at, updated_at)
        VALUES (1, 1, 'x.wav', '/old/x.wav', '${hashOf(1)}', 5, 16000, 'detected', '${t}', '${t}');
      INSERT INTO edits (id, project_id, kind, description, created_at) VALUES (1, 1, 'edit', 'Add 1 event', '${t}'), (2, 1, 'edit', 'Edit bird event', '${t}');
      INSERT INTO events (id, recording_id, label, onset, offset, confidence, source, verified, model_id, deleted, rejected, version, created_at, updated_at)
        VALUES (1, 1, 'bird', 1, 3, NULL, 'human', 1, NULL, 0, 0, 2, '${t}', '${t}');
      INSERT INTO event_versions (event_id, version, op, snapshot_json, edit_id, created_at) VALUES
        (1, 1, 'create', '{"id":1,"recordingId":1,"label":"bird","onset":1,"offset":2,"confidence":null,"source":"human","verified":true,"modelId":null,"deleted":false,"rejected":false}', 1, '${t}'),
        (1, 2, 'update', '{"id":1,"recordingId":1,"label":"bird","onset":1,"offset":3,"confidence":null,"source":"human","verified":true,"modelId":null,"deleted":false,"rejected":false}', 2, '${t}');
    `);
    db.close();

    const store = openStore(path);
    try {
      expect(store.migration).toEqual({ from: 3, to: SCHEMA_VERSION });
      expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(4);
      const [event] = store.listEvents({ recordingId: 1 });
      expect(event).toMatchObject({ label: 'bird', onset: 1, offset: 3, version: 2, lowFrequency: null, highFrequency: null });
      expect(store.checkConsistency()).toEqual([]);
      // The pre-v4 history still undoes, and a band can be set and undone on the old event.
      store.updateEvent(1, { lowFrequency: 500, highFrequency: 4000 });
      expect(bandOf(store.listEvents({ recordingId: 1 })[0])).toEqual([500, 4000]);
      store.undo(1);
      expect(bandOf(store.listEvents({ recordingId: 1 })[0])).toEqual([null, null]);
      store.undo(1);
      expect(store.listEvents({ recordingId: 1 })[0].offset).toBe(2);
      expect(store.checkConsistency()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('sets, moves and clears a band as undoable edits, each a version in the history', () => {
    const { store, project, recA } = f;
    const [event] = store.createEvents([{ recordingId: recA.id, label: 'bird', onset: 1, offset: 2, lowFrequency: 1000, highFrequency: 3000 }]);
    expect(bandOf(event)).toEqual([1000, 3000]);
    store.updateEvent(event.id, { onset: 1.5, lowFrequency: 1200, highFrequency: 5000 });
    store.updateEvent(event.id, { lowFrequency: null, highFrequency: null });
    const now = () => store.listEvents({ recordingId: recA.id })[0];
    expect(bandOf(now())).toEqual([null, null]);
    store.undo(project.id);
    expect(bandOf(now())).toEqual([1200, 5000]);
    store.undo(project.id);
    expect([now().onset, ...bandOf(now())]).toEqual([1, 1000, 3000]);
    store.redo(project.id);
    expect([now().onset, ...bandOf(now())]).toEqual([1.5, 1200, 5000]);
    expect(store.eventHistory(event.id).map((v) => bandOf(v.snapshot))).toEqual([[1000, 3000], [1200, 5000], [null, null], [1200, 5000], [1000, 3000], [1200, 5000]]);
    expect(store.checkConsistency()).toEqual([]);
  });

  it('marks a prediction verified when a person draws its band, and keeps bands through split and merge', () => {
    const { store, recA } = f;
    const model = store.addModel({ name: 'm', dirPath: '/m', classes: ['bird'] });
    const { created } = store.replacePredictedEvents(recA.id, model.id, [{ label: 'bird', onset: 1, offset: 3, confidence: 0.7 }]);
    expect(bandOf(created[0])).toEqual([null, null]);
    const banded = store.updateEvent(created[0].id, { lowFrequency: 800, highFrequency: 2000 });
    expect(banded.verified).toBe(true);
    const [left, right] = store.splitEvent(banded.id, 2);
    expect([bandOf(left), bandOf(right)]).toEqual([[800, 2000], [800, 2000]]);
    store.updateEvent(right.id, { lowFrequency: 1500, highFrequency: 6000 });
    expect(bandOf(store.mergeEvents([left.id, right.id]))).toEqual([800, 6000]);
    const [other] = store.createEvents([{ recordingId: recA.id, label: 'bird', onset: 5, offset: 6 }]);
    expect(bandOf(store.mergeEvents([left.id, other.id]))).toEqual([null, null]);
  });

  it('refuses half a band, an inverted band and one above Nyquist', () => {
    const { store, recA } = f;
    const [event] = store.createEvents([{ recordingId: recA.id, label: 'bird', onset: 1, offset: 2 }]);
    expect(() => store.updateEvent(event.id, { lowFrequency: 100 })).toThrow(/give both lowFrequency and highFrequency/);
    expect(() => store.updateEvent(event.id, { lowFrequency: 3000, highFrequency: 1000 })).toThrow(StoreValidationError);
    expect(() => store.updateEvent(event.id, { lowFrequency: 100, highFrequency: 9000 })).toThrow(/above the recording's Nyquist frequency \(8000 Hz\)/);
    expect(() => store.createEvents([{ recordingId: recA.id, label: 'bird', onset: 1, offset: 2, lowFrequency: -1, highFrequency: 10 }])).toThrow(/negative/);
    expect(() => store.db.prepare('UPDATE events SET low_frequency = 10 WHERE id = ?').run(event.id)).toThrow(/CHECK constraint/);
    expect(store.listEvents({ recordingId: recA.id }).map(bandOf)).toEqual([[null, null]]);
  });
});
