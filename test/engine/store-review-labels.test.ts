import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openStore, SCHEMA_VERSION, StoreNotFoundError, StoreValidationError } from '../../src-main/engine/store';
import { freshStore, hashOf, type Fresh } from '../fixtures/store/setup';

let f: Fresh;
beforeEach(() => {
  f = freshStore();
});
afterEach(() => f.cleanup());

function predictions() {
  const model = f.store.addModel({ name: 'm', dirPath: '/m', classes: ['gun', 'dog'] });
  f.store.replacePredictedEvents(f.recA.id, model.id, [
    { label: 'gun', onset: 1, offset: 2, confidence: 0.9 },
    { label: 'dog', onset: 3, offset: 4, confidence: 0.4 },
  ]);
  const [gun, dog] = f.store.listEvents({ recordingId: f.recA.id });
  return { model, gun, dog };
}

describe('store: review decisions', () => {
  it('rejects a prediction as a deleted, rejected event that stays in the review queue, and undo brings it back', () => {
    const { gun, dog } = predictions();
    f.store.decideEvent(gun.id, 'accept');
    const rejected = f.store.decideEvent(dog.id, 'reject');
    expect(rejected).toMatchObject({ deleted: true, rejected: true, verified: false });
    expect(f.store.listEvents({ recordingId: f.recA.id }).map((e) => e.label)).toEqual(['gun']);
    const queue = f.store.reviewQueueEvents(f.project.id);
    expect(queue.map((q) => [q.event.label, q.event.verified, q.event.rejected, q.relPath])).toEqual([
      ['gun', true, false, 'a.wav'],
      ['dog', false, true, 'a.wav'],
    ]);
    expect(f.store.undoRedoState(f.project.id).undo?.description).toBe('Reject dog event');
    f.store.undo(f.project.id);
    expect(f.store.listEvents({ recordingId: f.recA.id }).find((e) => e.id === dog.id)).toMatchObject({ deleted: false, rejected: false });
    expect(f.store.checkConsistency()).toEqual([]);
  });

  it('accepting a rejected prediction restores it verified; drawn events cannot be rejected', () => {
    const { dog } = predictions();
    f.store.decideEvent(dog.id, 'reject');
    expect(f.store.decideEvent(dog.id, 'accept')).toMatchObject({ deleted: false, rejected: false, verified: true });
    const [drawn] = f.store.createEvents([{ recordingId: f.recA.id, label: 'gun', onset: 5, offset: 6 }]);
    expect(() => f.store.decideEvent(drawn.id, 'reject')).toThrow(StoreValidationError);
    f.store.deleteEvents([drawn.id]);
    expect(() => f.store.decideEvent(drawn.id, 'accept')).toThrow(StoreNotFoundError);
    expect(f.store.reviewQueueEvents(f.project.id).map((q) => q.event.id)).not.toContain(drawn.id);
    expect(f.store.checkConsistency()).toEqual([]);
  });

  it('a re-detection replaces pending predictions but keeps rejected ones judged', () => {
    const { model, dog } = predictions();
    f.store.decideEvent(dog.id, 'reject');
    f.store.replacePredictedEvents(f.recA.id, model.id, [{ label: 'gun', onset: 1, offset: 2, confidence: 0.8 }]);
    const queue = f.store.reviewQueueEvents(f.project.id);
    expect(queue.map((q) => [q.event.label, q.event.rejected])).toEqual([
      ['gun', false],
      ['dog', true],
    ]);
  });
});

describe('store: renaming and deleting labels', () => {
  function labelled() {
    const set = f.store.createLabelSet(f.project.id, 'Default');
    const gunLabel = f.store.addLabel(set.id, { name: 'gun', colour: '#ff0000' });
    const dogLabel = f.store.addLabel(set.id, { name: 'dog', colour: '#00ff00' });
    return { set, gunLabel, dogLabel, ...predictions() };
  }

  it('renames a label together with its events, outside the undo stack', () => {
    const { gunLabel, gun } = labelled();
    f.store.createEvents([{ recordingId: f.recB.id, label: 'gun', onset: 0, offset: 1 }]);
    const result = f.store.renameLabel(gunLabel.id, 'gunshot');
    expect(result.label.name).toBe('gunshot');
    expect(result).toMatchObject({ eventCount: 2, recordingIds: [f.recA.id, f.recB.id] });
    expect(f.store.listEvents({ projectId: f.project.id, label: 'gunshot' })).toHaveLength(2);
    expect(f.store.eventHistory(gun.id).at(-1)).toMatchObject({ editKind: 'system', editDescription: 'Rename label "gun" to "gunshot"' });
    expect(f.store.undoRedoState(f.project.id).undo?.description).toBe('Add 1 event');
    expect(() => f.store.renameLabel(gunLabel.id, 'dog')).toThrow(StoreValidationError);
    expect(f.store.checkConsistency()).toEqual([]);
  });

  it('deletes a label, moving its events to another label or deleting them', () => {
    const { set, gunLabel, dogLabel } = labelled();
    expect(f.store.deleteLabel(dogLabel.id, { kind: 'move', toLabelId: gunLabel.id })).toMatchObject({ eventCount: 1 });
    expect(f.store.listEvents({ recordingId: f.recA.id }).map((e) => e.label)).toEqual(['gun', 'gun']);
    expect(f.store.listLabels(set.id).map((l) => l.name)).toEqual(['gun']);
    expect(() => f.store.deleteLabel(gunLabel.id, { kind: 'move', toLabelId: gunLabel.id })).toThrow(StoreValidationError);
    expect(f.store.deleteLabel(gunLabel.id, { kind: 'delete' })).toMatchObject({ eventCount: 2, recordingIds: [f.recA.id] });
    expect(f.store.listEvents({ recordingId: f.recA.id })).toEqual([]);
    expect(f.store.listLabels(set.id)).toEqual([]);
    expect(f.store.checkConsistency()).toEqual([]);
  });
});

describe('store: migration to v3 (rejected predictions)', () => {
  it('keeps a v2 database working: its events are not rejected and its history still undoes', () => {
    f.cleanup();
    f = freshStore();
    const path = f.path.replace(/earmark\.db$/, 'v2.db');
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    migrate(db, { targetVersion: 2 });
    const t = '2024-01-01T00:00:00.000Z';
    db.exec(`
      INSERT INTO projects (id, name, root_dir, created_at) VALUES (1, 'Old', '/old', '${t}');
      INSERT INTO models (id, name, dir_path, classes_json, created_at, active) VALUES (1, 'base', '/m', '["gun"]', '${t}', 1);
      INSERT INTO recordings (id, project_id, rel_path, abs_path, content_hash, duration_seconds, status, created_at, updated_at)
        VALUES (1, 1, 'x.wav', '/old/x.wav', '${hashOf(1)}', 5, 'detected', '${t}', '${t}');
      INSERT INTO edits (id, project_id, kind, description, created_at) VALUES (1, 1, 'system', 'Detect', '${t}'), (2, 1, 'edit', 'Delete 1 event', '${t}');
      INSERT INTO events (id, recording_id, label, onset, offset, confidence, source, verified, model_id, deleted, version, created_at, updated_at)
        VALUES (1, 1, 'gun', 1, 2, 0.7, 'predicted', 0, 1, 1, 2, '${t}', '${t}');
      INSERT INTO event_versions (event_id, version, op, snapshot_json, edit_id, created_at) VALUES
        (1, 1, 'create', '{"id":1,"recordingId":1,"label":"gun","onset":1,"offset":2,"confidence":0.7,"source":"predicted","verified":false,"modelId":1,"deleted":false}', 1, '${t}'),
        (1, 2, 'delete', '{"id":1,"recordingId":1,"label":"gun","onset":1,"offset":2,"confidence":0.7,"source":"predicted","verified":false,"modelId":1,"deleted":true}', 2, '${t}');
    `);
    db.close();
    const store = openStore(path);
    try {
      expect(store.migration).toEqual({ from: 2, to: SCHEMA_VERSION });
      expect(store.checkConsistency()).toEqual([]);
      // Deleted before v3: not a rejection, so not in the queue.
      expect(store.reviewQueueEvents(1)).toEqual([]);
      store.undo(1);
      expect(store.listEvents({ recordingId: 1 })).toMatchObject([{ id: 1, rejected: false, deleted: false }]);
      expect(store.decideEvent(1, 'reject')).toMatchObject({ rejected: true });
      expect(store.checkConsistency()).toEqual([]);
    } finally {
      store.close();
    }
  });
});
