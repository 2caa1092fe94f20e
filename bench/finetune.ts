import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { AnnotationSet, SoundEvent } from '../src-main/engine/annotations/types';
import { decodeAudioFile } from '../src-main/engine/audio/decode';
import { encodeWav } from '../src-main/engine/audio/wav';
import { DEFAULT_FEATURE_CONFIG, frameDuration } from '../src-main/engine/features/config';
import { computeLogMel } from '../src-main/engine/features/logmel';
import { DEFAULT_MODEL_DIR, runFinetune, type FinetuneOptions } from '../src-main/engine/finetune/run';
import { renderPlan } from '../src-main/engine/mix/render';
import { planMixtures } from '../src-main/engine/mix/plan';
import { rngFor } from '../src-main/engine/mix/prng';
import { listCorpus, LOOP_CROSSFADE_SECONDS } from '../src-main/engine/mix/run';
import { splitSources } from '../src-main/engine/mix/split';
import { audibleExtent, EVENT_EXTENT } from '../src-main/engine/mix/trim';
import type { MixSettings, SplitSources } from '../src-main/engine/mix/types';
import { selectBackend } from '../src-main/engine/model/backend';
import { loadModel } from '../src-main/engine/model/io';
import { detectionPostprocess, probabilitiesToEvents } from '../src-main/engine/postprocess/index';
import { hashFile, openStore } from '../src-main/engine/store';
import type { LabeledFile } from '../src-main/engine/train/dataset';
import { windowFrames } from '../src-main/engine/inference/windowed';
import { predictFiles, scoreProbabilities } from '../src-main/engine/train/validate';
import { CORPUS_DIR, CORPUS_MISSING, corpusAvailable } from '../test/corpus';
import type { ReviewItem } from '../src-main/api/contract';
import { DEFAULT_THRESHOLD, uncertainty } from '../src-main/service/review-queue';
import type { BenchRow, BenchSection } from './lib';

/**
 * The new domain a simulated user works in (documented in the bench notes):
 *  - sources: only the *test* split of the corpus as `earmark mix` splits it (event files and background
 *    recordings the default model never heard in training or validation);
 *  - harder: event-to-background ratios -12, -9, -6, -3 dB (the default model saw -6, 0, 6);
 *  - a different channel: the whole mixture is band-limited to 300-3400 Hz (4th-order high-pass and
 *    low-pass, telephone band), as a cheap microphone or a phone recording would be.
 */
export const DOMAIN = {
  seed: 5150,
  ebrsDb: [-12, -9, -6, -3],
  bandHz: [300, 3400] as const,
  lengthSeconds: 30,
  perClass: 45,
  reviewPool: 40,
  classes: ['babycry', 'glassbreak', 'gunshot'],
};

const BASE_MODEL = process.env.EARMARK_FINETUNE_BASE_MODEL ?? DEFAULT_MODEL_DIR;

type Biquad = [number, number, number, number, number];

/** RBJ cookbook Butterworth-Q biquad, normalised [b0, b1, b2, a1, a2]. */
function biquad(kind: 'lowpass' | 'highpass', freq: number, sampleRate: number): Biquad {
  const w = (2 * Math.PI * freq) / sampleRate;
  const alpha = Math.sin(w) / (2 * Math.SQRT1_2);
  const cos = Math.cos(w);
  const a0 = 1 + alpha;
  const b = kind === 'lowpass' ? [(1 - cos) / 2, 1 - cos, (1 - cos) / 2] : [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2];
  return [b[0] / a0, b[1] / a0, b[2] / a0, (-2 * cos) / a0, (1 - alpha) / a0];
}

function filter(x: Float32Array, [b0, b1, b2, a1, a2]: Biquad): Float32Array {
  const y = new Float32Array(x.length);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let n = 0; n < x.length; n++) {
    const v = b0 * x[n] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x[n];
    y2 = y1;
    y1 = v;
    y[n] = v;
  }
  return y;
}

/** The domain's channel: 4th-order band-pass (two high-pass and two low-pass biquads). */
export function bandLimit(x: Float32Array, sampleRate: number, [lo, hi]: readonly [number, number]): Float32Array {
  const hp = biquad('highpass', lo, sampleRate);
  const lp = biquad('lowpass', hi, sampleRate);
  return filter(filter(filter(filter(x, hp), hp), lp), lp);
}

export interface DomainFile {
  name: string;
  path: string;
  events: SoundEvent[];
}

/** Renders the domain's mixtures into `dir` from the corpus test-split sources; deterministic from DOMAIN.seed. */
export async function buildDomain(dir: string, log: (line: string) => void = () => {}): Promise<DomainFile[]> {
  // The split depends only on the corpus file names, never on a seed: these are the bundled model's test sources.
  const listing = await listCorpus(CORPUS_DIR, DOMAIN.classes);
  const split = splitSources(listing.events, listing.backgrounds);
  const manifest = {
    sampleRate: DEFAULT_FEATURE_CONFIG.sampleRate,
    eventExtent: EVENT_EXTENT,
    loopCrossfadeSeconds: LOOP_CROSSFADE_SECONDS,
    sources: split,
  };
  const sr = manifest.sampleRate;
  const audio = new Map<string, Float32Array>();
  const sources: SplitSources = { backgrounds: [], events: {} };
  for (const file of manifest.sources.backgrounds.test) {
    try {
      const { samples } = await decodeAudioFile(join(CORPUS_DIR, 'backgrounds', file), { targetRate: sr });
      audio.set(`backgrounds/${file}`, samples);
      sources.backgrounds.push({ file: `backgrounds/${file}`, length: samples.length });
    } catch (error) {
      log(`skipping background ${file}: ${(error as Error).message}`);
    }
  }
  for (const label of DOMAIN.classes) {
    sources.events[label] = [];
    for (const file of manifest.sources.events[label].test) {
      const rel = `events/${label}/${file}`;
      try {
        const { samples } = await decodeAudioFile(join(CORPUS_DIR, rel), { targetRate: sr });
        const extent = audibleExtent(samples, sr, manifest.eventExtent);
        if (!extent) continue;
        audio.set(rel, samples);
        sources.events[label].push({ file: rel, label, length: samples.length, extent });
      } catch (error) {
        log(`skipping event ${rel}: ${(error as Error).message}`);
      }
    }
  }
  const settings: MixSettings = { seed: DOMAIN.seed, sampleRate: sr, lengthSeconds: DOMAIN.lengthSeconds, eventProbability: 0.5, ebrsDb: DOMAIN.ebrsDb, loopCrossfadeSeconds: manifest.loopCrossfadeSeconds };
  const files: DomainFile[] = [];
  mkdirSync(dir, { recursive: true });
  for (const label of DOMAIN.classes) {
    for (const plan of planMixtures(settings, 'test', label, DOMAIN.perClass, sources)) {
      const mixed = renderPlan(plan, (file) => audio.get(file)!, sr, settings.loopCrossfadeSeconds).samples;
      const name = plan.name.replace(/^test_/, 'field_');
      const path = join(dir, name);
      writeFileSync(path, encodeWav(bandLimit(mixed, sr, DOMAIN.bandHz), sr));
      files.push({ name, path, events: plan.events.map((e) => ({ filename: name, onset: e.onset / sr, offset: (e.onset + e.length) / sr, label: e.label })) });
    }
  }
  // A fixed, seeded interleaving: the first `reviewPool` files are the ones a user may review, the rest the test set.
  const rng = rngFor(DOMAIN.seed, 'review-order');
  for (let i = files.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [files[i], files[j]] = [files[j], files[i]];
  }
  return files;
}

/** Class-average ER (DCASE 2017 Task 2 preset) of a model on precomputed features. */
async function modelScores(modelDir: string, files: LabeledFile[], reference: AnnotationSet): Promise<{ errorRate: number; fMeasure: number }> {
  const model = await loadModel(modelDir);
  try {
    const { manifest } = model;
    const perFile = await predictFiles(model.weights, manifest, files, manifest.classes.length, manifest.normalization, 8, windowFrames(manifest.inference, frameDuration(manifest.features)));
    const frameSeconds = frameDuration(manifest.features);
    // DCASE 2017 Task 2 protocol: each class scored on its own mixtures (field_<class>_NNNN).
    const scores = scoreProbabilities(perFile, reference, manifest.classes, manifest.postprocess, frameSeconds, 'per-class-mixtures');
    return { errorRate: scores.errorRate, fMeasure: scores.fMeasure };
  } finally {
    tf.dispose([...model.weights.values()]);
  }
}

export interface CurveRow {
  reviewed: number;
  erBefore: number;
  erAfter: number;
  fBefore: number;
  fAfter: number;
  relativeChange: number;
  seconds: number;
  trainFiles: number;
  heldBack: number;
  /** Predicted events on the reviewed files (what the reviewer stepped through). */
  predictionsReviewed: number;
}

/** Which reviewable files a simulated user reviews first: in file order, or as the review queue's "most uncertain first" reaches them. */
export type ReviewFileOrder = 'file' | 'uncertainty';

/**
 * The pool in the order a reviewer reaches its files. 'uncertainty' walks the review queue's order (the
 * service's `uncertainty`: a prediction's distance from its class threshold) and takes each file at its first
 * prediction; files without a prediction never appear in that queue, so they come last, in file order.
 */
export function reviewFileOrder<F extends { name: string }>(pool: readonly F[], predictions: ReadonlyMap<string, readonly SoundEvent[]>, thresholds: Record<string, number>, order: ReviewFileOrder): F[] {
  if (order === 'file') return [...pool];
  const distance = (f: F) => Math.min(...(predictions.get(f.name) ?? []).map((e) => uncertainty({ event: { confidence: e.confidence ?? null } as ReviewItem['event'], threshold: thresholds[e.label] ?? DEFAULT_THRESHOLD })));
  const ranked = pool.map((f, i) => ({ f, i, d: distance(f) }));
  return ranked.sort((a, b) => a.d - b.d || a.i - b.i).map((r) => r.f);
}

/**
 * The simulated user: a project of domain files with the default model's detections; for each N, the
 * first N pool files are "reviewed" (their predictions replaced by the reference events as human
 * corrections, then marked reviewed), the model is fine-tuned with runFinetune, and both models are
 * scored on the fixed test set (files never reviewed at any N).
 */
export async function finetuneCurve(options: { ns?: number[]; order?: ReviewFileOrder; finetune?: Partial<FinetuneOptions>; log?: (line: string) => void } = {}): Promise<CurveRow[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const work = await mkdtemp(join(tmpdir(), 'earmark-bench-finetune-'));
  try {
    await selectBackend(undefined, log);
    const audioDir = join(work, 'field');
    const files = await buildDomain(audioDir, log);
    const pool = files.slice(0, DOMAIN.reviewPool);
    const test = files.slice(DOMAIN.reviewPool);
    log(`domain: ${files.length} files (${pool.length} reviewable, ${test.length} test), EBR ${DOMAIN.ebrsDb.join('/')} dB, band ${DOMAIN.bandHz.join('-')} Hz`);

    const baseManifest = JSON.parse(readFileSync(join(BASE_MODEL, 'model.json'), 'utf8')) as { features: Parameters<typeof computeLogMel>[1]; classes: string[] };
    const testFiles: LabeledFile[] = [];
    for (const f of test) {
      const { samples } = await decodeAudioFile(f.path, { targetRate: baseManifest.features.sampleRate });
      testFiles.push({ filename: f.name, features: computeLogMel(samples, baseManifest.features), targets: new Float32Array(0), events: f.events });
    }
    const reference: AnnotationSet = { files: test.map((f) => f.name), events: test.flatMap((f) => f.events) };
    const before = await modelScores(BASE_MODEL, testFiles, reference);
    log(`default model on the test set: ER ${before.errorRate.toFixed(3)} F ${(before.fMeasure * 100).toFixed(1)}%`);

    const template = join(work, 'template.db');
    const setup = openStore(template);
    const project = setup.createProject({ name: 'field', rootDir: audioDir });
    const model = setup.addModel({ name: 'default', dirPath: resolve(BASE_MODEL), classes: baseManifest.classes, activate: true });
    const byName = new Map<string, number>();
    for (const f of files) {
      const { inserted } = setup.upsertRecordings(project.id, [{ relPath: f.name, contentHash: await hashFile(f.path), durationSeconds: DOMAIN.lengthSeconds }]);
      byName.set(f.name, inserted[0].id);
    }
    // The default model's detections on the pool, as a user would have them before reviewing.
    const poolFiles: LabeledFile[] = [];
    for (const f of pool) {
      const { samples } = await decodeAudioFile(f.path, { targetRate: baseManifest.features.sampleRate });
      poolFiles.push({ filename: f.name, features: computeLogMel(samples, baseManifest.features), targets: new Float32Array(0), events: [] });
    }
    const loaded = await loadModel(BASE_MODEL);
    const probs = await predictFiles(loaded.weights, loaded.manifest, poolFiles, loaded.manifest.classes.length, loaded.manifest.normalization, 8, windowFrames(loaded.manifest.inference, frameDuration(loaded.manifest.features)));
    tf.dispose([...loaded.weights.values()]);
    const run = setup.startDetectionRun(project.id, model.id);
    const predictions = new Map<string, SoundEvent[]>();
    for (const p of probs) {
      const events = probabilitiesToEvents(p.probs, p.frames, loaded.manifest.classes, detectionPostprocess(loaded.manifest.postprocess), frameDuration(loaded.manifest.features), p.filename);
      predictions.set(p.filename, events);
      setup.recordDetection(run.id, byName.get(p.filename)!, events.map(({ label, onset, offset, confidence }) => ({ label, onset, offset: Math.min(offset, DOMAIN.lengthSeconds), confidence })));
    }
    setup.finishDetectionRun(run.id, 'completed');
    setup.close();
    const reviewed = reviewFileOrder(pool, predictions, loaded.manifest.postprocess.thresholds, options.order ?? 'file');
    log(`review order: ${options.order ?? 'file'}`);

    const rows: CurveRow[] = [];
    for (const n of options.ns ?? [5, 10, 20, 40]) {
      const dbPath = join(work, `n${n}.db`);
      copyFileSync(template, dbPath);
      const store = openStore(dbPath);
      const chosen = reviewed.slice(0, n);
      for (const f of chosen) {
        const id = byName.get(f.name)!;
        const predicted = store.listEvents({ recordingId: id }).map((e) => e.id);
        if (predicted.length) store.deleteEvents(predicted);
        if (f.events.length) store.createEvents(f.events.map((e) => ({ recordingId: id, label: e.label, onset: e.onset, offset: e.offset })));
        store.markReviewed(id);
      }
      store.close();
      const started = performance.now();
      const result = await runFinetune({ dbPath, seed: 1, modelsDir: join(work, `models-n${n}`), ...options.finetune, onProgress: (p) => {
        if (p.type === 'epoch') log(`  N=${n} epoch ${p.epoch}: loss ${p.loss.toFixed(4)} val loss ${p.validationLoss.toFixed(4)} val ER ${p.errorRate.toFixed(3)}${p.improved ? ' *' : ''} (${p.seconds.toFixed(1)} s)`);
        else if (p.type === 'warning') log(`  N=${n} warning: ${p.message}`);
      } }).catch((error: Error) => {
        log(`  N=${n}: ${error.message}`);
        return undefined;
      });
      const seconds = (performance.now() - started) / 1000;
      if (!result || result.status !== 'completed') continue;
      const after = await modelScores(result.model.dirPath, testFiles, reference);
      const row: CurveRow = {
        reviewed: n,
        erBefore: before.errorRate,
        erAfter: after.errorRate,
        fBefore: before.fMeasure,
        fAfter: after.fMeasure,
        relativeChange: (after.errorRate - before.errorRate) / before.errorRate,
        seconds,
        trainFiles: result.trainFiles,
        heldBack: result.validationFiles,
        predictionsReviewed: chosen.reduce((k, f) => k + (predictions.get(f.name)?.length ?? 0), 0),
      };
      log(`N=${n}: ER ${row.erBefore.toFixed(3)} -> ${row.erAfter.toFixed(3)} (${(row.relativeChange * 100).toFixed(1)} %), F ${(row.fBefore * 100).toFixed(1)}% -> ${(row.fAfter * 100).toFixed(1)}%, ${seconds.toFixed(1)} s`);
      rows.push(row);
    }
    return rows;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** issue 5 item 4: the before/after curve of fine-tuning on N reviewed files of a shifted domain. */
export const finetuneBench: BenchSection = {
  name: 'finetune',
  async run() {
    if (!corpusAvailable) return { skipped: CORPUS_MISSING };
    if (!existsSync(join(BASE_MODEL, 'model.json'))) return { skipped: `base model not found at ${BASE_MODEL} (set EARMARK_FINETUNE_BASE_MODEL)` };
    const curve = await finetuneCurve();
    const queue = await finetuneCurve({ ns: [10, 20], order: 'uncertainty' });
    const rows: BenchRow[] = [];
    const domain = `test-split sources, EBR ${DOMAIN.ebrsDb.join('/')} dB, ${DOMAIN.bandHz.join('-')} Hz band; ${DOMAIN.perClass * DOMAIN.classes.length - DOMAIN.reviewPool} fixed test files`;
    for (const r of curve) {
      const tag = `N=${r.reviewed}`;
      rows.push(
        { section: 'finetune', metric: `${tag} ER before`, value: r.erBefore, unit: 'ER', notes: domain },
        { section: 'finetune', metric: `${tag} ER after`, value: r.erAfter, unit: 'ER', notes: `${r.trainFiles} train + ${r.heldBack} held back; F ${(r.fBefore * 100).toFixed(1)}% -> ${(r.fAfter * 100).toFixed(1)}%` },
        { section: 'finetune', metric: `${tag} ER relative change`, value: r.relativeChange * 100, unit: '%', target: r.reviewed === 20 ? '<= -40' : undefined },
        { section: 'finetune', metric: `${tag} fine-tune time`, value: r.seconds, unit: 's', target: r.reviewed === 20 ? '< 60 (2 cores)' : undefined, notes: 'runFinetune end to end: material, features, training, tuning, save' },
      );
    }
    // Review queue (issue 10): the same number of reviewed files, reached most-uncertain-first instead of in file order.
    for (const r of queue) {
      const inFileOrder = curve.find((c) => c.reviewed === r.reviewed);
      rows.push({
        section: 'finetune',
        metric: `N=${r.reviewed} review queue, most uncertain first: ER relative change`,
        value: r.relativeChange * 100,
        unit: '%',
        notes: `ER ${r.erBefore.toFixed(3)} -> ${r.erAfter.toFixed(3)}; ${r.predictionsReviewed} predictions reviewed (file order: ${inFileOrder ? `${(inFileOrder.relativeChange * 100).toFixed(1)} % with ${inFileOrder.predictionsReviewed}` : 'not run'})`,
      });
    }
    return rows;
  },
};
