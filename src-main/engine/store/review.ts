import type { AnnotationSet, SoundEvent } from '../annotations/types';
import { type Db, nowIso, sql, writeTransaction } from './db';
import { EditWriter, stateOf, toRawEvents } from './event-rows';
import { listEvents } from './events';
import { getProject } from './projects';
import { getRecording, listRecordings } from './recordings';
import type { EventRow, RecordingRow, RecordingStatus } from './types';

/**
 * Marking a recording reviewed means a person confirmed its event list is complete: the status
 * becomes 'reviewed', reviewed_at is set, and every remaining event becomes verified (keeping its
 * source). Un-reviewing puts the status back ('detected' if a model ever ran on it, else 'new') and
 * leaves the events' verified flags alone. Either is one undoable edit.
 */
export function markReviewed(db: Db, recordingId: number, reviewed = true): RecordingRow {
  const recording = getRecording(db, recordingId);
  const status: RecordingStatus = reviewed ? 'reviewed' : recording.lastModelId !== null ? 'detected' : 'new';
  return writeTransaction(db, () => {
    const writer = new EditWriter(
      db,
      recording.projectId,
      'edit',
      `Mark ${recording.relPath} ${reviewed ? 'reviewed' : 'not reviewed'}`,
    );
    if (reviewed) {
      const unverified = toRawEvents(
        sql(db, 'SELECT * FROM events WHERE recording_id = ? AND deleted = 0 AND verified = 0 ORDER BY id').all(recordingId),
      );
      for (const event of unverified) writer.writeState(event, { ...stateOf(event), verified: true }, 'update');
    }
    const reviewedAt = reviewed ? (recording.status === 'reviewed' && recording.reviewedAt ? recording.reviewedAt : nowIso()) : null;
    if (recording.status !== status || recording.reviewedAt !== reviewedAt) {
      writer.recordRecordingState(
        recordingId,
        { status: recording.status, reviewedAt: recording.reviewedAt },
        { status, reviewedAt },
      );
    }
    return getRecording(db, recordingId);
  });
}

export interface TrainingRecording {
  recording: RecordingRow;
  /** Current verified events; each row's `version` is the version training would use. */
  events: EventRow[];
}

/**
 * The project's reviewed recordings with their current verified events: the material fine-tuning
 * may use. Predictions added by a detection run after the review are unverified and left out.
 */
export function reviewedTrainingMaterial(db: Db, projectId: number): TrainingRecording[] {
  // Read only: a deferred transaction is a consistent snapshot without taking the write lock.
  return db.transaction(() =>
    listRecordings(db, projectId, { status: 'reviewed' }).map((recording) => ({
      recording,
      events: listEvents(db, { recordingId: recording.id }).filter((event) => event.verified),
    })),
  )();
}

/**
 * The project's annotations in the shape the metrics and file formats use: filenames are relative
 * paths; `reviewedOnly` limits it to reviewed recordings (including those with no event).
 */
export function exportAnnotationSet(db: Db, projectId: number, options: { reviewedOnly?: boolean } = {}): AnnotationSet {
  getProject(db, projectId);
  const recordings = listRecordings(db, projectId, options.reviewedOnly ? { status: 'reviewed' } : {});
  const byId = new Map(recordings.map((r) => [r.id, r]));
  const events: SoundEvent[] = [];
  for (const event of listEvents(db, { projectId })) {
    const recording = byId.get(event.recordingId);
    if (!recording) continue;
    const sound: SoundEvent = { filename: recording.relPath, onset: event.onset, offset: event.offset, label: event.label };
    if (event.confidence !== null) sound.confidence = event.confidence;
    if (event.lowFrequency !== null && event.highFrequency !== null) {
      sound.lowFrequency = event.lowFrequency;
      sound.highFrequency = event.highFrequency;
    }
    events.push(sound);
  }
  return { files: recordings.map((r) => r.relPath), events };
}
