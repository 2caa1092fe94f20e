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

/**
 * Runs of active frames as [start, end) frame ranges: a run starts at a frame at or above `threshold` and
 * lasts while frames stay at or above `threshold * release` (hysteresis; release 1 = a single threshold).
 */
function activeRuns(values: Float32Array, threshold: number, release = 1): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  const low = threshold * release;
  for (let t = 0; t < values.length; t++) {
    const on = values[t] >= (start >= 0 ? low : threshold);
    if (on && start < 0) start = t;
    else if (!on && start >= 0) {
      runs.push([start, t]);
      start = -1;
    }
  }
  if (start >= 0) runs.push([start, values.length]);
  return runs;
}

/** The median filter length of one class: its own when tuned per class, else the shared one. */
function classMedian(config: PostprocessConfig, label: string): number {
  return config.classMedianFilterFrames?.[label] ?? config.medianFilterFrames;
}

function validateConfig(config: PostprocessConfig, classes: string[]): void {
  for (const label of classes) {
    const th = config.thresholds[label];
    if (typeof th !== 'number' || !Number.isFinite(th)) throw new Error(`postprocess config has no threshold for class "${label}"`);
  }
  for (const m of [config.medianFilterFrames, ...Object.values(config.classMedianFilterFrames ?? {})]) {
    if (!Number.isInteger(m) || m < 1 || m % 2 === 0) throw new RangeError(`medianFilterFrames must be an odd integer >= 1, got ${m}`);
  }
  for (const r of Object.values(config.release ?? {})) if (!(r > 0 && r <= 1)) throw new RangeError(`release ratios must be in (0, 1], got ${r}`);
  for (const g of Object.values(config.classMergeGapSeconds ?? {})) if (!(g >= 0)) throw new RangeError(`merge gaps must be >= 0 s, got ${g}`);
  for (const x of Object.values(config.onsetShiftSeconds ?? {})) if (!Number.isFinite(x) || Math.abs(x) > 10) throw new RangeError(`onset shifts must be finite and within 10 s, got ${x}`);
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
  for (const run of activeRuns(filtered, threshold, config.release?.[label] ?? 1)) {
    const last = merged[merged.length - 1];
    if (last && (run[0] - last[1]) * frameSeconds < (config.classMergeGapSeconds?.[label] ?? config.mergeGapSeconds) - eps) last[1] = run[1];
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
  const shift = config.onsetShiftSeconds?.[label] ?? 0;
  return found.map((e) => ({ filename, onset: Math.max(0, e.start * frameSeconds - shift), offset: e.end * frameSeconds, label, confidence: e.confidence }));
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
    const filtered = medianFilterColumn(probs, frames, C, c, classMedian(config, classes[c]));
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
  /** Choose the median filter length per class (stored in classMedianFilterFrames) instead of one for all. */
  perClassMedian?: boolean;
  /** Candidate hysteresis release ratios, chosen per class (default only 1: no hysteresis). */
  releases?: number[];
  /** Candidate merge gaps (seconds), chosen per class (default only baseConfig.mergeGapSeconds). */
  mergeGaps?: number[];
  /** Candidate onset corrections (seconds), chosen per class (default only 0). */
  onsetShifts?: number[];
  /**
   * Event-free recordings and a false-alarm budget: only settings that raise at most `perHour` events of a
   * class per hour of them are eligible (where none is, the one with the fewest false alarms wins).
   */
  falseAlarms?: { recordings: FileProbabilities[]; perHour: number };
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
 * Grid search of per-class thresholds (and, as `options` asks, the median filter length, shared by all classes
 * or per class, and per class a hysteresis release ratio, a merge gap and an onset correction) minimising the
 * class-wise error rate, within a false-alarm budget when one is given. Because a class's
 * error rate depends only on that class's events, each class is searched independently. Among equally good
 * thresholds the middle one of the tied set is taken (the centre of a plateau generalises better than its edge).
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
  const releases = options.releases ?? [1];
  const gaps = options.mergeGaps ?? [baseConfig.mergeGapSeconds];
  const shifts = options.onsetShifts ?? [0];
  if ([grid, medians, releases, gaps, shifts].some((g) => g.length === 0)) throw new RangeError('tuneThresholds: empty search grid');
  for (const m of medians) if (!Number.isInteger(m) || m < 1 || m % 2 === 0) throw new RangeError(`median filter lengths must be odd integers >= 1, got ${m}`);
  const files = perFile.map((f) => f.filename);
  const quietHours = (options.falseAlarms?.recordings ?? []).reduce((h, f) => h + (f.frames * frameSeconds) / 3600, 0);
  /** Best threshold, release, merge gap and onset shift of one class at one median length. */
  const searchClass = (c: number, median: number) => {
    const label = classes[c];
    const filtered = perFile.map((f) => medianFilterColumn(f.probs, f.frames, classes.length, c, median));
    const quiet = (options.falseAlarms?.recordings ?? []).map((f) => ({ f, filtered: medianFilterColumn(f.probs, f.frames, classes.length, c, median) }));
    // Rank: within the false-alarm budget first, then fewer false alarms (only when over it), then lower ER.
    let best = { errorRate: Infinity, over: Infinity, threshold: grid[0], release: 1, gap: gaps[0], shift: shifts[0] };
    for (const release of releases) for (const gap of gaps) for (const shift of shifts) {
      const config: PostprocessConfig = { ...baseConfig, medianFilterFrames: median, release: { [label]: release }, classMergeGapSeconds: { [label]: gap }, onsetShiftSeconds: { [label]: shift } };
      const scores = grid.map((th) => {
        const events = perFile.flatMap((f, i) => classEvents(f.probs, filtered[i], classes.length, c, label, th, config, frameSeconds, f.filename));
        const er = evaluate(reference, { files, events })[label];
        if (typeof er !== 'number' || Number.isNaN(er)) throw new Error(`evaluate() returned no error rate for class "${label}"`);
        const alarms = quiet.reduce((n, q) => n + classEvents(q.f.probs, q.filtered, classes.length, c, label, th, config, frameSeconds, q.f.filename).length, 0);
        return { er, over: quietHours > 0 ? Math.max(0, alarms / quietHours - options.falseAlarms!.perHour) : 0 };
      });
      const minOver = Math.min(...scores.map((x) => x.over));
      const minEr = Math.min(...scores.filter((x) => x.over === minOver).map((x) => x.er));
      const tied = grid.filter((_, i) => scores[i].over === minOver && scores[i].er === minEr);
      if (minOver < best.over || (minOver === best.over && minEr < best.errorRate)) best = { errorRate: minEr, over: minOver, threshold: tied[Math.floor((tied.length - 1) / 2)], release, gap, shift };
    }
    return best;
  };
  const perMedian = medians.map((median) => classes.map((_, c) => searchClass(c, median)));
  const mean = (rates: number[]) => rates.reduce((a, b) => a + b, 0) / Math.max(1, rates.length);
  // Shared: the median length with the best class average. Per class: each class's best length.
  // Lexicographic: false alarms over the budget first, then error rate.
  const better = (a: { over: number; errorRate: number }, b: { over: number; errorRate: number }) => a.over < b.over || (a.over === b.over && a.errorRate < b.errorRate);
  const total = (row: { over: number; errorRate: number }[]) => ({ over: row.reduce((n, r) => n + r.over, 0), errorRate: mean(row.map((r) => r.errorRate)) });
  const shared = perMedian.reduce((bi, row, i) => (better(total(row), total(perMedian[bi])) ? i : bi), 0);
  const choice = classes.map((_, c) => (options.perClassMedian ? perMedian.reduce((bi, row, i) => (better(row[c], perMedian[bi][c]) ? i : bi), shared) : shared));
  const picked = choice.map((i, c) => perMedian[i][c]);
  const byClass = <T>(f: (c: number) => T) => Object.fromEntries(classes.map((label, c) => [label, f(c)]));
  const config: PostprocessConfig = {
    ...baseConfig,
    medianFilterFrames: medians[shared],
    thresholds: byClass((c) => picked[c].threshold),
    // Undefined (not inherited from baseConfig) when not tuned, so what was scored is what is stored.
    classMedianFilterFrames: options.perClassMedian ? byClass((c) => medians[choice[c]]) : undefined,
    release: releases.some((r) => r !== 1) ? byClass((c) => picked[c].release) : undefined,
    classMergeGapSeconds: gaps.length > 1 ? byClass((c) => picked[c].gap) : undefined,
    onsetShiftSeconds: shifts.some((x) => x !== 0) ? byClass((c) => picked[c].shift) : undefined,
  };
  const errorRates = byClass((c) => picked[c].errorRate);
  return { config, errorRates, meanErrorRate: mean(picked.map((p) => p.errorRate)) };
}
