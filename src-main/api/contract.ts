/**
 * The one Earmark service API, shared by the Electron main process, the preload, the
 * `earmark serve` HTTP host and the renderer. Every method's params and result are runtime
 * schemas (zod); the TypeScript types are inferred from them, never written twice.
 *
 * Rules every host follows:
 *  - params are parsed with `api[method].params` before the service sees them (unknown keys are
 *    rejected: all param objects are strict), so the service only receives well-typed values;
 *  - failures travel as an `ApiErrorBody` ({ code, message, details }) and are re-thrown on the
 *    client as `ApiError` (see ./errors);
 *  - times are seconds from the start of the recording (floats); ids are positive integers,
 *    except job ids which are strings;
 *  - paths in params that point into a project (export destination) are resolved against the
 *    project root and refused with 'forbidden-path' if they leave it; an export `folder` is one the
 *    user picked and may be anywhere.
 *
 * Wire formats: HTTP POST /api/<method> with a JSON body of params and `Authorization: Bearer
 * <token>` answers `{ "result": ... }` (200) or `{ "error": ApiErrorBody }` (4xx/5xx, status from
 * `apiErrorHttpStatus`); push events arrive as SSE `data:` lines (JSON ApiEvent) on
 * GET /api/events?token=<token>. Electron IPC ('earmark:call') resolves with an envelope
 * `{ ok: true, result } | { ok: false, error: ApiErrorBody }`; events arrive on 'earmark:event'.
 *
 * This file must stay importable in the browser: no Node imports. Names and limits the page needs at
 * start-up live in ./wire, without zod.
 */
import { z } from 'zod';
import { API_ERROR_CODES, API_METHOD_NAMES, ApiError, isApiMethod, LIMITS, type ApiErrorBody as WireErrorBody, type ApiEventType, type ApiMethodName } from './wire';

// Limits shared by the schemas (and by the service's own checks), in the zod-free ./wire.
export { LIMITS } from './wire';

// ---------------------------------------------------------------------------------------------
// Building blocks.
// ---------------------------------------------------------------------------------------------

/** A database row id. */
export const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** A background job id (opaque string). */
export const JobId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'job ids are letters, digits, - and _');
/** A time in seconds within a recording. */
export const Seconds = z.number().finite().min(0).max(LIMITS.maxSeconds);
/** A frequency in Hz (an event's band); the service also checks it against the recording's Nyquist frequency. */
export const Hertz = z.number().finite().min(0).max(1_000_000);
/** A probability / confidence. */
export const Confidence = z.number().finite().min(0).max(1);
export const PathString = z.string().min(1).max(LIMITS.pathLength).refine((s) => !s.includes('\0'), 'path contains a NUL byte');
export const Name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.nameLength)
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');
/** CSS hex colour, #rrggbb. */
export const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'colour must be #rrggbb');
/** Keyboard shortcut for a label: one lower-case letter or digit, or null for none. */
export const Shortcut = z.string().regex(/^[a-z0-9]$/, 'shortcut must be one letter or digit').nullable();
/** ISO 8601 timestamp. */
export const Timestamp = z.string();
const IdList = z.array(Id).max(LIMITS.maxIds);

// ---------------------------------------------------------------------------------------------
// Domain objects (results).
// ---------------------------------------------------------------------------------------------

/** not-run: never detected; detected: has a detection run; reviewed: a human marked it done. */
export const RecordingStatus = z.enum(['not-run', 'detected', 'reviewed']);
export type RecordingStatus = z.infer<typeof RecordingStatus>;

export const Project = z.object({
  id: Id,
  name: z.string(),
  /** Absolute path of the folder the project was opened from. */
  root: z.string(),
  createdAt: Timestamp,
  recordingCount: z.number().int().min(0),
  statusCounts: z.object({ 'not-run': z.number().int(), detected: z.number().int(), reviewed: z.number().int() }),
});
export type Project = z.infer<typeof Project>;

export const Recording = z.object({
  id: Id,
  projectId: Id,
  /** Path relative to the project root, '/'-separated (e.g. 'day1/rec_001.wav'). */
  path: z.string(),
  /** File name without folders. */
  name: z.string(),
  durationSeconds: z.number().min(0),
  sampleRate: z.number().int().min(0),
  channels: z.number().int().min(0),
  status: RecordingStatus,
  /** Events currently on the recording (predicted and human). */
  eventCount: z.number().int().min(0),
  /** Highest confidence of a predicted event, null if none. */
  maxConfidence: z.number().nullable(),
  /** Labels that occur on the recording. */
  labelIds: z.array(Id),
  /** Last detection or decode error for this file, null if none. */
  error: z.string().nullable(),
});
export type Recording = z.infer<typeof Recording>;

export const Label = z.object({
  id: Id,
  projectId: Id,
  name: z.string(),
  color: Color,
  shortcut: Shortcut,
  /** Live events that carry this label (filled in by labels.list). */
  eventCount: z.number().int().min(0).optional(),
});
export type Label = z.infer<typeof Label>;

/** predicted: made by a detector (it stays 'predicted' when a person adjusts it, which sets `verified`); human: drawn by a person. */
export const EventSource = z.enum(['predicted', 'human']);
export type EventSource = z.infer<typeof EventSource>;

export const SoundEventRow = z.object({
  id: Id,
  recordingId: Id,
  labelId: Id,
  onset: z.number(),
  offset: z.number(),
  /** Detector confidence in [0, 1]; null for events a person drew. */
  confidence: z.number().nullable(),
  source: EventSource,
  /** True once a person confirmed or edited the event (drawn differently from predictions). */
  verified: z.boolean(),
  /** Frequency band in Hz (a box on the spectrogram); both null when the event spans the whole spectrum. */
  lowFrequency: z.number().nullable(),
  highFrequency: z.number().nullable(),
  /** Increases by one on every edit of this event. */
  version: z.number().int().min(1),
  updatedAt: Timestamp,
});
export type SoundEventRow = z.infer<typeof SoundEventRow>;

/** Undo/redo availability for a project, returned with every edit so the UI stays in sync. */
export const EditState = z.object({
  projectId: Id,
  canUndo: z.boolean(),
  canRedo: z.boolean(),
  /** Human-readable description of what undo/redo would do, e.g. 'move event 12'. */
  undoDescription: z.string().nullable(),
  redoDescription: z.string().nullable(),
});
export type EditState = z.infer<typeof EditState>;

export const EditAction = z.enum(['create', 'update', 'delete', 'split', 'merge', 'detect', 'undo', 'redo']);
export const EventSnapshot = z.object({ labelId: Id, onset: z.number(), offset: z.number(), confidence: z.number().nullable(), source: EventSource, verified: z.boolean() });
export const HistoryEntry = z.object({
  eventId: Id,
  version: z.number().int(),
  action: EditAction,
  at: Timestamp,
  /** State before and after this change; null when the event did not exist (create) / no longer exists (delete). */
  before: EventSnapshot.nullable(),
  after: EventSnapshot.nullable(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const JobKind = z.enum(['detection', 'training']);
export const JobStatus = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export const JobFileError = z.object({ recordingId: Id.nullable(), path: z.string(), message: z.string() });
export const TrainingEpoch = z.object({
  epoch: z.number().int(),
  loss: z.number(),
  validationLoss: z.number().nullable(),
  /** Class-average error rate on the held-back files. */
  errorRate: z.number().nullable(),
  /** Class-average F-measure on the held-back files. */
  fMeasure: z.number().nullable().optional(),
  /** This epoch's weights are the best so far. */
  improved: z.boolean().optional(),
});
/** Class-average and per-class segment scores on held-back files. */
export const ScoreSummary = z.object({
  /** null where undefined (no reference event); F is undefined when nothing was detected. */
  errorRate: z.number().nullable(),
  fMeasure: z.number().nullable(),
  classWise: z.record(z.string(), z.object({ errorRate: z.number().nullable(), fMeasure: z.number().nullable() })),
});
export type ScoreSummary = z.infer<typeof ScoreSummary>;
/** What a finished fine-tuning produced (job.training.result). */
export const TrainingOutcome = z.object({
  runId: Id,
  modelId: Id,
  modelName: z.string(),
  /** False when an old class regressed on the held-back files: the model is kept but not made active. */
  active: z.boolean(),
  parentModelId: Id,
  /** On the held-back files: the parent as it was, and the new model with re-tuned thresholds. */
  before: ScoreSummary,
  after: ScoreSummary,
  trainFiles: z.number().int(),
  validationFiles: z.number().int(),
  addedClasses: z.array(z.string()),
  untrainedClasses: z.array(z.string()),
  regressedClasses: z.array(z.string()),
  bestEpoch: z.number().int(),
  seconds: z.number(),
});
export type TrainingOutcome = z.infer<typeof TrainingOutcome>;
/** Training-only job details. */
export const TrainingJobDetail = z.object({
  /** The training run's row id, once the material was recorded. */
  runId: Id.nullable(),
  /** Epochs asked for (the run may stop early). */
  epochs: z.number().int(),
  /** Warnings raised during the run (e.g. a class without positives). */
  warnings: z.array(z.string()),
  /** Why the reviewed material cannot train a model (fine-tuning refused), one line each. */
  problems: z.array(z.string()),
  result: TrainingOutcome.nullable(),
});
export type TrainingJobDetail = z.infer<typeof TrainingJobDetail>;
export const Job = z.object({
  id: JobId,
  kind: JobKind,
  projectId: Id,
  status: JobStatus,
  /** Units done / total (files for detection, steps for training); fraction in [0, 1]. */
  progress: z.object({ done: z.number().int().min(0), total: z.number().int().min(0), fraction: z.number().min(0).max(1) }),
  /** What is being worked on now (a file path, 'epoch 3/10'), null when idle. */
  current: z.string().nullable(),
  /** Per-file failures; the job goes on after a file fails. */
  errors: z.array(JobFileError),
  /** Per-file problems that did not stop the file (e.g. non-finite samples read as silence); absent when none. */
  warnings: z.array(JobFileError).optional(),
  /** Overall failure message when status is 'failed'. */
  message: z.string().nullable(),
  startedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  /** Training only: metrics per finished epoch (for the loss/ER plot). */
  epochs: z.array(TrainingEpoch),
  /** Training only: the model produced, once done. */
  resultModelId: Id.nullable(),
  /** Training only: run id, warnings, refusal reasons and the outcome. */
  training: TrainingJobDetail.nullable().optional(),
});
export type Job = z.infer<typeof Job>;
export type JobStatus = z.infer<typeof JobStatus>;

export const Model = z.object({
  id: Id,
  name: z.string(),
  /** 'bundled' for the default model shipped in resources/models, 'finetune' for models trained here. */
  origin: z.enum(['bundled', 'finetune']),
  classes: z.array(z.string()),
  active: z.boolean(),
  createdAt: Timestamp,
  parentId: Id.nullable(),
  /** Validation scores recorded when the model was made (e.g. { errorRate: 0.31, f1: 0.82 }). */
  scores: z.record(z.string(), z.number()),
  /** Fine-tuned models: scores on the held-back reviewed files, this model vs its parent. */
  evaluation: z
    .object({ heldBackFiles: z.number().int(), after: ScoreSummary, before: ScoreSummary.nullable() })
    .nullable()
    .optional(),
  /** Fine-tuned models: the training run that made it. */
  training: z
    .object({
      runId: Id,
      projectId: Id,
      /** Reviewed recordings the run used (training + held back), and their verified events. */
      recordings: z.number().int(),
      events: z.number().int(),
      trainFiles: z.number().int().nullable(),
      validationFiles: z.number().int().nullable(),
      epochs: z.number().int(),
      startedAt: Timestamp,
      endedAt: Timestamp.nullable(),
    })
    .nullable()
    .optional(),
});
export type Model = z.infer<typeof Model>;

/** pending: not judged yet; accepted: verified (also by relabelling or adjusting it); rejected: a false alarm, deleted. */
export const ReviewState = z.enum(['pending', 'accepted', 'rejected']);
export type ReviewState = z.infer<typeof ReviewState>;
/** uncertain: confidence nearest its class's threshold first; label: by label, then time; time: by file, then onset. */
export const ReviewOrder = z.enum(['uncertain', 'label', 'time']);
export type ReviewOrder = z.infer<typeof ReviewOrder>;
export const ReviewItem = z.object({
  event: SoundEventRow,
  /** The recording's path relative to the project root. */
  path: z.string(),
  state: ReviewState,
  /** The active model's threshold for the event's label (0.5 where the model has none). */
  threshold: z.number(),
});
export type ReviewItem = z.infer<typeof ReviewItem>;

export const ExportFormat = z.enum(['dcase', 'audacity', 'raven', 'csv', 'json']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const SpectrogramScale = z.enum(['mel', 'linear']);
export const SpectrogramFftSize = z
  .number()
  .int()
  .min(LIMITS.minSpectrogramFftSize)
  .max(LIMITS.maxSpectrogramFftSize)
  .refine((n) => (n & (n - 1)) === 0, 'fftSize must be a power of two');

// ---------------------------------------------------------------------------------------------
// Methods.
// ---------------------------------------------------------------------------------------------

const p = z.strictObject;
const EventMutation = z.object({ event: SoundEventRow, edits: EditState });

/** A band has both ends (numbers with low < high, or both null) or is not given at all. */
function bandIsWhole(v: { lowFrequency?: number | null; highFrequency?: number | null }): boolean {
  const { lowFrequency: low, highFrequency: high } = v;
  if (low === undefined || high === undefined) return low === high;
  if (low === null || high === null) return low === high;
  return low < high;
}
const bandMessage = { message: 'give lowFrequency and highFrequency together, low below high (both null clears the band)', path: ['highFrequency'] };

/** A file type a save dialog offers, e.g. { name: 'DCASE', extensions: ['txt'] } (extensions without the dot). */
export const DialogFileFilter = z.strictObject({
  name: Name,
  extensions: z.array(z.string().regex(/^[A-Za-z0-9]{1,16}$/, 'extensions are 1-16 letters or digits, without the dot')).min(1).max(16),
});
export type DialogFileFilter = z.infer<typeof DialogFileFilter>;
/** What a system dialog answered: the chosen absolute path, or null when the user cancelled. */
const ChosenPath = z.object({ path: z.string().min(1).nullable() });

export const api = {
  /** What is running: version, host kind, compute backend, active model, useful folders. */
  'app.info': {
    params: p({}),
    result: z.object({
      name: z.literal('Earmark'),
      version: z.string(),
      host: z.enum(['electron', 'browser']),
      /** Inference backend in use ('onnxruntime-cpu', 'tfjs-wasm', ...), null before first use. */
      backend: z.string().nullable(),
      model: z.object({ id: Id, name: z.string(), classes: z.array(z.string()) }).nullable(),
      /** Bundled example audio folder, null if not shipped. */
      examplesDir: z.string().nullable(),
      homeDir: z.string(),
      /** The folder of the project opened last (by the page or `serve --open-folder`), which the page reopens; null if none. */
      lastProjectRoot: z.string().nullable(),
      /** The host offers the system's folder and save dialogs (dialogs.chooseFolder, dialogs.chooseSaveFile). */
      nativeDialogs: z.boolean(),
    }),
  },

  /**
   * The system's folder picker, where the host has one (app.info.nativeDialogs); 'not-implemented'
   * elsewhere (in the browser the user types a path). `defaultPath` is where it opens.
   */
  'dialogs.chooseFolder': { params: p({ title: Name, defaultPath: PathString.optional() }), result: ChosenPath },
  /** The system's save dialog, where the host has one (app.info.nativeDialogs); 'not-implemented' elsewhere. */
  'dialogs.chooseSaveFile': {
    params: p({ title: Name, defaultPath: PathString, filters: z.array(DialogFileFilter).max(16).optional() }),
    result: ChosenPath,
  },

  /** Subfolders of a folder, for the folder browser (path absolute; default: home). */
  'folders.list': {
    params: p({ path: PathString.optional() }),
    result: z.object({
      path: z.string(),
      parent: z.string().nullable(),
      entries: z.array(z.object({ name: z.string(), path: z.string(), audioFiles: z.number().int().min(0) })),
      /** Audio files directly in `path`. */
      audioFiles: z.number().int().min(0),
    }),
  },

  /** Projects whose folder held audio when last scanned (the "Recent projects"). */
  'projects.list': { params: p({}), result: z.array(Project) },
  /** Opens (creating if needed) the project for a folder and scans it for audio files (recursively). */
  'projects.open': { params: p({ root: PathString }), result: Project },
  'projects.get': { params: p({ projectId: Id }), result: Project },

  'recordings.list': {
    params: p({
      projectId: Id,
      /** Only recordings in one of these statuses. */
      status: z.array(RecordingStatus).max(3).optional(),
      /** Only recordings with at least one event of this label. */
      labelId: Id.optional(),
      /** Only recordings with an event of at least this confidence (human events count as 1). */
      minConfidence: Confidence.optional(),
    }),
    result: z.array(Recording),
  },
  'recordings.get': { params: p({ recordingId: Id }), result: Recording },
  /**
   * Min/max peaks (mono mix, in [-1, 1]) over [start, end) at `peaksPerSecond`, computed by a
   * streaming decode on the server and cached. Use for the waveform; never decode in the renderer.
   */
  'recordings.peaks': {
    params: p({
      recordingId: Id,
      peaksPerSecond: z.number().finite().positive().max(LIMITS.maxPeaksPerSecond),
      start: Seconds.optional(),
      end: Seconds.optional(),
    }),
    result: z.object({
      recordingId: Id,
      peaksPerSecond: z.number(),
      start: z.number(),
      end: z.number(),
      durationSeconds: z.number(),
      min: z.array(z.number()),
      max: z.array(z.number()),
      /**
       * True when a long span of a file not yet read through is answered from short probes (a first
       * look, which can miss short events); asking again later gives exact peaks.
       */
      approximate: z.boolean(),
    }),
  },
  /**
   * Magnitude spectrogram tile for [start, end): `columns` time columns x `bins` frequency bins,
   * values quantised to 0..255 over [dbMin, dbMax] and sent base64-encoded, column-major
   * (byte index = column * bins + bin, bin 0 = lowest frequency).
   */
  'recordings.spectrogram': {
    params: p({
      recordingId: Id,
      start: Seconds,
      end: Seconds,
      scale: SpectrogramScale.default('mel'),
      columns: z.number().int().min(1).max(LIMITS.maxSpectrogramColumns).default(1024),
      bins: z.number().int().min(8).max(LIMITS.maxSpectrogramBins).default(128),
      /** Samples per FFT window, a power of two; omitted: chosen from the scale, bins and sample rate. */
      fftSize: SpectrogramFftSize.optional(),
      /** Frequency range drawn, Hz; omitted: 0 and the Nyquist frequency (a larger maxFrequency is cut to it). */
      minFrequency: Hertz.optional(),
      maxFrequency: Hertz.optional(),
    }).refine((v) => v.minFrequency === undefined || v.maxFrequency === undefined || v.minFrequency < v.maxFrequency, {
      message: 'minFrequency must be below maxFrequency',
      path: ['maxFrequency'],
    }),
    result: z.object({
      recordingId: Id,
      scale: SpectrogramScale,
      start: z.number(),
      end: z.number(),
      columns: z.number().int(),
      bins: z.number().int(),
      /** The FFT size used. */
      fftSize: z.number().int(),
      /** The frequency range the bins cover, Hz: bin 0's lower edge and the last bin's upper edge. */
      minFrequency: z.number(),
      maxFrequency: z.number(),
      /** Centre frequency of each bin, Hz. */
      frequencies: z.array(z.number()),
      dbMin: z.number(),
      dbMax: z.number(),
      data: z.string(),
    }),
  },
  /** A URL an <audio> element can play (seekable): `/media/<id>?token=...` (HTTP Range) in the browser, `earmark://media/<id>` in Electron. */
  'recordings.mediaUrl': { params: p({ recordingId: Id }), result: z.object({ url: z.string(), mimeType: z.string() }) },
  'recordings.setReviewed': { params: p({ recordingId: Id, reviewed: z.boolean() }), result: Recording },

  'labels.list': { params: p({ projectId: Id }), result: z.array(Label) },
  'labels.create': { params: p({ projectId: Id, name: Name, color: Color.optional(), shortcut: Shortcut.optional() }), result: Label },
  /** Renaming also renames the label's events (recorded in their history, not undoable); colours are kept in the database. */
  'labels.update': { params: p({ labelId: Id, name: Name.optional(), color: Color.optional(), shortcut: Shortcut.optional() }), result: Label },
  /**
   * Deletes a label. A label with events is refused ('conflict', details.eventCount) unless `events`
   * says what becomes of them: 'delete' them, or 'move' them to `moveToLabelId`.
   */
  'labels.delete': {
    params: p({ labelId: Id, events: z.enum(['delete', 'move']).optional(), moveToLabelId: Id.optional() }).refine(
      (v) => (v.events === 'move') === (v.moveToLabelId !== undefined),
      { message: "moveToLabelId goes with events: 'move', and only with it", path: ['moveToLabelId'] },
    ),
    result: z.object({ labelId: Id, eventCount: z.number().int(), recordingIds: z.array(Id), edits: EditState }),
  },

  'events.list': {
    params: p({ recordingId: Id, labelId: Id.optional(), minConfidence: Confidence.optional() }),
    result: z.array(SoundEventRow),
  },
  /** A person draws an event (source 'human', verified), optionally as a box with a frequency band (both ends). */
  'events.create': {
    params: p({ recordingId: Id, labelId: Id, onset: Seconds, offset: Seconds, lowFrequency: Hertz.optional(), highFrequency: Hertz.optional() })
      .refine((v) => v.onset < v.offset, { message: 'onset must be before offset', path: ['offset'] })
      .refine(bandIsWhole, bandMessage),
    result: EventMutation,
  },
  /**
   * Move, resize, relabel or verify an event; any change by a person marks it verified.
   * `lowFrequency` and `highFrequency` go together: numbers set the band, both null clear it.
   */
  'events.update': {
    params: p({
      eventId: Id,
      onset: Seconds.optional(),
      offset: Seconds.optional(),
      labelId: Id.optional(),
      verified: z.boolean().optional(),
      lowFrequency: Hertz.nullable().optional(),
      highFrequency: Hertz.nullable().optional(),
      /** If given, the update is refused with 'conflict' unless the event is still at this version. */
      expectedVersion: z.number().int().min(1).optional(),
    })
      .refine((v) => v.onset === undefined || v.offset === undefined || v.onset < v.offset, { message: 'onset must be before offset', path: ['offset'] })
      .refine(bandIsWhole, bandMessage),
    result: EventMutation,
  },
  'events.delete': { params: p({ eventId: Id }), result: z.object({ eventId: Id, edits: EditState }) },
  /** Splits an event at time `at` (strictly inside it) into two events with the same label. */
  'events.split': {
    params: p({ eventId: Id, at: Seconds }),
    result: z.object({ events: z.tuple([SoundEventRow, SoundEventRow]), edits: EditState }),
  },
  /** Merges events of one recording into one spanning them all, with the first event's label. */
  'events.merge': {
    params: p({ eventIds: z.array(Id).min(2).max(LIMITS.maxMerge) }),
    result: EventMutation,
  },
  /** Edit history of one event, or of every event of a recording; newest first. */
  'events.history': {
    params: p({ eventId: Id.optional(), recordingId: Id.optional(), limit: z.number().int().min(1).max(10_000).default(200) }).refine(
      (v) => (v.eventId === undefined) !== (v.recordingId === undefined),
      { message: 'give exactly one of eventId and recordingId' },
    ),
    result: z.array(HistoryEntry),
  },

  /** Every prediction of the project (live or rejected) in review order, with how many are judged. */
  'review.queue': {
    params: p({ projectId: Id, order: ReviewOrder.default('uncertain') }),
    result: z.object({ projectId: Id, order: ReviewOrder, total: z.number().int(), reviewed: z.number().int(), items: z.array(ReviewItem) }),
  },
  /** Accept (verify; brings back a rejected one) or reject (delete as a false alarm) a prediction; one undoable edit. */
  'review.decide': {
    params: p({ eventId: Id, decision: z.enum(['accept', 'reject']) }),
    result: z.object({ item: ReviewItem, edits: EditState }),
  },

  /** Undo / redo the last edit of a project (events only). `recordingIds` were touched: reload their events. */
  'edits.undo': { params: p({ projectId: Id }), result: z.object({ applied: z.boolean(), description: z.string().nullable(), recordingIds: z.array(Id), edits: EditState }) },
  'edits.redo': { params: p({ projectId: Id }), result: z.object({ applied: z.boolean(), description: z.string().nullable(), recordingIds: z.array(Id), edits: EditState }) },
  'edits.state': { params: p({ projectId: Id }), result: EditState },

  /**
   * Starts batch detection in the background. Default: every recording of the project not yet
   * detected; `force` re-detects the others too. Human-verified events are never replaced.
   */
  'detection.start': {
    params: p({
      projectId: Id,
      recordingIds: IdList.optional(),
      force: z.boolean().default(false),
      /** 'unreviewed': every recording not marked reviewed (re-detection after fine-tuning); overrides `force`. */
      scope: z.enum(['pending', 'unreviewed']).optional(),
      /** Detect with this model instead of the active one. */
      modelId: Id.optional(),
    }),
    result: z.object({ jobId: JobId }),
  },
  'detection.cancel': { params: p({ jobId: JobId }), result: Job },

  'jobs.get': { params: p({ jobId: JobId }), result: Job },
  'jobs.list': { params: p({ projectId: Id.optional(), activeOnly: z.boolean().default(false) }), result: z.array(Job) },

  'models.list': { params: p({}), result: z.array(Model) },
  'models.get': { params: p({ modelId: Id }), result: Model },
  /** Makes a model the one used for detection (roll back = activate an older one). */
  'models.activate': { params: p({ modelId: Id }), result: Model },

  /**
   * What fine-tuning would train on: reviewed recordings and verified events per class, and every
   * reason it would be refused (empty when it can start).
   */
  'training.material': {
    params: p({ projectId: Id, fromModelId: Id.optional() }),
    result: z.object({
      projectId: Id,
      reviewedFiles: z.number().int(),
      unreviewedFiles: z.number().int(),
      /** Reviewed files with no verified event (pure negatives). */
      emptyReviewedFiles: z.number().int(),
      /** Model the run would start from. */
      parent: z.object({ id: Id, name: z.string(), classes: z.array(z.string()) }).nullable(),
      /** One row per class of the parent plus labels only the material has (new classes). */
      classes: z.array(z.object({ label: z.string(), events: z.number().int(), files: z.number().int(), isNew: z.boolean() })),
      minReviewedFiles: z.number().int(),
      problems: z.array(z.string()),
      warnings: z.array(z.string()),
    }),
  },
  /**
   * Fine-tunes the active model (or `fromModelId`) on the project's reviewed recordings in a worker
   * thread, as a 'training' job: progress per epoch, `job.finished` with the new model. The new model
   * becomes active unless an old class regressed. One training job per project ('busy' otherwise).
   */
  'training.start': {
    params: p({ projectId: Id, fromModelId: Id.optional(), epochs: z.number().int().min(1).max(500).optional() }),
    result: z.object({ jobId: JobId }),
  },
  /** Stops a training job between batches; the previous model stays active and the run is marked cancelled. */
  'training.cancel': { params: p({ jobId: JobId }), result: Job },
  /** A project's training runs, newest first. */
  'training.runs': {
    params: p({ projectId: Id }),
    result: z.array(
      z.object({
        id: Id,
        status: z.enum(['running', 'completed', 'failed', 'cancelled']),
        parentModelId: Id.nullable(),
        resultModelId: Id.nullable(),
        startedAt: Timestamp,
        endedAt: Timestamp.nullable(),
        recordings: z.number().int(),
        events: z.number().int(),
        epochs: z.array(TrainingEpoch),
        errorMessage: z.string().nullable(),
      }),
    ),
  },

  /**
   * Exports events of a project (or of some recordings). Where it goes:
   *  - `folder`: any folder the user picks (absolute, or relative to the project root); the file is
   *    `fileName` there (default `annotations.<ext>`); Audacity and Raven write one file per recording
   *    instead, named after the recording's path (`day1/rec_a.wav` → `day1/rec_a.txt`, Raven
   *    `day1/rec_a.selections.txt`);
   *  - `destination`: a file inside the project folder (relative to its root, or absolute inside it;
   *    for Audacity and Raven a folder there), refused with 'forbidden-path' outside it;
   *  - neither: the text is returned (Audacity and Raven: one recording only).
   * Recordings that could not be decoded and have no events are left out and listed in `skipped`.
   * `verifiedOnly` keeps only human-verified events; the detector's confidence is written only with
   * `includeConfidence`; Raven selections without a frequency band span 0 Hz to Nyquist. Files are
   * written whole (temporary file, then rename); an existing file is replaced only with
   * `overwrite: true` ('conflict' otherwise, before anything is written), and never the project
   * database or an audio file ('forbidden-path').
   */
  'export.run': {
    params: p({
      projectId: Id,
      recordingIds: IdList.optional(),
      format: ExportFormat.default('dcase'),
      destination: PathString.optional(),
      folder: PathString.optional(),
      fileName: PathString.optional(),
      minConfidence: Confidence.optional(),
      verifiedOnly: z.boolean().default(false),
      includeConfidence: z.boolean().optional(),
      overwrite: z.boolean().default(false),
    })
      .refine((v) => v.folder === undefined || v.destination === undefined, 'give folder or destination, not both')
      .refine((v) => v.fileName === undefined || v.folder !== undefined, 'fileName goes with folder'),
    result: z.object({
      format: ExportFormat,
      text: z.string().nullable(),
      /** The file written, or the folder of per-recording files. */
      path: z.string().nullable(),
      /** Every file written. */
      files: z.array(z.string()),
      /** Recordings left out: they could not be decoded (and hold no events). */
      skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
      eventCount: z.number().int(),
      fileCount: z.number().int(),
    }),
  },
} as const;

export type Api = typeof api;
export type ApiMethod = keyof Api;
/** What the caller passes (defaults may be omitted). */
export type ApiParams<M extends ApiMethod> = z.input<Api[M]['params']>;
/** What the service receives after parsing (defaults filled in). */
export type ApiParsedParams<M extends ApiMethod> = z.output<Api[M]['params']>;
export type ApiResult<M extends ApiMethod> = z.output<Api[M]['result']>;

export const apiMethods: readonly ApiMethod[] = API_METHOD_NAMES;
export { isApiMethod };

/** True when A and B are the same union of names; the checks below fail to compile otherwise. */
type SameNames<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : false;
const methodNamesMatch: SameNames<ApiMethod, ApiMethodName> = true;

// ---------------------------------------------------------------------------------------------
// Push events (server -> renderer).
// ---------------------------------------------------------------------------------------------

export const ApiEvent = z.discriminatedUnion('type', [
  /** A detection or training job advanced (also sent once when it starts). */
  z.object({ type: z.literal('job.progress'), job: Job }),
  /** A job reached 'done', 'failed' or 'cancelled'. */
  z.object({ type: z.literal('job.finished'), job: Job }),
  /** A recording's status, counts or error changed (detection finished a file, reviewed, an edit). */
  z.object({ type: z.literal('recording.updated'), recording: Recording }),
  /** The events of a recording changed outside the caller's own request (detection, undo from another window). */
  z.object({ type: z.literal('events.changed'), projectId: Id, recordingId: Id }),
  /** The active model changed or a new model was added. */
  z.object({ type: z.literal('models.changed') }),
]);
export type ApiEvent = z.infer<typeof ApiEvent>;
const eventTypesMatch: SameNames<ApiEvent['type'], ApiEventType> = true;
void [methodNamesMatch, eventTypesMatch];
export type ApiEventListener = (event: ApiEvent) => void;

// ---------------------------------------------------------------------------------------------
// Errors.
// ---------------------------------------------------------------------------------------------

export const ApiErrorCode = z.enum(API_ERROR_CODES);
export type ApiErrorCode = z.infer<typeof ApiErrorCode>;

/** The wire form of an error (HTTP JSON body, IPC result). */
export const ApiErrorBody = z.object({ code: ApiErrorCode, message: z.string(), details: z.unknown().optional() });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export { apiErrorHttpStatus, ApiError } from './wire';
const errorBodiesMatch: SameNames<keyof ApiErrorBody, keyof WireErrorBody> = true;
void errorBodiesMatch;

/** Readable one-line summary of a zod error: "offset: onset must be before offset; labelId: expected number". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Parses params for a method; throws ApiError('invalid-params'|'unknown-method'). Used by every host. */
export function parseParams<M extends ApiMethod>(method: M, params: unknown): ApiParsedParams<M>;
export function parseParams(method: string, params: unknown): unknown;
export function parseParams(method: string, params: unknown): unknown {
  if (!isApiMethod(method)) throw new ApiError('unknown-method', `unknown API method "${String(method).slice(0, 100)}"`);
  const result = api[method].params.safeParse(params ?? {});
  if (!result.success) {
    throw new ApiError('invalid-params', `${method}: ${describeZodError(result.error)}`, { issues: result.error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String), message: i.message })) });
  }
  return result.data;
}
