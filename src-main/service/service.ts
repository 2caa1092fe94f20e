import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiError,
  LIMITS,
  parseParams,
  type ApiEvent,
  type ApiEventListener,
  type ApiMethod,
  type ApiParsedParams,
  type ApiResult,
  type EditState,
} from '../api/contract';
import { probeAudioFile } from '../engine/audio/decode';
import { hashFile, openStore, type EventRow, type LabelRow, type ProjectRow, type RecordingRow, type Store } from '../engine/store';
import type { DetectorFactory } from './detector';
import { toServiceError } from './errors';
import { findAudioFiles, isAudioFileName, mapLimit, mimeTypeFor } from './folder-scan';
import { JobRegistry } from './jobs';
import { SizedLru } from './lru';
import { BackgroundHasher, placeholderHash } from './deferred-hash';
import { runExport } from './export-run';
import { relativePosix } from './paths';
import { computePeaksInWorker } from '../engine/audio/peaks-in-worker';
import { warmUpDecoderFor } from '../engine/audio/source';
import { computePeaks, downsamplePeaks, FIRST_LOOK_PROBES, roundedArray, sampledPeaks, type PeakArrays } from './peaks';
import { bundledWarmUpFile, warmUpFirstLook } from './first-look-warm-up';
import { computeSpectrogram } from './spectrogram';
import type { EarmarkService, HostContext, MediaFile } from './types';
import { editStateView, eventView, historyView, labelView, projectView, recordingView, summarizeEvents } from './views';
import { runDetectionJob } from './detection-job';
import { recoverInterruptedRuns } from '../engine/finetune/recover';
import { createTrainingService, type TrainingDefaults } from './training';
import { DEFAULT_THRESHOLD, modelThresholds, orderQueue, reviewState } from './review-queue';

export interface ServiceOptions {
  /** SQLite file (created if missing). Ignored when `store` is given. */
  dbPath?: string;
  store?: Store;
  /** Folder with `models/` and `examples/` (default: the repository's `resources/`). */
  resourcesDir?: string | null;
  /** How detection jobs get a detector; default: the engine's detector for the model. */
  detectorFactory?: DetectorFactory;
  version?: string;
  homeDir?: string;
  /** Fine-tuning settings used by training.start (tests use small crops and no mixtures). */
  training?: TrainingDefaults;
  /**
   * A short FLAC given a throwaway first look a moment after the first request (a page is up), so that
   * the first recording the user opens does not pay the decoding path's first-use costs. Default: the
   * first FLAC of `<resourcesDir>/examples`; null: none.
   */
  warmUpFile?: string | null;
}

type Handlers = { [M in ApiMethod]: (params: ApiParsedParams<M>) => Promise<ApiResult<M>> | ApiResult<M> };

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULT_CLASSES = ['babycry', 'glassbreak', 'gunshot'];
const PALETTE = ['#e6550d', '#3182bd', '#31a354', '#9e4fd1', '#d6336c', '#0c8599', '#e8a317', '#5c7cfa', '#2b8a3e', '#c2255c'];
/** Peaks kept per second for every file; coarser requests are binned down from these. */
const BASE_PEAKS_PER_SECOND = 200;
const MAX_SPECTROGRAM_SPAN_SECONDS = 24 * 3600;
/** Longer spans than this, before the file's base peaks exist, are answered from probes (approximate). */
const EXACT_PEAKS_SPAN_SECONDS = 120;
/** How long after a first look (probes) the whole-file peaks pass starts. */
const BASE_PEAKS_DELAY_MS = 1500;
/** How long after a folder is opened its new files start being hashed (after the first file is drawn). */
const HASH_START_DELAY_MS = 2000;
/**
 * How long after the first request (a page or window has come up and asked for something) the first-look
 * warm-up runs: after that page has built its first screen, which it would otherwise compete with for the CPU
 * (on 2 cores, the page's longest start-up task went from about 90 to 230-290 ms in 2 of 8 loads).
 */
const WARM_UP_DELAY_MS = 1000;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Loaded on first detection so that opening the studio never waits for the inference stack. */
async function defaultDetectorFactory(): Promise<DetectorFactory> {
  try {
    const { engineDetectorFactory } = await import('./engine-detector');
    return engineDetectorFactory;
  } catch (error) {
    throw new ApiError('not-implemented', `the detection engine could not be loaded: ${(error as Error).message}`);
  }
}

/** Builds the service over a store. Every host (HTTP, Electron) calls `call(method, params)`. */
export async function createService(options: ServiceOptions, host: HostContext): Promise<EarmarkService> {
  const store = options.store ?? openStore(options.dbPath ?? ':memory:');
  const ownsStore = !options.store;
  const resourcesDir = options.resourcesDir === undefined ? path.join(PACKAGE_ROOT, 'resources') : options.resourcesDir;
  const bundledModelsDir = resourcesDir ? path.join(resourcesDir, 'models') : null;
  const version = options.version ?? packageVersion();
  const homeDir = options.homeDir ?? os.homedir();
  const listeners = new Set<ApiEventListener>();
  const publish = (event: ApiEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        /* a broken listener must not break the service */
      }
    }
  };
  const jobs = new JobRegistry(publish);
  const peakCache = new SizedLru<string, PeakArrays>(256 * 1024 * 1024);
  const tileCache = new SizedLru<string, ApiResult<'recordings.spectrogram'>>(64 * 1024 * 1024);
  /**
   * New files are listed with a placeholder hash and hashed in the background, so opening a folder
   * does not wait for every byte of it. Caches stay keyed by the placeholder (the same bytes) after
   * the real hash replaces it.
   */
  const hasher = new BackgroundHasher((file, error) => console.warn(`earmark: cannot hash ${file}: ${(error as Error)?.message ?? String(error)}`), HASH_START_DELAY_MS);
  const placeholderOf = new Map<string, string>();
  const cacheIdentity = (recording: RecordingRow): string => `${recording.id}:${placeholderOf.get(recording.contentHash) ?? recording.contentHash}`;
  let backend: string | null = null;
  const running = new Set<Promise<unknown>>();

  registerBundledModels(store, bundledModelsDir);
  // A fine-tuning killed with the app left its run 'running': close it, the previous model stayed active.
  recoverInterruptedRuns(store);
  const training = createTrainingService({
    store,
    jobs,
    publish,
    bundledModelsDir,
    defaults: options.training,
    track: (task) => {
      running.add(task);
      void task.finally(() => running.delete(task));
    },
  });

  // ---------------------------------------------------------------- labels
  function labelSetId(projectId: number): number {
    const sets = store.listLabelSets(projectId);
    return sets.length > 0 ? sets[0].id : store.createLabelSet(projectId, 'Default').id;
  }
  function projectLabels(projectId: number): LabelRow[] {
    return store.listLabels(labelSetId(projectId));
  }
  function ensureLabel(projectId: number, name: string): LabelRow {
    const labels = projectLabels(projectId);
    const found = labels.find((l) => l.name === name);
    if (found) return found;
    const used = new Set(labels.map((l) => l.keyShortcut));
    const shortcut = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].find((k) => !used.has(k)) ?? null;
    return store.addLabel(labelSetId(projectId), { name, colour: PALETTE[labels.length % PALETTE.length], keyShortcut: shortcut });
  }
  /** name -> id for a project, creating labels that events use but the label set lacks. */
  function labelIdLookup(projectId: number): (name: string) => number {
    const map = new Map(projectLabels(projectId).map((l) => [l.name, l.id]));
    return (name) => {
      let id = map.get(name);
      if (id === undefined) {
        id = ensureLabel(projectId, name).id;
        map.set(name, id);
      }
      return id;
    };
  }
  function labelById(labelId: number, projectId: number): LabelRow {
    const label = projectLabels(projectId).find((l) => l.id === labelId);
    if (!label) throw new ApiError('not-found', `label ${labelId} is not a label of project ${projectId}`);
    return label;
  }
  /** Label names are classes and DCASE cells: unique within a project regardless of case. */
  function refuseNameClash(projectId: number, name: string, selfId: number | null): void {
    const clash = projectLabels(projectId).find((l) => l.id !== selfId && l.name.toLowerCase() === name.toLowerCase());
    if (clash) throw new ApiError('conflict', `label "${clash.name}" already exists in this project`);
  }
  function labelChanged(projectId: number, recordingIds: readonly number[]): void {
    for (const id of recordingIds) {
      publish({ type: 'events.changed', projectId, recordingId: id });
      recordingChanged(id);
    }
  }
  function projectOfLabel(labelId: number): number {
    for (const project of store.listProjects()) {
      if (projectLabels(project.id).some((l) => l.id === labelId)) return project.id;
    }
    throw new ApiError('not-found', `label ${labelId} not found`);
  }

  // ---------------------------------------------------------------- views
  function recordingOut(row: RecordingRow): ApiResult<'recordings.get'> {
    const events = store.listEvents({ recordingId: row.id });
    return recordingView(row, summarizeEvents(events).get(row.id), labelIdLookup(row.projectId));
  }
  function projectOut(projectId: number): ApiResult<'projects.get'> {
    return projectView(store.getProject(projectId), store.listRecordings(projectId));
  }
  function eventOut(row: EventRow, projectId: number): ApiResult<'events.list'>[number] {
    return eventView(row, labelIdLookup(projectId)(row.label));
  }
  function reviewItemOut(row: EventRow, relPath: string, projectId: number, thresholds: Record<string, number>): ApiResult<'review.queue'>['items'][number] {
    return { event: eventOut(row, projectId), path: relPath, state: reviewState(row), threshold: thresholds[row.label] ?? DEFAULT_THRESHOLD };
  }
  function reviewQueue(projectId: number, order: ApiParsedParams<'review.queue'>['order']): ApiResult<'review.queue'> {
    const thresholds = modelThresholds(store.getActiveModel()?.dirPath);
    const items = store.reviewQueueEvents(projectId).map(({ event, relPath }) => reviewItemOut(event, relPath, projectId, thresholds));
    const rank = new Map(projectLabels(projectId).map((l, i) => [l.id, i]));
    const ordered = orderQueue(items, order, (id) => rank.get(id) ?? rank.size);
    return { projectId, order, total: items.length, reviewed: items.filter((i) => i.state !== 'pending').length, items: ordered };
  }
  function editState(projectId: number): EditState {
    return editStateView(projectId, store.undoRedoState(projectId));
  }
  function eventWithProject(eventId: number): { event: EventRow; recording: RecordingRow } {
    const event = findLiveEvent(eventId);
    if (!event) throw new ApiError('not-found', `event ${eventId} not found (or deleted)`);
    return { event, recording: store.getRecording(event.recordingId) };
  }
  function findLiveEvent(eventId: number): EventRow | undefined {
    const history = store.eventHistory(eventId);
    const last = history[history.length - 1];
    if (!last || last.snapshot.deleted) return undefined;
    return store.listEvents({ recordingId: last.snapshot.recordingId }).find((e) => e.id === eventId);
  }
  function recordingChanged(recordingId: number): void {
    const row = store.getRecording(recordingId);
    publish({ type: 'recording.updated', recording: recordingOut(row) });
  }
  function checkTimesWithin(recording: RecordingRow, ...times: number[]): void {
    const duration = recording.durationSeconds;
    if (duration === null) return;
    for (const t of times) {
      if (t > duration + 1e-3) throw new ApiError('invalid-params', `time ${t} s is past the end of ${recording.relPath} (${duration} s)`);
    }
  }

  // ---------------------------------------------------------------- projects
  function lastOpenedProject(): ProjectRow | undefined {
    const openedAt = (p: ProjectRow) => (typeof p.settings.lastOpenedAt === 'string' ? p.settings.lastOpenedAt : '');
    return store.listProjects().reduce<ProjectRow | undefined>((last, p) => (openedAt(p) && (!last || openedAt(p) > openedAt(last)) ? p : last), undefined);
  }

  async function openProject(rootParam: string): Promise<ApiResult<'projects.open'>> {
    if (!path.isAbsolute(rootParam)) throw new ApiError('invalid-params', `"${rootParam.slice(0, 200)}" is not a full folder path: type an absolute path, such as /home/me/recordings`);
    const root = path.resolve(rootParam);
    const info = await stat(root).catch(() => null);
    if (!info) throw new ApiError('not-found', `folder ${root} does not exist`);
    if (!info.isDirectory()) throw new ApiError('invalid-params', `${root} is not a folder`);
    let project = store.listProjects().find((p) => p.rootDir === root);
    if (!project) project = store.createProject({ name: path.basename(root) || root, rootDir: root });
    const projectId = project.id;
    const active = store.getActiveModel();
    for (const name of active?.classes ?? DEFAULT_CLASSES) ensureLabel(projectId, name);
    const files = await findAudioFiles(root);
    // A file of this folder is drawn next: its decoder compiles while the folder is scanned.
    for (const file of files) void warmUpDecoderFor(file).catch(() => undefined);
    // A folder without audio is not a project to come back to: neither reopened at start nor listed as recent.
    if (files.length) store.updateProjectSettings(projectId, { ...project.settings, lastOpenedAt: new Date().toISOString() });
    const known = new Map(store.listRecordings(projectId).map((r) => [r.relPath, r]));
    const scanned = await mapLimit(files, 4, async (file) => {
      const relPath = relativePosix(root, file);
      const info = await stat(file);
      const placeholder = placeholderHash(file, info.size, info.mtimeMs);
      // A known file is hashed now, to see whether it changed; a new one (or one still waiting for its hash) later.
      const previous = known.get(relPath);
      const deferred = !previous || previous.contentHash === placeholder;
      const contentHash = deferred ? placeholder : await hashFile(file);
      try {
        const header = await probeAudioFile(file);
        const row = { relPath, absPath: file, contentHash, durationSeconds: header.duration > 0 ? header.duration : null, sampleRate: header.sampleRate, channels: header.channels };
        return { row, error: null, deferred };
      } catch (error) {
        return { row: { relPath, absPath: file, contentHash }, error: (error as Error).message, deferred };
      }
    });
    const result = store.upsertRecordings(projectId, scanned.map((s) => s.row));
    const byPath = new Map([...result.inserted, ...result.changed, ...result.unchanged].map((r) => [r.relPath, r]));
    for (const s of scanned) {
      const row = byPath.get(s.row.relPath);
      if (s.error && row && row.errorMessage !== s.error) store.markRecordingError(row.id, s.error);
      if (s.deferred && row) {
        const placeholder = s.row.contentHash;
        hasher.add(row.absPath, (contentHash) => {
          placeholderOf.set(contentHash, placeholder);
          store.replaceContentHash(row.id, placeholder, contentHash);
        });
      }
    }
    for (const r of result.changed) {
      peakCache.deleteWhere((k) => k.startsWith(`${r.id}:`));
      tileCache.deleteWhere((k) => k.startsWith(`${r.id}:`));
    }
    return projectOut(projectId);
  }

  async function listFolders(requested: string | undefined): Promise<ApiResult<'folders.list'>> {
    const dir = path.resolve(requested ?? homeDir);
    if (requested !== undefined && !path.isAbsolute(requested)) throw new ApiError('invalid-params', 'folders.list: path must be absolute');
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      throw new ApiError(error.code === 'ENOENT' ? 'not-found' : 'invalid-params', `cannot list ${dir}: ${error.code ?? error.message}`);
    });
    const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name)).slice(0, 2000);
    const out = await mapLimit(folders, 8, async (e) => {
      const full = path.join(dir, e.name);
      const inner = await readdir(full, { withFileTypes: true }).catch(() => []);
      return { name: e.name, path: full, audioFiles: inner.filter((f) => f.isFile() && isAudioFileName(f.name)).length };
    });
    const parent = path.dirname(dir);
    return { path: dir, parent: parent === dir ? null : parent, entries: out, audioFiles: entries.filter((f) => f.isFile() && isAudioFileName(f.name)).length };
  }

  // ---------------------------------------------------------------- recordings
  function recordingsOf(projectId: number, recordingIds: readonly number[] | undefined): RecordingRow[] {
    const all = store.listRecordings(projectId);
    if (!recordingIds) return all;
    const byId = new Map(all.map((r) => [r.id, r]));
    return [...new Set(recordingIds)].map((id) => {
      const row = byId.get(id);
      if (!row) throw new ApiError('not-found', `recording ${id} is not in project ${projectId}`);
      return row;
    });
  }

  function timeRange(recording: RecordingRow, start: number | undefined, end: number | undefined): { start: number; end: number; duration: number } {
    const duration = recording.durationSeconds ?? 0;
    const s = start ?? 0;
    const e = Math.min(end ?? duration, duration);
    if (s > duration) throw new ApiError('invalid-params', `start ${s} s is past the end of ${recording.relPath} (${duration} s)`);
    if (e < s) throw new ApiError('invalid-params', `end ${end} s is before start ${s} s`);
    return { start: s, end: e, duration };
  }

  const basePeaksRunning = new Map<string, Promise<PeakArrays>>();
  const basePeaksTimers = new Set<ReturnType<typeof setTimeout>>();

  /** Aborted by the first peaks or spectrogram request: the warm-up then stops, or never starts. */
  const warmUpStop = new AbortController();
  let warmingUp: Promise<void> | null = null;
  let warmUpTimer: ReturnType<typeof setTimeout> | null = null;
  /** Arms the warm-up once, at the first request. */
  function armWarmUp(): void {
    if (warmUpTimer || options.warmUpFile === null) return;
    warmUpTimer = setTimeout(() => {
      // The examples folder is listed here, not at start: start-up does no file I/O for this.
      const warmUpFile = options.warmUpFile ?? bundledWarmUpFile(resourcesDir);
      if (!warmUpFile || warmUpStop.signal.aborted) return;
      warmingUp = warmUpFirstLook(warmUpFile, warmUpStop.signal).catch((error: unknown) => {
        if (!warmUpStop.signal.aborted) console.warn(`earmark: first-look warm-up on ${warmUpFile}: ${(error as Error)?.message ?? String(error)}`);
      });
    }, WARM_UP_DELAY_MS);
    warmUpTimer.unref();
  }

  /** The file's base peaks (one streaming pass, shared by concurrent callers), then from the cache. */
  function basePeaks(recording: RecordingRow): Promise<PeakArrays> {
    const key = cacheIdentity(recording);
    const cached = peakCache.get(key);
    if (cached) return Promise.resolve(cached);
    let running = basePeaksRunning.get(key);
    if (!running) {
      running = computePeaksInWorker(recording.absPath, BASE_PEAKS_PER_SECOND).then((peaks) => {
        peakCache.set(key, peaks, peaks.min.byteLength * 2);
        return peaks;
      });
      basePeaksRunning.set(key, running);
      void running.catch(() => undefined).finally(() => basePeaksRunning.delete(key));
    }
    return running;
  }

  /**
   * Peaks for a span: from the base peaks when they are in, else by decoding just the span when it
   * is short; a long span of a file not yet passed over is answered at once from probes (marked
   * approximate) while the base pass runs in the background.
   */
  async function spanPeaks(recording: RecordingRow, peaksPerSecond: number, start: number, end: number): Promise<{ arrays: PeakArrays; approximate: boolean }> {
    if (peaksPerSecond > BASE_PEAKS_PER_SECOND) return { arrays: await computePeaks(recording.absPath, peaksPerSecond, start, end), approximate: false };
    const cached = peakCache.get(cacheIdentity(recording));
    if (cached) return { arrays: downsamplePeaks(cached, peaksPerSecond, start, end), approximate: false };
    if (end - start <= EXACT_PEAKS_SPAN_SECONDS) return { arrays: await computePeaks(recording.absPath, peaksPerSecond, start, end), approximate: false };
    const arrays = await sampledPeaks(recording.absPath, peaksPerSecond, start, end, FIRST_LOOK_PROBES.seconds, FIRST_LOOK_PROBES.count);
    // The whole-file pass starts once the first look is out, a moment later, so that it does not
    // compete for the CPU with the first draw's own requests (this answer, the first spectrogram).
    const timer = setTimeout(() => {
      basePeaksTimers.delete(timer);
      void basePeaks(recording).catch(() => undefined);
    }, BASE_PEAKS_DELAY_MS);
    basePeaksTimers.add(timer);
    return { arrays, approximate: true };
  }

  async function peaks(params: ApiParsedParams<'recordings.peaks'>): Promise<ApiResult<'recordings.peaks'>> {
    warmUpStop.abort();
    const recording = store.getRecording(params.recordingId);
    const { start, end, duration } = timeRange(recording, params.start, params.end);
    const count = Math.ceil((end - start) * params.peaksPerSecond);
    if (count > LIMITS.maxPeaks) throw new ApiError('invalid-params', `${count} peaks requested; at most ${LIMITS.maxPeaks} per call (lower peaksPerSecond or narrow start/end)`);
    const { arrays, approximate } = await spanPeaks(recording, params.peaksPerSecond, start, end);
    return { recordingId: recording.id, peaksPerSecond: params.peaksPerSecond, start, end, durationSeconds: duration, min: roundedArray(arrays.min), max: roundedArray(arrays.max), approximate };
  }

  async function spectrogram(params: ApiParsedParams<'recordings.spectrogram'>): Promise<ApiResult<'recordings.spectrogram'>> {
    warmUpStop.abort();
    const recording = store.getRecording(params.recordingId);
    const duration = recording.durationSeconds ?? 0;
    if (!(params.start < params.end)) throw new ApiError('invalid-params', 'recordings.spectrogram: start must be before end');
    if (params.start >= duration) throw new ApiError('invalid-params', `start ${params.start} s is past the end of ${recording.relPath} (${duration} s)`);
    if (params.end - params.start > MAX_SPECTROGRAM_SPAN_SECONDS) throw new ApiError('invalid-params', 'recordings.spectrogram: range longer than 24 h');
    const nyquist = (recording.sampleRate ?? 0) / 2;
    if (params.minFrequency !== undefined && nyquist > 0 && params.minFrequency >= nyquist) {
      throw new ApiError('invalid-params', `minFrequency ${params.minFrequency} Hz is at or above the Nyquist frequency of ${recording.relPath} (${nyquist} Hz)`);
    }
    const key = [cacheIdentity(recording), params.scale, params.start, params.end, params.columns, params.bins, params.fftSize, params.minFrequency, params.maxFrequency].join(':');
    const cached = tileCache.get(key);
    if (cached) return cached;
    const tile = await computeSpectrogram(recording.absPath, params);
    const result = {
      recordingId: recording.id,
      scale: params.scale,
      start: params.start,
      end: params.end,
      columns: tile.columns,
      bins: tile.bins,
      fftSize: tile.fftSize,
      minFrequency: tile.minFrequency,
      maxFrequency: tile.maxFrequency,
      frequencies: tile.frequencies,
      dbMin: tile.dbMin,
      dbMax: tile.dbMax,
      data: Buffer.from(tile.data.buffer, tile.data.byteOffset, tile.data.byteLength).toString('base64'),
    };
    tileCache.set(key, result, result.data.length + 64);
    return result;
  }

  // ---------------------------------------------------------------- export
  async function exportRun(params: ApiParsedParams<'export.run'>): Promise<ApiResult<'export.run'>> {
    const project = store.getProject(params.projectId);
    return runExport(params, {
      root: project.rootDir,
      recordings: recordingsOf(project.id, params.recordingIds),
      events: store.listEvents({ projectId: project.id, ...(params.minConfidence !== undefined ? { minConfidence: params.minConfidence } : {}) }),
      protectedFiles: { dbPath: store.db.memory ? null : store.db.name, audioPaths: store.listRecordings(project.id).map((r) => r.absPath) },
    });
  }

  // ---------------------------------------------------------------- undo / redo
  function undoRedo(projectId: number, direction: 'undo' | 'redo'): ApiResult<'edits.undo'> {
    const result = direction === 'undo' ? store.undo(projectId) : store.redo(projectId);
    if (!result) return { applied: false, description: null, recordingIds: [], edits: editState(projectId) };
    const recordingIds = new Set<number>();
    for (const eventId of result.changedEventIds) {
      const history = store.eventHistory(eventId);
      const last = history[history.length - 1];
      if (last) recordingIds.add(last.snapshot.recordingId);
    }
    const stateRows = store.db.prepare('SELECT recording_id FROM edit_recording_states WHERE edit_id = ?').all(result.writtenEditId) as { recording_id: number }[];
    for (const row of stateRows) recordingIds.add(row.recording_id);
    const ids = [...recordingIds].sort((a, b) => a - b);
    for (const id of ids) {
      publish({ type: 'events.changed', projectId, recordingId: id });
      recordingChanged(id);
    }
    return { applied: true, description: result.edit.description, recordingIds: ids, edits: editState(projectId) };
  }

  // ---------------------------------------------------------------- handlers
  const handlers: Handlers = {
    'app.info': () => {
      const model = store.getActiveModel();
      return {
        name: 'Earmark',
        version,
        host: host.host,
        backend,
        model: model ? { id: model.id, name: model.name, classes: model.classes } : null,
        examplesDir: resourcesDir && existsSync(path.join(resourcesDir, 'examples')) ? path.join(resourcesDir, 'examples') : null,
        homeDir,
        lastProjectRoot: lastOpenedProject()?.rootDir ?? null,
        nativeDialogs: host.chooseFolder !== undefined && host.chooseSaveFile !== undefined,
      };
    },
    'dialogs.chooseFolder': (p) => askSystemDialog(host.chooseFolder?.bind(host), p),
    'dialogs.chooseSaveFile': (p) => askSystemDialog(host.chooseSaveFile?.bind(host), p),
    'folders.list': (p) => listFolders(p.path),
    'projects.list': () => store.listProjects().map((p) => projectOut(p.id)).filter((p) => p.recordingCount > 0),
    'projects.open': (p) => openProject(p.root),
    'projects.get': (p) => projectOut(p.projectId),

    'recordings.list': (p) => {
      store.getProject(p.projectId);
      const rows = store.listRecordings(p.projectId);
      const summaries = summarizeEvents(store.listEvents({ projectId: p.projectId }));
      const lookup = labelIdLookup(p.projectId);
      const wantLabel = p.labelId !== undefined ? labelById(p.labelId, p.projectId).name : undefined;
      const events = wantLabel !== undefined || p.minConfidence !== undefined ? store.listEvents({ projectId: p.projectId }) : [];
      const matching = new Set(
        events
          .filter((e) => (wantLabel === undefined || e.label === wantLabel) && (p.minConfidence === undefined || (e.confidence ?? 1) >= p.minConfidence))
          .map((e) => e.recordingId),
      );
      return rows
        .map((r) => recordingView(r, summaries.get(r.id), lookup))
        .filter((r) => (!p.status || p.status.includes(r.status)) && (events.length === 0 && wantLabel === undefined && p.minConfidence === undefined ? true : matching.has(r.id)));
    },
    'recordings.get': (p) => recordingOut(store.getRecording(p.recordingId)),
    'recordings.peaks': (p) => peaks(p),
    'recordings.spectrogram': (p) => spectrogram(p),
    'recordings.mediaUrl': (p) => {
      const recording = store.getRecording(p.recordingId);
      return { url: host.mediaUrl(recording.id), mimeType: mimeTypeFor(recording.absPath) };
    },
    'recordings.setReviewed': (p) => {
      const row = store.markReviewed(p.recordingId, p.reviewed);
      publish({ type: 'events.changed', projectId: row.projectId, recordingId: row.id });
      const out = recordingOut(row);
      publish({ type: 'recording.updated', recording: out });
      return out;
    },

    'labels.list': (p) => {
      store.getProject(p.projectId);
      const counts = new Map<string, number>();
      for (const e of store.listEvents({ projectId: p.projectId })) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
      return projectLabels(p.projectId).map((l) => ({ ...labelView(l, p.projectId), eventCount: counts.get(l.name) ?? 0 }));
    },
    'labels.create': (p) => {
      store.getProject(p.projectId);
      const labels = projectLabels(p.projectId);
      refuseNameClash(p.projectId, p.name, null);
      if (p.shortcut && labels.some((l) => l.keyShortcut === p.shortcut)) throw new ApiError('conflict', `shortcut "${p.shortcut}" is already used by another label`);
      const row = store.addLabel(labelSetId(p.projectId), { name: p.name, colour: p.color ?? PALETTE[labels.length % PALETTE.length], keyShortcut: p.shortcut ?? null });
      return labelView(row, p.projectId);
    },
    'labels.update': (p) => {
      const projectId = projectOfLabel(p.labelId);
      const label = labelById(p.labelId, projectId);
      if (p.shortcut && projectLabels(projectId).some((l) => l.id !== label.id && l.keyShortcut === p.shortcut)) {
        throw new ApiError('conflict', `shortcut "${p.shortcut}" is already used by another label`);
      }
      if (p.name !== undefined && p.name !== label.name) {
        refuseNameClash(projectId, p.name, label.id);
        labelChanged(projectId, store.renameLabel(label.id, p.name).recordingIds);
      }
      const row = store.updateLabel(p.labelId, {
        ...(p.color !== undefined ? { colour: p.color } : {}),
        ...(p.shortcut !== undefined ? { keyShortcut: p.shortcut } : {}),
      });
      return labelView(row, projectId);
    },

    'labels.delete': (p) => {
      const projectId = projectOfLabel(p.labelId);
      const label = labelById(p.labelId, projectId);
      const used = store.listEvents({ projectId, label: label.name }).length;
      if (used > 0 && p.events === undefined) {
        throw new ApiError('conflict', `label "${label.name}" is used by ${used} event(s): say whether to delete them or move them to another label`, { eventCount: used });
      }
      if (p.moveToLabelId !== undefined) labelById(p.moveToLabelId, projectId);
      const fate = p.moveToLabelId !== undefined ? { kind: 'move' as const, toLabelId: p.moveToLabelId } : { kind: 'delete' as const };
      const result = store.deleteLabel(label.id, fate);
      labelChanged(projectId, result.recordingIds);
      return { labelId: label.id, eventCount: result.eventCount, recordingIds: result.recordingIds, edits: editState(projectId) };
    },

    'review.queue': (p) => {
      store.getProject(p.projectId);
      return reviewQueue(p.projectId, p.order);
    },
    'review.decide': (p) => {
      const row = store.decideEvent(p.eventId, p.decision);
      const recording = store.getRecording(row.recordingId);
      recordingChanged(recording.id);
      const thresholds = modelThresholds(store.getActiveModel()?.dirPath);
      return { item: reviewItemOut(row, recording.relPath, recording.projectId, thresholds), edits: editState(recording.projectId) };
    },

    'events.list': (p) => {
      const recording = store.getRecording(p.recordingId);
      const label = p.labelId !== undefined ? labelById(p.labelId, recording.projectId).name : undefined;
      return store
        .listEvents({ recordingId: recording.id, ...(label !== undefined ? { label } : {}), ...(p.minConfidence !== undefined ? { minConfidence: p.minConfidence } : {}) })
        .map((e) => eventOut(e, recording.projectId));
    },
    'events.create': (p) => {
      const recording = store.getRecording(p.recordingId);
      const label = labelById(p.labelId, recording.projectId);
      checkTimesWithin(recording, p.onset, p.offset);
      const band = p.lowFrequency !== undefined ? { lowFrequency: p.lowFrequency, highFrequency: p.highFrequency } : {};
      const [row] = store.createEvents([{ recordingId: recording.id, label: label.name, onset: p.onset, offset: p.offset, source: 'human', ...band }], { description: `Add ${label.name} event` });
      recordingChanged(recording.id);
      return { event: eventOut(row, recording.projectId), edits: editState(recording.projectId) };
    },
    'events.update': (p) => {
      const { event, recording } = eventWithProject(p.eventId);
      if (p.expectedVersion !== undefined && p.expectedVersion !== event.version) {
        throw new ApiError('conflict', `event ${event.id} is at version ${event.version}, not ${p.expectedVersion}; reload it`, { version: event.version });
      }
      const onset = p.onset ?? event.onset;
      const offset = p.offset ?? event.offset;
      if (!(onset < offset)) throw new ApiError('invalid-params', `onset ${onset} must be before offset ${offset}`);
      checkTimesWithin(recording, onset, offset);
      const label = p.labelId !== undefined ? labelById(p.labelId, recording.projectId).name : undefined;
      const row = store.updateEvent(event.id, {
        ...(p.onset !== undefined ? { onset: p.onset } : {}),
        ...(p.offset !== undefined ? { offset: p.offset } : {}),
        ...(label !== undefined ? { label } : {}),
        ...(p.verified !== undefined ? { verified: p.verified } : {}),
        ...(p.lowFrequency !== undefined ? { lowFrequency: p.lowFrequency, highFrequency: p.highFrequency } : {}),
      }, p.lowFrequency === null ? { description: `Clear the frequency band of ${event.label} event` } : {});
      recordingChanged(recording.id);
      return { event: eventOut(row, recording.projectId), edits: editState(recording.projectId) };
    },
    'events.delete': (p) => {
      const { recording } = eventWithProject(p.eventId);
      store.deleteEvents([p.eventId]);
      recordingChanged(recording.id);
      return { eventId: p.eventId, edits: editState(recording.projectId) };
    },
    'events.split': (p) => {
      const { event, recording } = eventWithProject(p.eventId);
      if (!(event.onset < p.at && p.at < event.offset)) throw new ApiError('invalid-params', `split point ${p.at} must lie strictly inside the event (${event.onset}–${event.offset})`);
      const [a, b] = store.splitEvent(event.id, p.at);
      recordingChanged(recording.id);
      return { events: [eventOut(a, recording.projectId), eventOut(b, recording.projectId)], edits: editState(recording.projectId) };
    },
    'events.merge': (p) => {
      const { recording } = eventWithProject(p.eventIds[0]);
      const row = store.mergeEvents(p.eventIds);
      recordingChanged(recording.id);
      return { event: eventOut(row, recording.projectId), edits: editState(recording.projectId) };
    },
    'events.history': (p) => {
      let ids: number[];
      let projectId: number;
      if (p.eventId !== undefined) {
        const history = store.eventHistory(p.eventId);
        const recording = store.getRecording(history[0].snapshot.recordingId);
        projectId = recording.projectId;
        ids = [p.eventId];
      } else {
        const recording = store.getRecording(p.recordingId as number);
        projectId = recording.projectId;
        ids = store.listEvents({ recordingId: recording.id, includeDeleted: true }).map((e) => e.id);
      }
      const lookup = labelIdLookup(projectId);
      return ids
        .flatMap((id) => historyView(store.eventHistory(id), lookup))
        .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.version - a.version))
        .slice(0, p.limit);
    },

    'edits.undo': (p) => undoRedo(p.projectId, 'undo'),
    'edits.redo': (p) => undoRedo(p.projectId, 'redo'),
    'edits.state': (p) => editState(p.projectId),

    'detection.start': async (p) => {
      const project = store.getProject(p.projectId);
      const existing = jobs.active('detection', project.id);
      if (existing) throw new ApiError('busy', `detection is already running for this project (job ${existing.id})`, { jobId: existing.id });
      const model = p.modelId !== undefined ? store.getModel(p.modelId) : store.getActiveModel();
      if (!model) throw new ApiError('conflict', 'no detection model is installed: add one under resources/models or fine-tune one');
      const candidates = recordingsOf(project.id, p.recordingIds);
      // Re-detecting unreviewed files replaces their predictions only; human and verified events stay (recordDetection).
      const targets =
        p.scope === 'unreviewed' ? candidates.filter((r) => r.status !== 'reviewed') : p.force ? candidates : candidates.filter((r) => r.status === 'new' || r.status === 'error');
      const factory = options.detectorFactory ?? (await defaultDetectorFactory());
      const job = jobs.start('detection', project.id, targets.length);
      const task = runDetectionJob({
        store,
        job,
        model,
        recordings: targets,
        factory,
        onBackend: (name) => {
          backend = name;
        },
        onRecording: (recordingId) => {
          for (const e of store.listEvents({ recordingId })) labelIdLookup(project.id)(e.label);
          publish({ type: 'events.changed', projectId: project.id, recordingId });
          recordingChanged(recordingId);
        },
      });
      running.add(task);
      void task.finally(() => running.delete(task));
      return { jobId: job.id };
    },
    'detection.cancel': (p) => jobs.cancel(p.jobId, 'detection'),
    'jobs.get': (p) => jobs.get(p.jobId),
    'jobs.list': (p) => jobs.list(p),

    'models.list': () => training.listModels(),
    'models.get': (p) => training.model(p.modelId),
    'models.activate': (p) => training.activate(p.modelId),
    'training.material': (p) => training.material(p),
    'training.start': (p) => training.start(p),
    'training.cancel': (p) => training.cancel(p),
    'training.runs': (p) => training.runs(p),
    'export.run': (p) => exportRun(p),
  };

  return {
    async call(method, params) {
      armWarmUp();
      const parsed = parseParams(method, params);
      try {
        return await (handlers[method as ApiMethod] as (p: unknown) => unknown)(parsed);
      } catch (error) {
        throw toServiceError(error);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async mediaFile(recordingId): Promise<MediaFile> {
      let row: RecordingRow;
      try {
        row = store.getRecording(recordingId);
      } catch (error) {
        throw toServiceError(error);
      }
      const info = await stat(row.absPath).catch(() => null);
      if (!info?.isFile()) throw new ApiError('not-found', `audio file ${row.absPath} is missing`);
      return { path: row.absPath, size: info.size, mimeType: mimeTypeFor(row.absPath) };
    },
    async close() {
      await hasher.stop();
      for (const timer of basePeaksTimers) clearTimeout(timer);
      basePeaksTimers.clear();
      if (warmUpTimer) clearTimeout(warmUpTimer);
      warmUpStop.abort();
      await warmingUp;
      jobs.cancelAll();
      await Promise.allSettled([...running]);
      listeners.clear();
      if (ownsStore) store.close();
    },
  };
}

/** Opens one of the host's system dialogs; a host without it (the browser) answers 'not-implemented'. */
async function askSystemDialog<O>(dialog: ((options: O) => Promise<string | null>) | undefined, options: O): Promise<{ path: string | null }> {
  if (!dialog) throw new ApiError('not-implemented', 'there is no system file dialog here: type the path instead');
  return { path: (await dialog(options)) || null };
}

/** Adds every `resources/models/<name>/model.json` not yet in the database (the first becomes active). */
function registerBundledModels(store: Store, modelsDir: string | null): void {
  if (!modelsDir || !existsSync(modelsDir)) return;
  const known = new Set(store.listModels().map((m) => m.dirPath));
  let dirs: string[];
  try {
    dirs = readdirSync(modelsDir).filter((n) => !n.startsWith('.'));
  } catch {
    return;
  }
  for (const name of dirs.sort()) {
    const dir = path.join(modelsDir, name);
    const manifestPath = path.join(dir, 'model.json');
    if (known.has(dir) || !existsSync(manifestPath)) continue;
    try {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { classes?: string[]; training?: { scores?: Record<string, number> } };
      if (!Array.isArray(manifest.classes) || manifest.classes.length === 0) continue;
      store.addModel({ name, dirPath: dir, classes: manifest.classes, scores: manifest.training?.scores ?? {} });
    } catch {
      /* an unreadable bundled model is skipped; models.list shows what loaded */
    }
  }
}
