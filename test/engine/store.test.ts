import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { hashFile, SCHEMA_VERSION, StoreNotFoundError, StoreStateError, StoreValidationError, type EventRow } from '../../src-main/engine/store';
import { freshStore, hashOf, type Fresh } from '../fixtures/store/setup';

let t: Fresh;
beforeEach(() => {
  t = freshStore();
});
afterEach(() => t.cleanup());

const pick = (e: EventRow) => ({ label: e.label, onset: e.onset, offset: e.offset, deleted: e.deleted });

describe('store: connection', () => {
  it('uses WAL, foreign keys and a busy timeout', () => {
    expect(t.store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(t.store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(t.store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(t.store.migration).toEqual({ from: 0, to: SCHEMA_VERSION });
  });
});

describe('store: projects and recordings', () => {
  it('creates, lists and updates projects', () => {
    expect(t.project).toMatchObject({ name: 'Test', rootDir: '/data/audio', settings: {} });
    t.store.updateProjectSettings(t.project.id, { threshold: 0.4 });
    expect(t.store.getProject(t.project.id).settings).toEqual({ threshold: 0.4 });
    expect(t.store.listProjects().map((p) => p.id)).toEqual([t.project.id]);
    expect(() => t.store.createProject({ name: ' ', rootDir: '/x' })).toThrow(StoreValidationError);
    expect(() => t.store.createProject({ name: 'p', rootDir: 'relative/dir' })).toThrow(/not absolute/);
    expect(() => t.store.getProject(999)).toThrow(StoreNotFoundError);
  });

  it('upserts recordings idempotently by relative path and hash', () => {
    expect(t.recA).toMatchObject({ relPath: 'a.wav', absPath: '/data/audio/a.wav', status: 'new', durationSeconds: 10 });
    const again = t.store.upsertRecordings(t.project.id, [
      { relPath: 'a.wav', contentHash: hashOf(1), durationSeconds: 10 },
      { relPath: 'sub/b.wav', contentHash: hashOf(99) },
      { relPath: 'c.wav', contentHash: hashOf(3) },
    ]);
    expect(again.unchanged.map((r) => r.id)).toEqual([t.recA.id]);
    expect(again.changed.map((r) => [r.id, r.contentHash])).toEqual([[t.recB.id, hashOf(99)]]);
    expect(again.inserted.map((r) => r.relPath)).toEqual(['c.wav']);
    expect(t.store.listRecordings(t.project.id).map((r) => r.relPath)).toEqual(['a.wav', 'c.wav', 'sub/b.wav']);
  });

  it('a changed file loses its review but keeps its events', () => {
    const [event] = t.store.createEvents([{ recordingId: t.recA.id, label: 'gunshot', onset: 1, offset: 2 }]);
    t.store.markReviewed(t.recA.id);
    const { changed } = t.store.upsertRecordings(t.project.id, [{ relPath: 'a.wav', contentHash: hashOf(7) }]);
    expect(changed[0]).toMatchObject({ status: 'new', reviewedAt: null });
    expect(t.store.listEvents({ recordingId: t.recA.id }).map((e) => e.id)).toEqual([event.id]);
  });

  it('rejects bad recording rows with specific errors, writing none of the batch', () => {
    const bad = [
      [{ relPath: '/abs.wav', contentHash: hashOf(1) }, /relative/],
      [{ relPath: '../up.wav', contentHash: hashOf(1) }, /'\.\.'/],
      [{ relPath: 'x.wav', contentHash: 'abc' }, /sha256/],
      [{ relPath: 'x.wav', contentHash: hashOf(1), durationSeconds: -1 }, /durationSeconds/],
      [{ relPath: 'x.wav', contentHash: hashOf(1), sampleRate: 44.1 }, /sampleRate/],
    ] as const;
    for (const [row, message] of bad) {
      expect(() => t.store.upsertRecordings(t.project.id, [{ relPath: 'ok.wav', contentHash: hashOf(5) }, row])).toThrow(message);
    }
    expect(t.store.findRecordingByPath(t.project.id, 'ok.wav')).toBeUndefined();
  });

  it('hashFile streams a sha256 of the bytes', async () => {
    const file = join(t.dir, 'bytes.bin');
    const bytes = Buffer.alloc(300_000, 7);
    writeFileSync(file, bytes);
    expect(await hashFile(file)).toBe(createHash('sha256').update(bytes).digest('hex'));
    await expect(hashFile(join(t.dir, 'missing.wav'))).rejects.toThrow(/missing\.wav: cannot hash/);
  });

  it('records an error on a recording', () => {
    expect(t.store.markRecordingError(t.recA.id, 'not a WAV file')).toMatchObject({ status: 'error', errorMessage: 'not a WAV file' });
  });
});

describe('store: labels', () => {
  it('keeps ordered labels with unique names and shortcuts', () => {
    const set = t.store.createLabelSet(t.project.id, 'DCASE');
    const cry = t.store.addLabel(set.id, { name: 'babycry', colour: '#FF0000', keyShortcut: '1' });
    const glass = t.store.addLabel(set.id, { name: 'glassbreak', colour: '#00ff00', keyShortcut: '2' });
    const gun = t.store.addLabel(set.id, { name: 'gunshot', colour: '#0000ff', order: 0 });
    expect(cry).toMatchObject({ colour: '#ff0000', order: 0 });
    expect(glass.order).toBe(1);
    expect(t.store.listLabels(set.id).map((l) => l.name)).toEqual(['babycry', 'gunshot', 'glassbreak']);
    expect(() => t.store.addLabel(set.id, { name: 'babycry', colour: '#000000' })).toThrow(/name already exists/);
    expect(() => t.store.addLabel(set.id, { name: 'dog', colour: '#000000', keyShortcut: '1' })).toThrow(/key shortcut already used/);
    expect(() => t.store.addLabel(set.id, { name: 'dog', colour: 'red' })).toThrow(/#rrggbb/);
    expect(() => t.store.addLabel(set.id, { name: 'dog', colour: '#000000', keyShortcut: 'ab' })).toThrow(/one visible character/);
    t.store.updateLabel(gun.id, { keyShortcut: '3', order: 5 });
    t.store.removeLabel(cry.id);
    expect(t.store.listLabels(set.id).map((l) => [l.name, l.keyShortcut])).toEqual([['glassbreak', '2'], ['gunshot', '3']]);
    expect(t.store.listLabelSets(t.project.id).map((s) => s.name)).toEqual(['DCASE']);
  });
});

describe('store: events', () => {
  it('creates events with defaults and one version each in one edit', () => {
    const created = t.store.createEvents([
      { recordingId: t.recA.id, label: 'babycry', onset: 1, offset: 2.5 },
      { recordingId: t.recB.id, label: 'gunshot', onset: 0, offset: 0.5, source: 'predicted', confidence: 0.7 },
    ]);
    expect(created[0]).toMatchObject({ source: 'human', verified: true, confidence: null, version: 1, deleted: false });
    expect(created[1]).toMatchObject({ source: 'predicted', verified: false, confidence: 0.7 });
    const h0 = t.store.eventHistory(created[0].id);
    const h1 = t.store.eventHistory(created[1].id);
    expect(h0).toHaveLength(1);
    expect(h0[0]).toMatchObject({ version: 1, op: 'create', editKind: 'edit', editDescription: 'Add 2 events' });
    expect(h0[0].editId).toBe(h1[0].editId);
    expect(h0[0].snapshot).toEqual({ id: created[0].id, recordingId: t.recA.id, label: 'babycry', onset: 1, offset: 2.5, confidence: null, source: 'human', verified: true, modelId: null, deleted: false, rejected: false, lowFrequency: null, highFrequency: null });
  });

  it('validates events at the boundary', () => {
    const base = { recordingId: t.recA.id, label: 'x', onset: 1, offset: 2 };
    const cases: [object, RegExp][] = [
      [{ onset: 2, offset: 2 }, /onset 2 must be before offset 2/],
      [{ onset: -0.1 }, /onset -0.1 is negative/],
      [{ offset: Number.NaN }, /offset must be a finite number/],
      [{ offset: Number.POSITIVE_INFINITY }, /finite/],
      [{ offset: 10.5 }, /past the end of the recording \(10 s\)/],
      [{ label: '' }, /label must be a non-empty string/],
      [{ label: ' cry' }, /leading or trailing spaces/],
      [{ confidence: 1.5 }, /confidence must be a number in \[0, 1\]/],
      [{ source: 'robot' }, /source must be/],
    ];
    for (const [patch, message] of cases) {
      const attempt = () => t.store.createEvents([{ ...base, ...patch } as never]);
      expect(attempt).toThrow(StoreValidationError);
      expect(attempt).toThrow(message);
    }
    expect(() => t.store.createEvents([{ ...base, recordingId: 999 }])).toThrow(StoreNotFoundError);
    expect(() => t.store.createEvents([{ ...base, modelId: 42 }])).toThrow(/model 42: not found/);
    expect(() => t.store.createEvents([])).toThrow(/no events/);
    // offset within a millisecond of the end is accepted (decoders round durations)
    expect(t.store.createEvents([{ ...base, offset: 10.0005 }])).toHaveLength(1);
    expect(t.store.listEdits(t.project.id)).toHaveLength(1);
  });

  it('refuses events from two projects in one edit', () => {
    const other = t.store.createProject({ name: 'Other', rootDir: '/other' });
    const [rec] = t.store.upsertRecordings(other.id, [{ relPath: 'o.wav', contentHash: hashOf(4) }]).inserted;
    expect(() =>
      t.store.createEvents([
        { recordingId: t.recA.id, label: 'x', onset: 0, offset: 1 },
        { recordingId: rec.id, label: 'x', onset: 0, offset: 1 },
      ]),
    ).toThrow(/2 projects/);
  });

  it('updates an event as a new version; a human move verifies a prediction', () => {
    const [p] = t.store.createEvents([{ recordingId: t.recA.id, label: 'gunshot', onset: 1, offset: 2, source: 'predicted', confidence: 0.4 }]);
    const moved = t.store.updateEvent(p.id, { onset: 1.2 });
    expect(moved).toMatchObject({ onset: 1.2, offset: 2, version: 2, verified: true, source: 'predicted' });
    const unverified = t.store.updateEvent(p.id, { verified: false });
    expect(unverified.verified).toBe(false);
    expect(t.store.eventHistory(p.id).map((v) => [v.version, v.op, v.snapshot.onset, v.snapshot.verified])).toEqual([
      [1, 'create', 1, false],
      [2, 'update', 1.2, true],
      [3, 'update', 1.2, false],
    ]);
    expect(() => t.store.updateEvent(p.id, { offset: 1 })).toThrow(/must be before offset/);
    expect(() => t.store.updateEvent(p.id, { colour: 'x' } as never)).toThrow(/unknown field colour/);
    expect(t.store.getRecording(t.recA.id)).toBeDefined();
  });

  it('deletes events softly and refuses to edit deleted ones', () => {
    const [a, b] = t.store.createEvents([
      { recordingId: t.recA.id, label: 'x', onset: 0, offset: 1 },
      { recordingId: t.recA.id, label: 'x', onset: 2, offset: 3 },
    ]);
    t.store.deleteEvents([a.id, a.id]);
    expect(t.store.listEvents({ recordingId: t.recA.id }).map((e) => e.id)).toEqual([b.id]);
    expect(t.store.listEvents({ recordingId: t.recA.id, includeDeleted: true })).toHaveLength(2);
    expect(t.store.eventHistory(a.id).map((v) => [v.op, v.snapshot.deleted])).toEqual([['create', false], ['delete', true]]);
    expect(() => t.store.updateEvent(a.id, { label: 'y' })).toThrow(/event \d+: has been deleted/);
    expect(() => t.store.deleteEvents([a.id])).toThrow(StoreNotFoundError);
  });

  it('splits an event in two', () => {
    const [e] = t.store.createEvents([{ recordingId: t.recA.id, label: 'babycry', onset: 1, offset: 5, source: 'predicted', confidence: 0.9 }]);
    const [left, right] = t.store.splitEvent(e.id, 3);
    expect(left).toMatchObject({ id: e.id, onset: 1, offset: 3, version: 2 });
    expect(right).toMatchObject({ onset: 3, offset: 5, label: 'babycry', confidence: 0.9, source: 'predicted', version: 1 });
    expect(t.store.eventHistory(left.id)[1].editId).toBe(t.store.eventHistory(right.id)[0].editId);
    for (const at of [1, 5, 0.5, Number.NaN]) expect(() => t.store.splitEvent(e.id, at)).toThrow(/strictly inside/);
  });

  it('merges events of one recording and label', () => {
    const [a, b, c] = t.store.createEvents([
      { recordingId: t.recA.id, label: 'gunshot', onset: 4, offset: 5, source: 'predicted', confidence: 0.6 },
      { recordingId: t.recA.id, label: 'gunshot', onset: 1, offset: 2, source: 'predicted', confidence: 0.8 },
      { recordingId: t.recA.id, label: 'glassbreak', onset: 1, offset: 2 },
    ]);
    expect(() => t.store.mergeEvents([a.id, c.id])).toThrow(/different labels/);
    expect(() => t.store.mergeEvents([a.id])).toThrow(/at least 2/);
    const merged = t.store.mergeEvents([a.id, b.id]);
    expect(merged).toMatchObject({ id: b.id, onset: 1, offset: 5, confidence: 0.8, source: 'predicted', verified: true });
    expect(t.store.listEvents({ recordingId: t.recA.id, label: 'gunshot' }).map(pick)).toEqual([
      { label: 'gunshot', onset: 1, offset: 5, deleted: false },
    ]);
    const [d] = t.store.createEvents([{ recordingId: t.recB.id, label: 'gunshot', onset: 0, offset: 1 }]);
    expect(() => t.store.mergeEvents([b.id, d.id])).toThrow(/not all in one recording/);
  });

  it('lists events by recording or project with filters', () => {
    t.store.createEvents([
      { recordingId: t.recA.id, label: 'gunshot', onset: 3, offset: 4, source: 'predicted', confidence: 0.2 },
      { recordingId: t.recA.id, label: 'gunshot', onset: 1, offset: 2, source: 'predicted', confidence: 0.9 },
      { recordingId: t.recB.id, label: 'babycry', onset: 0, offset: 1 },
    ]);
    const q = (f: object) => t.store.listEvents({ projectId: t.project.id, ...f }).map((e) => `${e.label}@${e.onset}`);
    expect(q({})).toEqual(['gunshot@1', 'gunshot@3', 'babycry@0']);
    expect(q({ minConfidence: 0.5 })).toEqual(['gunshot@1', 'babycry@0']);
    expect(q({ source: 'human' })).toEqual(['babycry@0']);
    expect(q({ label: 'gunshot', minConfidence: 0.1 })).toEqual(['gunshot@1', 'gunshot@3']);
    expect(t.store.listEvents({ recordingId: t.recB.id })).toHaveLength(1);
    expect(() => t.store.listEvents({} as never)).toThrow(/recordingId or a projectId/);
  });
});

describe('store: undo and redo', () => {
  const live = () => t.store.listEvents({ projectId: t.project.id }).map((e) => `${e.label}:${e.onset}-${e.offset}`);

  it('walks an undo/redo chain like an editor', () => {
    expect(t.store.undo(t.project.id)).toBeNull();
    const [e] = t.store.createEvents([{ recordingId: t.recA.id, label: 'cry', onset: 1, offset: 2 }]);
    t.store.updateEvent(e.id, { offset: 3 });
    t.store.updateEvent(e.id, { label: 'gun' });
    expect(live()).toEqual(['gun:1-3']);
    expect(t.store.undoRedoState(t.project.id).undo?.description).toBe('Edit cry event');

    const u1 = t.store.undo(t.project.id)!;
    expect(u1.changedEventIds).toEqual([e.id]);
    expect(live()).toEqual(['cry:1-3']);
    t.store.undo(t.project.id);
    expect(live()).toEqual(['cry:1-2']);
    t.store.undo(t.project.id);
    expect(live()).toEqual([]);
    expect(t.store.undo(t.project.id)).toBeNull();

    t.store.redo(t.project.id);
    expect(live()).toEqual(['cry:1-2']);
    t.store.redo(t.project.id);
    expect(live()).toEqual(['cry:1-3']);
    // A new edit discards the remaining redo (the relabel)
    t.store.updateEvent(e.id, { onset: 0.5 });
    expect(t.store.redo(t.project.id)).toBeNull();
    expect(live()).toEqual(['cry:0.5-3']);
    t.store.undo(t.project.id);
    expect(live()).toEqual(['cry:1-3']);
    t.store.redo(t.project.id);
    expect(live()).toEqual(['cry:0.5-3']);

    // History is append-only: create, 3 edits, 3 undos, 2 redos, 1 edit, 1 undo, 1 redo
    const ops = t.store.eventHistory(e.id).map((v) => `${v.op}/${v.editKind}`);
    expect(ops).toEqual([
      'create/edit', 'update/edit', 'update/edit', 'update/undo', 'update/undo', 'delete/undo',
      'restore/redo', 'update/redo', 'update/edit', 'update/undo', 'update/redo',
    ]);
    expect(t.store.eventHistory(e.id).map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(t.store.checkConsistency()).toEqual([]);
  });

  it('undoes and redoes a split as one step', () => {
    const [e] = t.store.createEvents([{ recordingId: t.recA.id, label: 'cry', onset: 1, offset: 5 }]);
    const [, right] = t.store.splitEvent(e.id, 2);
    expect(live()).toEqual(['cry:1-2', 'cry:2-5']);
    t.store.undo(t.project.id);
    expect(live()).toEqual(['cry:1-5']);
    expect(t.store.listEvents({ recordingId: t.recA.id, includeDeleted: true }).find((x) => x.id === right.id)?.deleted).toBe(true);
    t.store.redo(t.project.id);
    expect(live()).toEqual(['cry:1-2', 'cry:2-5']);
    expect(t.store.checkConsistency()).toEqual([]);
  });

  it('undoes a merge, restoring every part', () => {
    const parts = t.store.createEvents([
      { recordingId: t.recA.id, label: 'cry', onset: 1, offset: 2, source: 'predicted', confidence: 0.3 },
      { recordingId: t.recA.id, label: 'cry', onset: 3, offset: 4, source: 'predicted', confidence: 0.6 },
      { recordingId: t.recA.id, label: 'cry', onset: 6, offset: 7, source: 'predicted', confidence: 0.5 },
    ]);
    t.store.mergeEvents(parts.map((p) => p.id));
    expect(live()).toEqual(['cry:1-7']);
    const undone = t.store.undo(t.project.id)!;
    expect(undone.changedEventIds.sort()).toEqual(parts.map((p) => p.id).sort());
    const restored = t.store.listEvents({ recordingId: t.recA.id });
    expect(restored.map((e) => [e.onset, e.offset, e.confidence, e.verified])).toEqual([
      [1, 2, 0.3, false],
      [3, 4, 0.6, false],
      [6, 7, 0.5, false],
    ]);
    t.store.redo(t.project.id);
    expect(live()).toEqual(['cry:1-7']);
  });

  it('undo of a delete restores the same event id', () => {
    const [a, b] = t.store.createEvents([
      { recordingId: t.recA.id, label: 'x', onset: 0, offset: 1 },
      { recordingId: t.recB.id, label: 'y', onset: 0, offset: 1 },
    ]);
    t.store.deleteEvents([a.id, b.id]);
    expect(live()).toEqual([]);
    t.store.undo(t.project.id);
    expect(t.store.listEvents({ projectId: t.project.id }).map((e) => e.id).sort()).toEqual([a.id, b.id].sort());
    expect(t.store.eventHistory(a.id).at(-1)?.op).toBe('restore');
  });

  it('undo stacks are per project', () => {
    const other = t.store.createProject({ name: 'Other', rootDir: '/other' });
    const [rec] = t.store.upsertRecordings(other.id, [{ relPath: 'o.wav', contentHash: hashOf(4) }]).inserted;
    t.store.createEvents([{ recordingId: t.recA.id, label: 'x', onset: 0, offset: 1 }]);
    t.store.createEvents([{ recordingId: rec.id, label: 'y', onset: 0, offset: 1 }]);
    t.store.undo(t.project.id);
    expect(live()).toEqual([]);
    expect(t.store.listEvents({ projectId: other.id })).toHaveLength(1);
  });

  it('undo skips events that re-detection changed since, and never resurrects them over it', () => {
    const model = t.store.addModel({ name: 'base', dirPath: '/models/base', classes: ['gun'] });
    t.store.replacePredictedEvents(t.recA.id, model.id, [{ label: 'gun', onset: 1, offset: 2, confidence: 0.5 }]);
    const [pred] = t.store.listEvents({ recordingId: t.recA.id });
    t.store.updateEvent(pred.id, { confidence: 0.1, verified: false }); // user edit leaves it unverified
    t.store.replacePredictedEvents(t.recA.id, model.id, [{ label: 'gun', onset: 5, offset: 6, confidence: 0.7 }]);
    const result = t.store.undo(t.project.id)!;
    expect(result.skippedEventIds).toEqual([pred.id]);
    expect(live()).toEqual(['gun:5-6']);
    expect(t.store.checkConsistency()).toEqual([]);
  });
});

describe('store: re-detection and review', () => {
  it('replacePredictedEvents replaces only unverified predictions', () => {
    const model = t.store.addModel({ name: 'base', dirPath: '/models/base', classes: ['gun', 'cry'] });
    const human = t.store.createEvents([{ recordingId: t.recA.id, label: 'cry', onset: 0, offset: 1 }])[0];
    const first = t.store.replacePredictedEvents(t.recA.id, model.id, [
      { label: 'gun', onset: 1, offset: 2, confidence: 0.9 },
      { label: 'gun', onset: 3, offset: 4, confidence: 0.6 },
    ]);
    expect(first.removed).toBe(0);
    const verifiedPred = t.store.updateEvent(first.created[0].id, { verified: true });
    const adjustedPred = t.store.updateEvent(first.created[1].id, { offset: 4.5 }); // a human move verifies it
    t.store.createEvents([{ recordingId: t.recA.id, label: 'gun', onset: 6, offset: 7, source: 'predicted', confidence: 0.3 }]);
    const second = t.store.replacePredictedEvents(t.recA.id, model.id, [{ label: 'cry', onset: 8, offset: 9, confidence: 0.55 }]);
    expect(second.removed).toBe(1);
    const after = t.store.listEvents({ recordingId: t.recA.id });
    expect(after.map((e) => e.id).sort((x, y) => x - y)).toEqual([human.id, verifiedPred.id, adjustedPred.id, second.created[0].id].sort((x, y) => x - y));
    expect(after.find((e) => e.id === human.id)).toMatchObject({ version: 1, onset: 0, offset: 1 });
    expect(second.created[0]).toMatchObject({ source: 'predicted', verified: false, modelId: model.id, confidence: 0.55 });
    // a system edit is in the history but not on the undo stack
    expect(t.store.eventHistory(second.created[0].id)[0].editKind).toBe('system');
    expect(t.store.undoRedoState(t.project.id).undo?.description).toBe('Add 1 event');
    expect(() => t.store.replacePredictedEvents(t.recA.id, model.id, [{ label: 'gun', onset: 2, offset: 1 }])).toThrow(/a\.wav prediction 0/);
  });

  it('detection runs count files and set recording status', () => {
    const model = t.store.addModel({ name: 'base', dirPath: '/models/base', classes: ['gun'] });
    const run = t.store.startDetectionRun(t.project.id, model.id);
    t.store.recordDetection(run.id, t.recA.id, [{ label: 'gun', onset: 1, offset: 2, confidence: 0.8 }]);
    t.store.recordDetectionFailure(run.id, t.recB.id, 'sub/b.wav: unsupported format');
    expect(t.store.getRecording(t.recA.id)).toMatchObject({ status: 'detected', lastDetectionRunId: run.id, lastModelId: model.id });
    expect(t.store.getRecording(t.recB.id)).toMatchObject({ status: 'error', errorMessage: 'sub/b.wav: unsupported format' });
    const done = t.store.finishDetectionRun(run.id, 'completed');
    expect(done).toMatchObject({ filesDone: 1, filesFailed: 1, status: 'completed' });
    expect(done.endedAt).not.toBeNull();
    expect(() => t.store.recordDetection(run.id, t.recA.id, [])).toThrow(StoreStateError);
    expect(() => t.store.finishDetectionRun(run.id, 'failed')).toThrow(/already completed/);
  });

  it('markReviewed verifies remaining events and is one undoable step', () => {
    const model = t.store.addModel({ name: 'base', dirPath: '/models/base', classes: ['gun'] });
    const run = t.store.startDetectionRun(t.project.id, model.id);
    t.store.recordDetection(run.id, t.recA.id, [
      { label: 'gun', onset: 1, offset: 2, confidence: 0.8 },
      { label: 'gun', onset: 4, offset: 5, confidence: 0.4 },
    ]);
    const reviewed = t.store.markReviewed(t.recA.id);
    expect(reviewed.status).toBe('reviewed');
    expect(reviewed.reviewedAt).not.toBeNull();
    const events = t.store.listEvents({ recordingId: t.recA.id });
    expect(events.map((e) => [e.source, e.verified])).toEqual([['predicted', true], ['predicted', true]]);
    t.store.undo(t.project.id);
    expect(t.store.getRecording(t.recA.id)).toMatchObject({ status: 'detected', reviewedAt: null });
    expect(t.store.listEvents({ recordingId: t.recA.id }).every((e) => !e.verified)).toBe(true);
    t.store.redo(t.project.id);
    expect(t.store.getRecording(t.recA.id)).toMatchObject({ status: 'reviewed', reviewedAt: reviewed.reviewedAt });
    const unreviewed = t.store.markReviewed(t.recA.id, false);
    expect(unreviewed).toMatchObject({ status: 'detected', reviewedAt: null });
    expect(t.store.listEvents({ recordingId: t.recA.id }).every((e) => e.verified)).toBe(true);
    expect(t.store.checkConsistency()).toEqual([]);
  });

  it('exports an AnnotationSet', () => {
    t.store.createEvents([{ recordingId: t.recB.id, label: 'cry', onset: 0, offset: 1 }]);
    t.store.createEvents([{ recordingId: t.recA.id, label: 'gun', onset: 2, offset: 3, source: 'predicted', confidence: 0.5 }]);
    t.store.markReviewed(t.recB.id);
    expect(t.store.exportAnnotationSet(t.project.id)).toEqual({
      files: ['a.wav', 'sub/b.wav'],
      events: [
        { filename: 'a.wav', onset: 2, offset: 3, label: 'gun', confidence: 0.5 },
        { filename: 'sub/b.wav', onset: 0, offset: 1, label: 'cry' },
      ],
    });
    expect(t.store.exportAnnotationSet(t.project.id, { reviewedOnly: true })).toEqual({
      files: ['sub/b.wav'],
      events: [{ filename: 'sub/b.wav', onset: 0, offset: 1, label: 'cry' }],
    });
  });
});

describe('store: models and training', () => {
  it('keeps exactly one active model', () => {
    expect(t.store.getActiveModel()).toBeUndefined();
    const base = t.store.addModel({ name: 'base', dirPath: '/m/base', classes: ['babycry', 'glassbreak', 'gunshot'], scores: { f1: 0.7 } });
    const tuned = t.store.addModel({ name: 'tuned', dirPath: '/m/tuned', parentModelId: base.id, classes: ['babycry', 'glassbreak', 'gunshot'] });
    expect(base.active).toBe(true);
    expect(tuned).toMatchObject({ active: false, parentModelId: base.id });
    t.store.setActiveModel(tuned.id);
    expect(t.store.listModels().map((m) => [m.name, m.active])).toEqual([['base', false], ['tuned', true]]);
    t.store.addModel({ name: 'newer', dirPath: '/m/newer', classes: ['gunshot'], activate: true });
    expect(t.store.listModels().filter((m) => m.active).map((m) => m.name)).toEqual(['newer']);
    expect(() => t.store.db.prepare('UPDATE models SET active = 1').run()).toThrow(/UNIQUE/);
    expect(t.store.updateModelScores(base.id, { f1: 0.8 }).scores).toEqual({ f1: 0.8 });
    expect(() => t.store.addModel({ name: 'x', dirPath: '/m/x', classes: [] })).toThrow(/classes/);
    expect(() => t.store.addModel({ name: 'x', dirPath: '/m/x', classes: ['a'], parentModelId: 99 })).toThrow(StoreNotFoundError);
  });

  it('records exactly which recordings and event versions a run used', () => {
    const base = t.store.addModel({ name: 'base', dirPath: '/m/base', classes: ['cry', 'gun'] });
    const [a1, a2] = t.store.createEvents([
      { recordingId: t.recA.id, label: 'cry', onset: 1, offset: 2 },
      { recordingId: t.recA.id, label: 'gun', onset: 3, offset: 4, source: 'predicted', confidence: 0.4 },
    ]);
    t.store.createEvents([{ recordingId: t.recB.id, label: 'cry', onset: 1, offset: 2 }]);
    t.store.updateEvent(a1.id, { offset: 2.5 });
    t.store.markReviewed(t.recA.id);
    t.store.replacePredictedEvents(t.recA.id, base.id, [{ label: 'gun', onset: 7, offset: 8, confidence: 0.9 }]); // after review: unverified, left out
    const material = t.store.reviewedTrainingMaterial(t.project.id);
    expect(material.map((m) => m.recording.relPath)).toEqual(['a.wav']);
    expect(material[0].events.map((e) => [e.id, e.version])).toEqual([[a1.id, 2], [a2.id, 2]]);

    const run = t.store.startTrainingRun({ projectId: t.project.id, parentModelId: base.id, params: { epochs: 2, lr: 1e-3 }, material });
    t.store.updateEvent(a1.id, { label: 'gun' }); // later edits do not change what the run used
    t.store.appendTrainingEpoch(run.id, { loss: 0.5 });
    t.store.appendTrainingEpoch(run.id, { loss: 0.3 });
    expect(() => t.store.finishTrainingRun(run.id, { status: 'completed' })).toThrow(/resulting model/);
    const tuned = t.store.addModel({ name: 'tuned', dirPath: '/m/tuned', parentModelId: base.id, classes: ['cry', 'gun'] });
    const done = t.store.finishTrainingRun(run.id, { status: 'completed', resultModelId: tuned.id });
    expect(done).toMatchObject({ status: 'completed', resultModelId: tuned.id, parentModelId: base.id, params: { epochs: 2, lr: 1e-3 }, metrics: [{ loss: 0.5 }, { loss: 0.3 }] });
    expect(t.store.trainingRunEvents(run.id)).toEqual([{ eventId: a1.id, version: 2 }, { eventId: a2.id, version: 2 }]);
    expect(t.store.trainingRunRecordings(run.id)).toEqual([{ recordingId: t.recA.id, contentHash: hashOf(1) }]);
    const used = t.store.eventHistory(a1.id).find((v) => v.version === 2)!;
    expect(used.snapshot).toMatchObject({ label: 'cry', offset: 2.5, verified: true });
    expect(() => t.store.appendTrainingEpoch(run.id, { loss: 0.1 })).toThrow(/already completed/);
    expect(t.store.listTrainingRuns(t.project.id)).toHaveLength(1);
  });

  it('refuses training material that is stale or from elsewhere', () => {
    t.store.createEvents([{ recordingId: t.recA.id, label: 'cry', onset: 1, offset: 2 }]);
    t.store.markReviewed(t.recA.id);
    const material = t.store.reviewedTrainingMaterial(t.project.id);
    expect(() => t.store.startTrainingRun({ projectId: t.project.id, parentModelId: null, params: {}, material: [] })).toThrow(/no training material/);
    const badVersion = [{ ...material[0], events: [{ ...material[0].events[0], version: 9 }] }];
    expect(() => t.store.startTrainingRun({ projectId: t.project.id, parentModelId: null, params: {}, material: badVersion })).toThrow(/version 9/);
    t.store.upsertRecordings(t.project.id, [{ relPath: 'a.wav', contentHash: hashOf(8) }]);
    expect(() => t.store.startTrainingRun({ projectId: t.project.id, parentModelId: null, params: {}, material })).toThrow(/changed on disk/);
    expect(t.store.listTrainingRuns(t.project.id)).toEqual([]);
  });
});
