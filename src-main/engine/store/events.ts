import type { SoundEvent } from '../annotations/types';
import { type Db, sql, writeTransaction } from './db';
import { StoreNotFoundError, StoreValidationError } from './errors';
import { EVENT_COLUMNS, EditWriter, getLiveEvent, getEvent, parseSnapshot, stateOf, toRawEvents } from './event-rows';
import { getProject } from './projects';
import { getRecording } from './recordings';
import type { EventRow, EventSource, EventState, EventVersionRow, RecordingRow } from './types';
import { requireId, requireLabel, validateBand, validateConfidence, validateEventTimes } from './validate';

export interface NewEvent {
  recordingId: number;
  label: string;
  onset: number;
  offset: number;
  confidence?: number | null;
  /** Default 'human'. */
  source?: EventSource;
  /** Default: true for human events, false for predicted ones. */
  verified?: boolean;
  modelId?: number | null;
  /** Frequency band in Hz; both or neither (default: none, the whole spectrum). */
  lowFrequency?: number | null;
  highFrequency?: number | null;
}

export interface EventPatch {
  label?: string;
  onset?: number;
  offset?: number;
  confidence?: number | null;
  source?: EventSource;
  /**
   * When omitted and the patch changes label, onset or offset, the event becomes verified:
   * a person moving or relabelling an event has judged it.
   * Changing the frequency band counts as judging it too.
   */
  verified?: boolean;
  /** Frequency band in Hz; give both ends, or both null to clear it. */
  lowFrequency?: number | null;
  highFrequency?: number | null;
}

/** A detector output for replacePredictedEvents; a SoundEvent fits (its filename is ignored). */
export type PredictedEventInput = Pick<SoundEvent, 'label' | 'onset' | 'offset'> & { confidence?: number | null };

export interface EditOptions {
  /** Shown in the undo history; a default naming the action is used otherwise. */
  description?: string;
}

export type EventFilter = ({ recordingId: number; projectId?: never } | { projectId: number; recordingId?: never }) & {
  label?: string;
  /** Events without a confidence (human annotations) always pass. */
  minConfidence?: number;
  source?: EventSource;
  includeDeleted?: boolean;
};

function checkSource(value: unknown, context: string): EventSource {
  if (value !== 'human' && value !== 'predicted') {
    throw new StoreValidationError(`${context}: source must be 'human' or 'predicted', got ${String(value)}`, 'source');
  }
  return value;
}

function checkModelId(db: Db, value: unknown, context: string): number | null {
  if (value === null || value === undefined) return null;
  requireId(value, 'modelId', context);
  if (!sql(db, 'SELECT 1 FROM models WHERE id = ?').get(value)) throw new StoreNotFoundError('model', value as number);
  return value as number;
}

/** Validates a full event state against its recording. */
function checkState(state: EventState, recording: RecordingRow, context: string): EventState {
  requireLabel(state.label, context);
  validateEventTimes(state.onset, state.offset, recording.durationSeconds, context);
  validateConfidence(state.confidence, context);
  checkSource(state.source, context);
  if (typeof state.verified !== 'boolean') throw new StoreValidationError(`${context}: verified must be a boolean`, 'verified');
  validateBand(state.lowFrequency, state.highFrequency, recording.sampleRate, context);
  return state;
}

function sameProject(projectIds: Iterable<number>, what: string): number {
  const distinct = [...new Set(projectIds)];
  if (distinct.length !== 1) throw new StoreValidationError(`${what}: events from ${distinct.length} projects in one edit`);
  return distinct[0];
}

function distinctIds(ids: readonly number[], what: string, minimum: number): number[] {
  if (!Array.isArray(ids)) throw new StoreValidationError(`${what}: ids must be an array`);
  ids.forEach((id) => requireId(id, 'eventId', what));
  const unique = [...new Set(ids)];
  if (unique.length < minimum) throw new StoreValidationError(`${what}: needs at least ${minimum} distinct event ids`);
  return unique;
}

export function createEvents(db: Db, inputs: readonly NewEvent[], options: EditOptions = {}): EventRow[] {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new StoreValidationError('createEvents: no events given');
  const recordings = new Map<number, RecordingRow>();
  const states = inputs.map((input, i) => {
    const context = `new event ${i}`;
    requireId(input.recordingId, 'recordingId', context);
    const recording = recordings.get(input.recordingId) ?? getRecording(db, input.recordingId);
    recordings.set(recording.id, recording);
    const source = checkSource(input.source ?? 'human', context);
    return checkState(
      {
        recordingId: recording.id,
        label: input.label,
        onset: input.onset,
        offset: input.offset,
        confidence: validateConfidence(input.confidence, context),
        source,
        verified: input.verified ?? source === 'human',
        modelId: checkModelId(db, input.modelId, context),
        deleted: false,
        rejected: false,
        lowFrequency: input.lowFrequency ?? null,
        highFrequency: input.highFrequency ?? null,
      },
      recording,
      context,
    );
  });
  const projectId = sameProject([...recordings.values()].map((r) => r.projectId), 'createEvents');
  const description = options.description ?? `Add ${states.length} event${states.length === 1 ? '' : 's'}`;
  return writeTransaction(db, () => {
    const writer = new EditWriter(db, projectId, 'edit', description);
    return states.map((state) => writer.insertEvent(state));
  });
}

export function updateEvent(db: Db, id: number, patch: EventPatch, options: EditOptions = {}): EventRow {
  requireId(id, 'eventId', 'updateEvent');
  const { event, projectId } = getLiveEvent(db, id);
  const known = new Set(['label', 'onset', 'offset', 'confidence', 'source', 'verified', 'lowFrequency', 'highFrequency']);
  for (const key of Object.keys(patch)) {
    if (!known.has(key)) throw new StoreValidationError(`event ${id}: unknown field ${key} in update`, key);
  }
  if ((patch.lowFrequency === undefined) !== (patch.highFrequency === undefined)) {
    throw new StoreValidationError(`event ${id}: give both lowFrequency and highFrequency (or neither)`, 'lowFrequency');
  }
  const band = patch.lowFrequency !== undefined;
  const judged = patch.label !== undefined || patch.onset !== undefined || patch.offset !== undefined || band;
  const next: EventState = {
    ...stateOf(event),
    ...(patch.label !== undefined && { label: patch.label }),
    ...(patch.onset !== undefined && { onset: patch.onset }),
    ...(patch.offset !== undefined && { offset: patch.offset }),
    ...(patch.confidence !== undefined && { confidence: validateConfidence(patch.confidence, `event ${id}`) }),
    ...(patch.source !== undefined && { source: patch.source }),
    ...(band && { lowFrequency: patch.lowFrequency ?? null, highFrequency: patch.highFrequency ?? null }),
    verified: patch.verified ?? (judged ? true : event.verified),
  };
  checkState(next, getRecording(db, event.recordingId), `event ${id}`);
  return writeTransaction(db, () => {
    const writer = new EditWriter(db, projectId, 'edit', options.description ?? `Edit ${event.label} event`);
    return writer.writeState(event, next, 'update');
  });
}

export function deleteEvents(db: Db, ids: readonly number[], options: EditOptions = {}): void {
  const unique = distinctIds(ids, 'deleteEvents', 1);
  const live = unique.map((id) => getLiveEvent(db, id));
  const projectId = sameProject(live.map((l) => l.projectId), 'deleteEvents');
  const description = options.description ?? `Delete ${unique.length} event${unique.length === 1 ? '' : 's'}`;
  writeTransaction(db, () => {
    const writer = new EditWriter(db, projectId, 'edit', description);
    for (const { event } of live) writer.writeState(event, { ...stateOf(event), deleted: true }, 'delete');
  });
}

/** Cuts an event at `at` seconds: the original keeps [onset, at], a new event gets [at, offset]. */
export function splitEvent(db: Db, id: number, at: number, options: EditOptions = {}): [EventRow, EventRow] {
  requireId(id, 'eventId', 'splitEvent');
  const { event, projectId } = getLiveEvent(db, id);
  if (typeof at !== 'number' || !Number.isFinite(at) || !(event.onset < at && at < event.offset)) {
    throw new StoreValidationError(`event ${id}: split point ${String(at)} must lie strictly inside [${event.onset}, ${event.offset}]`, 'at');
  }
  return writeTransaction(db, (): [EventRow, EventRow] => {
    const writer = new EditWriter(db, projectId, 'edit', options.description ?? `Split ${event.label} event`);
    const left = writer.writeState(event, { ...stateOf(event), offset: at }, 'update');
    const right = writer.insertEvent({ ...stateOf(event), onset: at });
    return [left, right];
  });
}

/**
 * Joins events of one recording and one label into the earliest of them, spanning from the first
 * onset to the last offset; the others are deleted. The result is verified (a person merged it),
 * human if any part was, with the highest confidence among the parts.
 */
export function mergeEvents(db: Db, ids: readonly number[], options: EditOptions = {}): EventRow {
  const unique = distinctIds(ids, 'mergeEvents', 2);
  const live = unique.map((id) => getLiveEvent(db, id));
  const events = live.map((l) => l.event).sort((a, b) => a.onset - b.onset || a.id - b.id);
  const first = events[0];
  if (events.some((e) => e.recordingId !== first.recordingId)) {
    throw new StoreValidationError(`mergeEvents: events ${unique.join(', ')} are not all in one recording`);
  }
  if (events.some((e) => e.label !== first.label)) {
    throw new StoreValidationError(`mergeEvents: events ${unique.join(', ')} have different labels`, 'label');
  }
  const confidences = events.map((e) => e.confidence).filter((c): c is number => c !== null);
  const banded = events.filter((e) => e.lowFrequency !== null && e.highFrequency !== null);
  const merged: EventState = {
    ...stateOf(first),
    offset: Math.max(...events.map((e) => e.offset)),
    confidence: confidences.length > 0 ? Math.max(...confidences) : null,
    // The box around every part's box; a part without a band already spans the whole spectrum.
    lowFrequency: banded.length === events.length ? Math.min(...banded.map((e) => e.lowFrequency!)) : null,
    highFrequency: banded.length === events.length ? Math.max(...banded.map((e) => e.highFrequency!)) : null,
    source: events.some((e) => e.source === 'human') ? 'human' : 'predicted',
    verified: true,
  };
  return writeTransaction(db, () => {
    const writer = new EditWriter(db, live[0].projectId, 'edit', options.description ?? `Merge ${events.length} ${first.label} events`);
    const result = writer.writeState(first, merged, 'update');
    for (const other of events.slice(1)) writer.writeState(other, { ...stateOf(other), deleted: true }, 'delete');
    return result;
  });
}

/**
 * Re-detection: deletes the recording's predicted, unverified events and adds `events` as predictions
 * of `modelId`. Human and verified events are never touched. Recorded as a 'system' edit (in the
 * history, not on the undo stack). Runs in the caller's transaction when there is one.
 */
export function replacePredictedEvents(
  db: Db,
  recordingId: number,
  modelId: number,
  events: readonly PredictedEventInput[],
): { removed: number; created: EventRow[] } {
  const recording = getRecording(db, recordingId);
  checkModelId(db, modelId, `recording ${recordingId}`);
  if (!Array.isArray(events)) throw new StoreValidationError(`recording ${recordingId}: predicted events must be an array`);
  const states = events.map((input, i) =>
    checkState(
      {
        recordingId,
        label: input.label,
        onset: input.onset,
        offset: input.offset,
        confidence: validateConfidence(input.confidence, `${recording.relPath} prediction ${i}`),
        source: 'predicted',
        verified: false,
        modelId,
        deleted: false,
        rejected: false,
        lowFrequency: null,
        highFrequency: null,
      },
      recording,
      `${recording.relPath} prediction ${i}`,
    ),
  );
  return writeTransaction(db, () => {
    const writer = new EditWriter(db, recording.projectId, 'system', `Detect events in ${recording.relPath} with model ${modelId}`);
    const stale = toRawEvents(
      sql(db, "SELECT * FROM events WHERE recording_id = ? AND deleted = 0 AND source = 'predicted' AND verified = 0").all(recordingId),
    );
    for (const event of stale) writer.writeState(event, { ...stateOf(event), deleted: true }, 'delete');
    return { removed: stale.length, created: states.map((state) => writer.insertEvent(state)) };
  });
}

export function listEvents(db: Db, filter: EventFilter): EventRow[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.recordingId !== undefined) {
    getRecording(db, filter.recordingId);
    where.push('e.recording_id = ?');
    params.push(filter.recordingId);
  } else if (filter.projectId !== undefined) {
    getProject(db, filter.projectId);
    where.push('r.project_id = ?');
    params.push(filter.projectId);
  } else {
    throw new StoreValidationError('listEvents: give a recordingId or a projectId');
  }
  if (!filter.includeDeleted) where.push('e.deleted = 0');
  if (filter.label !== undefined) {
    where.push('e.label = ?');
    params.push(filter.label);
  }
  if (filter.minConfidence !== undefined) {
    validateConfidence(filter.minConfidence, 'listEvents minConfidence');
    where.push('(e.confidence IS NULL OR e.confidence >= ?)');
    params.push(filter.minConfidence);
  }
  if (filter.source !== undefined) {
    where.push('e.source = ?');
    params.push(checkSource(filter.source, 'listEvents'));
  }
  const rows = db
    .prepare(
      `SELECT ${EVENT_COLUMNS} FROM events e JOIN recordings r ON r.id = e.recording_id
       WHERE ${where.join(' AND ')} ORDER BY r.rel_path, e.onset, e.id`,
    )
    .all(...params);
  return toRawEvents(rows);
}

/** Every version of an event, oldest first, with the edit that wrote it. */
export function eventHistory(db: Db, eventId: number): EventVersionRow[] {
  requireId(eventId, 'eventId', 'eventHistory');
  getEvent(db, eventId);
  const rows = sql(
    db,
    `SELECT v.event_id, v.version, v.op, v.snapshot_json, v.edit_id, v.created_at, d.kind, d.description
     FROM event_versions v JOIN edits d ON d.id = v.edit_id WHERE v.event_id = ? ORDER BY v.version`,
  ).all(eventId) as {
    event_id: number;
    version: number;
    op: EventVersionRow['op'];
    snapshot_json: string;
    edit_id: number;
    created_at: string;
    kind: EventVersionRow['editKind'];
    description: string;
  }[];
  return rows.map((r) => ({
    eventId: r.event_id,
    version: r.version,
    op: r.op,
    snapshot: parseSnapshot(r.snapshot_json, r.event_id, r.version),
    editId: r.edit_id,
    editKind: r.kind,
    editDescription: r.description,
    createdAt: r.created_at,
  }));
}
