/**
 * The parts of the API contract that the page needs as values at start-up, without zod: limits, method
 * and event names, and the error type. contract.ts builds its schemas on these and checks at compile
 * time that the names here are exactly its methods and events, so nothing is written twice unchecked.
 * The page evaluates this instead of the schemas (about half of its start-up script's time); the schemas
 * are loaded only where results and events are validated (outside production builds, and in the hosts).
 *
 * This file must stay importable in the browser: no Node imports, no zod.
 */

export const LIMITS = {
  /** Longest path accepted anywhere. */
  pathLength: 4096,
  /** Names of projects and labels. */
  nameLength: 120,
  /** Free-text fields (notes, descriptions). */
  textLength: 2000,
  /** Longest time value accepted, seconds (one week); the service also checks against the recording's duration. */
  maxSeconds: 7 * 24 * 3600,
  /** Most ids in one request (recording selections). */
  maxIds: 100_000,
  /** Most events merged at once. */
  maxMerge: 1000,
  /** Peaks per second of audio, and most peaks returned in one call. */
  maxPeaksPerSecond: 4000,
  maxPeaks: 2_000_000,
  /** Spectrogram tile size. */
  maxSpectrogramColumns: 4096,
  maxSpectrogramBins: 512,
  /** FFT sizes a spectrogram may ask for (powers of two in this range). */
  minSpectrogramFftSize: 256,
  maxSpectrogramFftSize: 4096,
  /** HTTP request body limit, bytes. */
  maxBodyBytes: 1024 * 1024,
} as const;

/** Every method of the API (contract.ts defines each one's schemas). */
export const API_METHOD_NAMES = [
  'app.info',
  'dialogs.chooseFolder',
  'dialogs.chooseSaveFile',
  'folders.list',
  'projects.list',
  'projects.open',
  'projects.get',
  'recordings.list',
  'recordings.get',
  'recordings.peaks',
  'recordings.spectrogram',
  'recordings.mediaUrl',
  'recordings.setReviewed',
  'labels.list',
  'labels.create',
  'labels.update',
  'labels.delete',
  'events.list',
  'events.create',
  'events.update',
  'events.delete',
  'events.split',
  'events.merge',
  'events.history',
  'review.queue',
  'review.decide',
  'edits.undo',
  'edits.redo',
  'edits.state',
  'detection.start',
  'detection.cancel',
  'jobs.get',
  'jobs.list',
  'models.list',
  'models.get',
  'models.activate',
  'training.material',
  'training.start',
  'training.cancel',
  'training.runs',
  'export.run',
] as const;
export type ApiMethodName = (typeof API_METHOD_NAMES)[number];

const methodNames: ReadonlySet<string> = new Set(API_METHOD_NAMES);

export function isApiMethod(name: unknown): name is ApiMethodName {
  return typeof name === 'string' && methodNames.has(name);
}

/** Every push event type (contract.ts defines each one's schema). */
export const API_EVENT_TYPES = ['job.progress', 'job.finished', 'recording.updated', 'events.changed', 'models.changed'] as const;
export type ApiEventType = (typeof API_EVENT_TYPES)[number];

const eventTypes: ReadonlySet<string> = new Set(API_EVENT_TYPES);

/** An object whose `type` is a push event type: the check a production page makes instead of the schema. */
export function hasApiEventType(raw: unknown): raw is { type: ApiEventType } {
  return typeof raw === 'object' && raw !== null && eventTypes.has((raw as { type?: unknown }).type as string);
}

export const API_ERROR_CODES = [
  'invalid-params',
  'unknown-method',
  'unauthorized',
  /** Request refused by a host check (bad Host/Origin header). */
  'forbidden',
  'forbidden-path',
  'not-found',
  'conflict',
  'payload-too-large',
  'unsupported-media',
  'not-implemented',
  'busy',
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** The wire form of an error (HTTP JSON body, IPC result). */
export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
  details?: unknown;
}

const errorCodes: ReadonlySet<string> = new Set(API_ERROR_CODES);

export function isApiErrorBody(raw: unknown): raw is ApiErrorBody {
  if (typeof raw !== 'object' || raw === null) return false;
  const body = raw as { code?: unknown; message?: unknown };
  return typeof body.code === 'string' && errorCodes.has(body.code) && typeof body.message === 'string';
}

/** HTTP status for each error code (IPC carries only the body). */
export const apiErrorHttpStatus: Record<ApiErrorCode, number> = {
  'invalid-params': 400,
  'unknown-method': 404,
  unauthorized: 401,
  forbidden: 403,
  'forbidden-path': 403,
  'not-found': 404,
  conflict: 409,
  'payload-too-large': 413,
  'unsupported-media': 415,
  'not-implemented': 501,
  busy: 409,
  internal: 500,
};

/** A typed API failure; thrown by the service, re-created on the client from the wire body. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly details: unknown;
  constructor(code: ApiErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }
  toBody(): ApiErrorBody {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
}
