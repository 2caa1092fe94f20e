import type { AnnotationSet, SoundEvent } from '../annotations/types';
import type { PostprocessConfig } from '../model/manifest';

export type { PostprocessConfig };

/**
 * Median filter over time of one column (class) of a frames x classes matrix.
 * Odd length k; edges are replicated, so the output has the same length and a short
 * burst at the very start of a file is treated like one in the middle.
 */
export function medianFilterColumn(probs: Float32Array, frames: number, classes: number, column: number, length: number): Float32Array {
  const out = new Float32Array(frames);
  if (length <= 1) {
    for (let t = 0; t < frames; t++) out[t] = probs[t * classes + column];
    return out;
  }
  if (length % 2 === 0) throw new RangeError(`median filter length must be odd, got ${length}`);
  const half = (length - 1) / 2;
  const window = new Float32Array(length);
  for (let t = 0; t < frames; t++) {
    for (let k = -half; k <= half; k++) {
      const i = Math.min(frames - 1, Math.max(0, t + k));
      window[k + half] = probs[i * classes + column];
    }
    window.sort();
    out[t] = window[half];
  }
  return out;
}

/** Runs of frames at or above the threshold, as [start, end) frame ranges. */
function activeRuns(values: Float32Array, threshold: number): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let t = 0; t < values.length; t++) {
    const on = values[t] >= threshold;
    if (on && start < 0) start = t;
    else if (!on && start >= 0) {
      runs.push([start, t]);
      start = -1;
    }
  }
  if (start >= 0) runs.push([start, values.length]);
  return runs;
}

function validateConfig(config: PostprocessConfig, classes: string[]): void {
  for (const label of classes) {
    const th = config.thresholds[label];
    if (typeof th !== 'number' || !Number.isFinite(th)) throw new Error(`postprocess config has no threshold for class "${label}"`);
  }
  const m = config.medianFilterFrames;
  if (!Number.isInteger(m) || m < 1 || m % 2 === 0) throw new RangeError(`medianFilterFrames must be an odd integer >= 1, got ${m}`);
}

/** Steps 2-5 of probabilitiesToEvents for one class whose filtered column is given. */
function classEvents(
  probs: Float32Array,
  filtered: Float32Array,
  C: number,
  c: number,
  label: string,
  threshold: number,
  config: PostprocessConfig,
  frameSeconds: number,
  filename: string,
): SoundEvent[] {
  // Slack so a gap/length equal to the limit in whole frames is not lost to float rounding.
  const eps = 1e-9;
  const merged: [number, number][] = [];
  for (const run of activeRuns(filtered, threshold)) {
    const last = merged[merged.length - 1];
    if (last && (run[0] - last[1]) * frameSeconds < config.mergeGapSeconds - eps) last[1] = run[1];
    else merged.push([run[0], run[1]]);
  }
  let found: { start: number; end: number; confidence: number }[] = [];
  for (const [start, end] of merged) {
    if ((end - start) * frameSeconds < config.minEventSeconds - eps) continue;
    let confidence = 0;
    for (let t = start; t < end; t++) confidence = Math.max(confidence, probs[t * C + c]);
    found.push({ start, end, confidence });
  }
  if (config.oneEventPerFile && found.length > 1) {
    let best = found[0];
    for (const e of found) {
      if (e.confidence > best.confidence || (e.confidence === best.confidence && e.end - e.start > best.end - best.start)) best = e;
    }
    found = [best];
  }
  return found.map((e) => ({ filename, onset: e.start * frameSeconds, offset: e.end * frameSeconds, label, confidence: e.confidence }));
}

/**
 * Frame probabilities -> events, per class:
 *  1. median filter over frames (config.medianFilterFrames, odd, 1 = off);
 *  2. frames with filtered probability >= the class threshold are active;
 *  3. runs separated by a gap shorter than mergeGapSeconds are merged;
 *  4. events shorter than minEventSeconds are dropped;
 *  5. oneEventPerFile: only the highest-scoring event of each class is kept. The score is the
 *     event's confidence (max raw probability inside); ties go to the longer, then the earlier event.
 * Frame t covers [t, t+1) * frameSeconds. Confidence is the maximum *unfiltered* probability inside
 * the event. Events are returned sorted by onset, then label. With durationSeconds, offsets are
 * clamped to it: the last centred frame reaches up to one hop past the end of the signal.
 */
export function probabilitiesToEvents(
  probs: Float32Array,
  frames: number,
  classes: string[],
  config: PostprocessConfig,
  frameSeconds: number,
  filename: string,
  durationSeconds?: number,
): SoundEvent[] {
  if (probs.length < frames * classes.length) {
    throw new RangeError(`probabilities hold ${probs.length} values, expected ${frames} frames x ${classes.length} classes`);
  }
  validateConfig(config, classes);
  const C = classes.length;
  const events: SoundEvent[] = [];
  for (let c = 0; c < C; c++) {
    const filtered = medianFilterColumn(probs, frames, C, c, config.medianFilterFrames);
    events.push(...classEvents(probs, filtered, C, c, classes[c], config.thresholds[classes[c]], config, frameSeconds, filename));
  }
  events.sort((a, b) => a.onset - b.onset || a.label.localeCompare(b.label));
  if (durationSeconds === undefined) return events;
  return events.filter((e) => e.onset < durationSeconds).map((e) => ({ ...e, offset: Math.min(e.offset, durationSeconds) }));
}

/**
 * The post-processing `detect` and the studio use: the model's, with `overrides` on top. The DCASE 2017 Task 2
 * one-event-per-file rule is a property of that benchmark's 30 s mixtures, not of recordings in general, so
 * it is off unless the caller asks for it, whatever the model stores.
 */
export function detectionPostprocess(model: PostprocessConfig, overrides: Partial<PostprocessConfig> = {}): PostprocessConfig {
  return { ...model, oneEventPerFile: false, ...overrides, thresholds: { ...model.thresholds, ...overrides.thresholds } };
}

/** One file's frame probabilities (frames x classes, row-major). */
export interface FileProbabilities {
  filename: string;
  probs: Float32Array;
  frames: number;
}

/**
 * Class-wise error rate of estimated against reference, by class label (e.g. DCASE 2017 Task 2:
 * event-based, onset collar 500 ms). Injected so that this module stays independent of the metrics code.
 */
export type ClasswiseErrorRate = (reference: AnnotationSet, estimated: AnnotationSet) => Record<string, number>;

export interface TuneOptions {
  /** Candidate thresholds; default 0.05..0.95 in steps of 0.05. */
  thresholds?: number[];
  /** Candidate median filter lengths (odd); default only baseConfig.medianFilterFrames. */
  medianFilterFrames?: number[];
}

export interface TuneResult {
  config: PostprocessConfig;
  /** Class-wise error rate reached per class with the chosen config. */
  errorRates: Record<string, number>;
  /** Mean of errorRates over classes. */
  meanErrorRate: number;
}

export const DEFAULT_THRESHOLD_GRID: readonly number[] = Array.from({ length: 19 }, (_, i) => Math.round((i + 1) * 5) / 100);

/**
 * Grid search of per-class thresholds (and optionally the median filter length, shared by all classes)
 * minimising the class-wise error rate. Because a class's error rate depends only on that class's
 * events, each class's threshold is searched independently. Among equally good thresholds the middle
 * one of the tied set is taken (the centre of a plateau generalises better than its edge).
 */
export function tuneThresholds(
  perFile: FileProbabilities[],
  reference: AnnotationSet,
  classes: string[],
  baseConfig: PostprocessConfig,
  frameSeconds: number,
  evaluate: ClasswiseErrorRate,
  options: TuneOptions = {},
): TuneResult {
  const grid = options.thresholds ?? [...DEFAULT_THRESHOLD_GRID];
  const medians = options.medianFilterFrames ?? [baseConfig.medianFilterFrames];
  if (grid.length === 0 || medians.length === 0) throw new RangeError('tuneThresholds: empty search grid');
  for (const m of medians) if (!Number.isInteger(m) || m < 1 || m % 2 === 0) throw new RangeError(`median filter lengths must be odd integers >= 1, got ${m}`);
  const files = perFile.map((f) => f.filename);
  let best: TuneResult | null = null;
  for (const median of medians) {
    const config: PostprocessConfig = { ...baseConfig, medianFilterFrames: median };
    const thresholds: Record<string, number> = {};
    const errorRates: Record<string, number> = {};
    classes.forEach((label, c) => {
      const filtered = perFile.map((f) => medianFilterColumn(f.probs, f.frames, classes.length, c, median));
      const scores = grid.map((th) => {
        const events = perFile.flatMap((f, i) => classEvents(f.probs, filtered[i], classes.length, c, label, th, config, frameSeconds, f.filename));
        const er = evaluate(reference, { files, events })[label];
        if (typeof er !== 'number' || Number.isNaN(er)) throw new Error(`evaluate() returned no error rate for class "${label}"`);
        return er;
      });
      const minEr = Math.min(...scores);
      const tied = grid.filter((_, i) => scores[i] === minEr);
      thresholds[label] = tied[Math.floor((tied.length - 1) / 2)];
      errorRates[label] = minEr;
    });
    const meanErrorRate = classes.reduce((s, l) => s + errorRates[l], 0) / Math.max(1, classes.length);
    if (!best || meanErrorRate < best.meanErrorRate) {
      best = { config: { ...config, thresholds }, errorRates, meanErrorRate };
    }
  }
  return best!;
}
