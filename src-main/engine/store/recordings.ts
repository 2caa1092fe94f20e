import { resolve } from 'node:path';
import { type Db, nowIso, sql, writeTransaction } from './db';
import { StoreNotFoundError, StoreValidationError } from './errors';
import { getProject } from './projects';
import type { RecordingRow, RecordingStatus } from './types';
import {
  requireAbsolutePath,
  requireId,
  requirePositiveInt,
  requireRelativePath,
  requireSha256,
  requireText,
} from './validate';

export interface RecordingInput {
  relPath: string;
  /** Defaults to the project root joined with relPath. */
  absPath?: string;
  contentHash: string;
  durationSeconds?: number | null;
  sampleRate?: number | null;
  channels?: number | null;
}

export interface UpsertRecordingsResult {
  inserted: RecordingRow[];
  /** Same path, different bytes: hash and metadata updated, status back to 'new', review cleared; events kept. */
  changed: RecordingRow[];
  /** Same path and hash: only metadata (absolute path, duration...) refreshed. */
  unchanged: RecordingRow[];
}

interface RawRecording {
  id: number;
  project_id: number;
  rel_path: string;
  abs_path: string;
  content_hash: string;
  duration_seconds: number | null;
  sample_rate: number | null;
  channels: number | null;
  status: RecordingStatus;
  error_message: string | null;
  last_detection_run_id: number | null;
  last_model_id: number | null;
  reviewed_at: string | null;
  created_at: string;
  updated_at: string;
}

export const toRecording = (raw: RawRecording): RecordingRow => ({
  id: raw.id,
  projectId: raw.project_id,
  relPath: raw.rel_path,
  absPath: raw.abs_path,
  contentHash: raw.content_hash,
  durationSeconds: raw.duration_seconds,
  sampleRate: raw.sample_rate,
  channels: raw.channels,
  status: raw.status,
  errorMessage: raw.error_message,
  lastDetectionRunId: raw.last_detection_run_id,
  lastModelId: raw.last_model_id,
  reviewedAt: raw.reviewed_at,
  createdAt: raw.created_at,
  updatedAt: raw.updated_at,
});

export function findRecording(db: Db, id: number): RecordingRow | undefined {
  const raw = sql(db, 'SELECT * FROM recordings WHERE id = ?').get(id) as RawRecording | undefined;
  return raw && toRecording(raw);
}

export function getRecording(db: Db, id: number): RecordingRow {
  requireId(id, 'recordingId', 'recording');
  const recording = findRecording(db, id);
  if (!recording) throw new StoreNotFoundError('recording', id);
  return recording;
}

export function findRecordingByPath(db: Db, projectId: number, relPath: string): RecordingRow | undefined {
  const raw = sql(db, 'SELECT * FROM recordings WHERE project_id = ? AND rel_path = ?').get(projectId, relPath) as
    | RawRecording
    | undefined;
  return raw && toRecording(raw);
}

export function listRecordings(db: Db, projectId: number, filter: { status?: RecordingStatus } = {}): RecordingRow[] {
  getProject(db, projectId);
  const rows = filter.status
    ? sql(db, 'SELECT * FROM recordings WHERE project_id = ? AND status = ? ORDER BY rel_path').all(projectId, filter.status)
    : sql(db, 'SELECT * FROM recordings WHERE project_id = ? ORDER BY rel_path').all(projectId);
  return (rows as RawRecording[]).map(toRecording);
}

function optionalPositive(value: unknown, field: string, context: string, integer: boolean): number | null {
  if (value === null || value === undefined) return null;
  if (integer) return requirePositiveInt(value, field, context);
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new StoreValidationError(`${context}: ${field} must be a positive finite number, got ${String(value)}`, field);
  }
  return value;
}

/** Adds or refreshes recordings by relative path; idempotent for the same path and hash. One transaction. */
export function upsertRecordings(db: Db, projectId: number, rows: readonly RecordingInput[]): UpsertRecordingsResult {
  const project = getProject(db, projectId);
  const seen = new Set<string>();
  const clean = rows.map((row) => {
    const context = `recording ${JSON.stringify(row?.relPath)}`;
    const relPath = requireRelativePath(row.relPath, context);
    if (seen.has(relPath)) throw new StoreValidationError(`${context}: listed twice`, 'relPath');
    seen.add(relPath);
    return {
      relPath,
      absPath:
        row.absPath === undefined ? resolve(project.rootDir, relPath) : requireAbsolutePath(row.absPath, 'absPath', context),
      contentHash: requireSha256(row.contentHash, context),
      durationSeconds: optionalPositive(row.durationSeconds, 'durationSeconds', context, false),
      sampleRate: optionalPositive(row.sampleRate, 'sampleRate', context, true),
      channels: optionalPositive(row.channels, 'channels', context, true),
    };
  });
  const result: UpsertRecordingsResult = { inserted: [], changed: [], unchanged: [] };
  writeTransaction(db, () => {
    const now = nowIso();
    for (const row of clean) {
      const existing = findRecordingByPath(db, projectId, row.relPath);
      if (!existing) {
        const { lastInsertRowid } = sql(
          db,
          `INSERT INTO recordings (project_id, rel_path, abs_path, content_hash, duration_seconds, sample_rate, channels,
             status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'new', ?, ?)`,
        ).run(projectId, row.relPath, row.absPath, row.contentHash, row.durationSeconds, row.sampleRate, row.channels, now, now);
        result.inserted.push(getRecording(db, Number(lastInsertRowid)));
      } else if (existing.contentHash !== row.contentHash) {
        sql(
          db,
          `UPDATE recordings SET abs_path = ?, content_hash = ?, duration_seconds = ?, sample_rate = ?, channels = ?,
             status = 'new', error_message = NULL, reviewed_at = NULL, updated_at = ? WHERE id = ?`,
        ).run(row.absPath, row.contentHash, row.durationSeconds, row.sampleRate, row.channels, now, existing.id);
        result.changed.push(getRecording(db, existing.id));
      } else {
        const same =
          existing.absPath === row.absPath &&
          existing.durationSeconds === (row.durationSeconds ?? existing.durationSeconds) &&
          existing.sampleRate === (row.sampleRate ?? existing.sampleRate) &&
          existing.channels === (row.channels ?? existing.channels);
        if (!same) {
          sql(
            db,
            `UPDATE recordings SET abs_path = ?, duration_seconds = COALESCE(?, duration_seconds),
               sample_rate = COALESCE(?, sample_rate), channels = COALESCE(?, channels), updated_at = ? WHERE id = ?`,
          ).run(row.absPath, row.durationSeconds, row.sampleRate, row.channels, now, existing.id);
        }
        result.unchanged.push(getRecording(db, existing.id));
      }
    }
  });
  return result;
}

/** Records that a file could not be processed; the message names the reason. */
/**
 * Replaces a recording's content hash only while it is still `expected` (a placeholder written when
 * the file was listed before it was hashed): status, review and events stay as they are. Returns
 * whether it was replaced.
 */
export function replaceContentHash(db: Db, recordingId: number, expected: string, contentHash: string): boolean {
  const context = `recording ${recordingId}`;
  requireSha256(expected, context);
  requireSha256(contentHash, context);
  const { changes } = sql(db, 'UPDATE recordings SET content_hash = ? WHERE id = ? AND content_hash = ?').run(contentHash, recordingId, expected);
  return changes > 0;
}

export function markRecordingError(db: Db, recordingId: number, message: string): RecordingRow {
  getRecording(db, recordingId);
  requireText(message, 'message', `recording ${recordingId}`);
  sql(db, "UPDATE recordings SET status = 'error', error_message = ?, updated_at = ? WHERE id = ?").run(
    message,
    nowIso(),
    recordingId,
  );
  return getRecording(db, recordingId);
}
