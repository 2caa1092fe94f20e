import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AnnotationSet, SoundEvent } from '../annotations/types';
import { createFrameScorer, type CrnnScorer, type InferenceBackend } from '../inference';
import type { FeatureMatrix } from '../inference/types';
import type { PostprocessConfig } from '../model/manifest';
import { detectionPostprocess, probabilitiesToEvents } from '../postprocess';
import { FileFailure, InlineFeatureProvider, type FeatureProvider } from './feature-source';
import { collectAudioFiles, InputPathError, selectShard, type InputFile, type Shard } from './files';
import type { DetectProgress } from './progress';
import { DetectState, shardText, type DetectProvenance } from './state';
import { WorkerFeatureProvider } from './worker-pool';

export interface DetectOptions {
  /** Files and folders. */
  inputs: string[];
  modelDir: string;
  backend?: InferenceBackend | 'auto';
  /** Feature worker threads; 0 decodes in the main thread. Default: cpus - 1, at least 1. */
  jobs?: number;
  /** ONNX intra-op threads (default 1: the other cores decode). */
  threads?: number;
  shard?: Shard;
  /** Sidecar state file; files recorded there (same size and mtime, same model) are not run again. */
  statePath?: string;
  /** Run every file even when the state says it is done. */
  force?: boolean;
  /** Overrides of the model's post-processing (e.g. thresholds, or oneEventPerFile for DCASE 2017 Task 2 mixtures). */
  postprocess?: Partial<PostprocessConfig>;
  /** Window length for long files, seconds (default: the model's own, the length it was trained on). */
  windowSeconds?: number;
  onProgress?: (progress: DetectProgress) => void;
  /** Called once per file detected (not for skipped ones), e.g. to store results in a database. */
  onFile?: (result: FileResult) => void | Promise<void>;
  /** Called for each failed file. */
  onFailure?: (failure: FileFailureInfo) => void | Promise<void>;
  /**
   * Stops the batch: the file in progress is dropped (neither done nor failed), the state file is
   * flushed, and the summary holds every finished file with `interrupted` set.
   */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface FileResult {
  file: InputFile;
  durationSeconds: number;
  events: SoundEvent[];
  skipped: boolean;
  /** Problems that did not stop detection (also logged), e.g. non-finite samples replaced by silence. */
  warnings?: string[];
}

export interface FileFailureInfo {
  file: InputFile;
  reason: string;
  message: string;
}

export interface DetectSummary {
  /** Every file of the batch that has a result, in input order (skipped ones included). */
  results: FileResult[];
  failures: FileFailureInfo[];
  /** Files detected (or failed) whose onFile/onFailure callback threw, e.g. a locked database; they stay in `results`. */
  sinkFailures: { file: InputFile; message: string }[];
  /** True when `signal` stopped the batch before every file was run. */
  interrupted: boolean;
  /** The batch's annotations: every successful file listed, with its events. */
  annotations: AnnotationSet;
  classes: string[];
  filesTotal: number;
  /** Audio processed in this run (skipped files excluded). */
  audioSeconds: number;
  wallSeconds: number;
  /** Summed per-stage times; decode and features run in workers, in parallel with inference. */
  stageSeconds: { decode: number; features: number; inference: number; waitForFeatures: number; postprocess: number };
  inference: string;
  featureSource: string;
}

/**
 * One decoding worker per core: inference on the main thread takes ~10% of the CPU time that decoding,
 * resampling and log-mel take (measured per hour of 44.1 kHz FLAC: ~1.2 s vs ~11 s), so the main thread
 * is mostly idle waiting for features and the cores are better spent decoding.
 */
export function defaultJobs(): number {
  return Math.max(1, cpus().length);
}

async function provenance(options: DetectOptions, postprocess: PostprocessConfig, windowSeconds: number): Promise<DetectProvenance> {
  const hash = createHash('sha256');
  hash.update(await readFile(join(options.modelDir, 'model.json')));
  hash.update(await readFile(join(options.modelDir, 'weights.bin')));
  return {
    model: { dir: resolve(options.modelDir), sha256: hash.digest('hex') },
    settings: { postprocess, windowSeconds },
    ...(options.shard && options.shard.count > 1 ? { shard: options.shard } : {}),
  };
}

/** Wraps a chunk stream, adding the time spent waiting for each chunk to `wait.seconds`; stops when `signal` aborts. */
async function* timed(chunks: AsyncIterable<FeatureMatrix>, wait: { seconds: number }, signal?: AbortSignal): AsyncGenerator<FeatureMatrix> {
  const it = chunks[Symbol.asyncIterator]();
  for (;;) {
    signal?.throwIfAborted();
    const t = performance.now();
    const next = await it.next();
    wait.seconds += (performance.now() - t) / 1000;
    if (next.done) return;
    yield next.value;
  }
}

/**
 * Batch detection: collects the audio files (sorted, optionally one shard), skips those already done,
 * computes features in worker threads while the main thread runs the network, turns probabilities into
 * events with the model's post-processing, and reports each failure without stopping the batch.
 */
export async function detectFiles(options: DetectOptions): Promise<DetectSummary> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const all = selectShard(await collectAudioFiles(options.inputs), options.shard);
  const jobs = options.jobs ?? defaultJobs();
  const scorer: CrnnScorer = await createFrameScorer(options.modelDir, {
    backend: options.backend,
    threads: options.threads ?? 1,
    windowSeconds: options.windowSeconds,
    log,
  });
  const manifest = scorer.manifest;
  const post: PostprocessConfig = detectionPostprocess(manifest.postprocess, options.postprocess);
  const state = options.statePath ? await DetectState.open(options.statePath, await provenance(options, post, scorer.window.windowSeconds)) : undefined;
  if (state?.discarded && !options.force) log(`earmark: re-running all files: ${state.discarded}`);
  if (state?.previousShard && state.previousShard !== shardText(options.shard) && !options.force) {
    await scorer.dispose();
    // E.g. one task of an array resubmitted alone, whose own array has a single task: it would redo every file.
    throw new InputPathError(
      `${options.statePath} holds ${state.previousShard} but this run is ${shardText(options.shard)}: ` +
        'give the same shard (for a resubmitted Slurm task, --shards N), or --force to start this output over',
    );
  }

  const results = new Map<InputFile, FileResult>();
  const failures: FileFailureInfo[] = [];
  const sinkFailures: DetectSummary['sinkFailures'] = [];
  // A callback's failure is the sink's, never the file's: the file keeps its result and is counted once.
  const deliver = async (file: InputFile, callback: () => void | Promise<void>) => {
    try {
      await callback();
    } catch (error) {
      sinkFailures.push({ file, message: (error as Error)?.message ?? String(error) });
    }
  };
  const todo: InputFile[] = [];
  for (const file of all) {
    const done = options.force ? undefined : state?.done(file);
    if (done) results.set(file, { file, durationSeconds: done.durationSeconds, events: done.events.map((e) => ({ ...e, filename: file.name })), skipped: true });
    else todo.push(file);
  }

  const provider: FeatureProvider = jobs > 0 ? new WorkerFeatureProvider(manifest.features, jobs) : new InlineFeatureProvider(manifest.features);
  const stageSeconds = { decode: 0, features: 0, inference: 0, waitForFeatures: 0, postprocess: 0 };
  const progress: DetectProgress = {
    filesDone: 0,
    filesFailed: 0,
    filesSkipped: results.size,
    filesTotal: all.length,
    audioSeconds: 0,
    bytesDone: 0,
    bytesTotal: todo.reduce((s, f) => s + f.size, 0),
    elapsedSeconds: 0,
  };
  const report = () => {
    progress.elapsedSeconds = (performance.now() - started) / 1000;
    options.onProgress?.({ ...progress });
  };
  report();
  try {
    // Keep `lookahead` files queued so the workers never wait for the main thread.
    const lookahead = Math.max(1, jobs) + 1;
    const queued = todo.slice(0, lookahead).map((f) => provider.start(f));
    for (let i = 0; i < todo.length && !options.signal?.aborted; i++) {
      if (i + lookahead < todo.length) queued.push(provider.start(todo[i + lookahead]));
      const file = todo[i];
      const features = queued[i];
      queued[i] = undefined as never;
      const wait = { seconds: 0 };
      const t0 = performance.now();
      let result: FileResult | undefined;
      try {
        const { probs, frames } = await scorer.scoreStream(timed(features.chunks, wait, options.signal));
        const t1 = performance.now();
        stageSeconds.inference += (t1 - t0) / 1000 - wait.seconds;
        stageSeconds.waitForFeatures += wait.seconds;
        const stats = features.stats();
        const events = probabilitiesToEvents(probs, frames, scorer.classes, post, scorer.frameSeconds, file.name, stats.durationSeconds);
        stageSeconds.postprocess += (performance.now() - t1) / 1000;
        stageSeconds.decode += stats.decodeSeconds;
        stageSeconds.features += stats.featureSeconds;
        for (const warning of stats.warnings) log(`earmark: warning: ${warning}`);
        result = { file, durationSeconds: stats.durationSeconds, events, skipped: false, warnings: stats.warnings };
        results.set(file, result);
        state?.record(file, stats.durationSeconds, events);
        progress.filesDone++;
        progress.audioSeconds += stats.durationSeconds;
      } catch (error) {
        if (options.signal?.aborted) break;
        // Drain what is left of this file so its worker moves on.
        try {
          for await (const _ of features.chunks);
        } catch {
          /* the failure is reported below */
        }
        const failure = FileFailure.from(file.path, error);
        const info = { file, reason: failure.reason, message: failure.message };
        failures.push(info);
        progress.filesFailed++;
        await deliver(file, () => options.onFailure?.(info));
      }
      const detected = result;
      if (detected) await deliver(file, () => options.onFile?.(detected));
      progress.bytesDone += file.size;
      await state?.save();
      report();
    }
  } finally {
    await provider.close();
    await scorer.dispose();
    await state?.save(true);
  }
  const ordered = all.filter((f) => results.has(f)).map((f) => results.get(f)!);
  return {
    results: ordered,
    failures,
    sinkFailures,
    interrupted: Boolean(options.signal?.aborted) && results.size + failures.length < all.length,
    annotations: { files: ordered.map((r) => r.file.name), events: ordered.flatMap((r) => r.events) },
    classes: scorer.classes,
    filesTotal: all.length,
    audioSeconds: progress.audioSeconds,
    wallSeconds: (performance.now() - started) / 1000,
    stageSeconds,
    inference: scorer.description,
    featureSource: provider.description,
  };
}
