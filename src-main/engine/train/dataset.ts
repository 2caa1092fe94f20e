import type { BandNormalization } from '../model/manifest';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnnotationSet, SoundEvent } from '../annotations/types';
import { readAnnotationFile } from '../annotations/index';
import { decodeAudioFile } from '../audio/decode';
import { frameDuration, type FeatureConfig } from '../features/config';

export type SplitName = 'train' | 'validation' | 'test';

/** Log-mel of one file, [frames x bands] row-major. */
export interface LogMel {
  data: Float32Array;
  frames: number;
  bands: number;
}

export type FeatureExtractor = (samples: Float32Array, config: FeatureConfig) => LogMel | Promise<LogMel>;

/** One mixture with its features and frame targets, cached in memory for the whole run. */
export interface LabeledFile {
  filename: string;
  features: LogMel;
  /** [frames x classes] 0/1 activity per feature frame. */
  targets: Float32Array;
  events: SoundEvent[];
}

export interface SplitData {
  split: SplitName;
  files: LabeledFile[];
  reference: AnnotationSet;
}

/** A data directory in the `earmark mix` layout is unusable: names the path and the reason. */
export class TrainingDataError extends Error {
  constructor(path: string, reason: string) {
    super(`training data "${path}": ${reason}`);
    this.name = 'TrainingDataError';
  }
}

/** Frame activity targets: frame t (covering [t, t+1) * frameSeconds) is active if it overlaps an event. */
export function frameTargets(events: SoundEvent[], frames: number, classes: string[], frameSeconds: number): Float32Array {
  const out = new Float32Array(frames * classes.length);
  for (const e of events) {
    const c = classes.indexOf(e.label);
    if (c < 0) continue;
    const first = Math.max(0, Math.floor(e.onset / frameSeconds));
    const last = Math.min(frames - 1, Math.ceil(e.offset / frameSeconds) - 1);
    for (let t = first; t <= last; t++) out[t * classes.length + c] = 1;
  }
  return out;
}

async function defaultExtractor(): Promise<FeatureExtractor> {
  const { computeLogMel } = await import('../features/logmel');
  return computeLogMel as FeatureExtractor;
}

/** Runs `fn` over items with at most `limit` in flight, keeping order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

/**
 * Loads one split of an `earmark mix` directory: DIR/<split>/meta/event_list_<split>.txt (DCASE list) and
 * DIR/<split>/audio/*.wav. Each file is decoded and analysed once. Only files whose class (from the
 * `<split>_<class>_NNNN` name) is in `classes` are kept, unless `allFiles` (e.g. long recordings); events of
 * other labels are dropped.
 */
export async function loadSplit(
  dataDir: string,
  split: SplitName,
  classes: string[],
  features: FeatureConfig,
  options: { extract?: FeatureExtractor; onFile?: (done: number, total: number) => void; allFiles?: boolean } = {},
): Promise<SplitData> {
  const listPath = join(dataDir, split, 'meta', `event_list_${split}.txt`);
  const audioDir = join(dataDir, split, 'audio');
  if (!(await stat(listPath).then((s) => s.isFile(), () => false))) throw new TrainingDataError(dataDir, `${listPath} not found (expected the earmark mix layout)`);
  const list = await readAnnotationFile(listPath, 'dcase');
  const onDisk = new Set(await readdir(audioDir).catch(() => [] as string[]));
  const wanted = list.files.filter((f) => {
    const m = /^[^_]+_(.+)_\d+\.[a-z0-9]+$/i.exec(f);
    return m && !options.allFiles ? classes.includes(m[1]) : true;
  });
  for (const f of wanted) if (!onDisk.has(f)) throw new TrainingDataError(dataDir, `${join(audioDir, f)} is listed in ${listPath} but missing`);
  const extract = options.extract ?? (await defaultExtractor());
  const frameSeconds = frameDuration(features);
  let done = 0;
  const files = await mapLimit(wanted, 2, async (filename) => {
    const audio = await decodeAudioFile(join(audioDir, filename), { targetRate: features.sampleRate });
    const logmel = await extract(audio.samples, features);
    if (logmel.bands !== features.melBands) throw new TrainingDataError(dataDir, `features of ${filename} have ${logmel.bands} bands, expected ${features.melBands}`);
    const events = list.events.filter((e) => e.filename === filename && classes.includes(e.label));
    options.onFile?.(++done, wanted.length);
    return { filename, features: logmel, targets: frameTargets(events, logmel.frames, classes, frameSeconds), events };
  });
  const keep = new Set(wanted);
  return { split, files, reference: { files: wanted, events: list.events.filter((e) => keep.has(e.filename) && classes.includes(e.label)) } };
}

/** Per-band mean and standard deviation over every frame of every file (std floored at 1e-3). */
export function bandStatistics(files: { features: LogMel }[], bands: number): BandNormalization {
  const sum = new Float64Array(bands);
  const sq = new Float64Array(bands);
  let count = 0;
  for (const { features } of files) {
    const d = features.data;
    for (let f = 0; f < features.frames; f++) {
      for (let b = 0; b < bands; b++) {
        const v = d[f * bands + b];
        sum[b] += v;
        sq[b] += v * v;
      }
    }
    count += features.frames;
  }
  const mean = Array.from(sum, (s) => s / Math.max(1, count));
  const std = Array.from(sq, (s, b) => Math.max(1e-3, Math.sqrt(Math.max(0, s / Math.max(1, count) - mean[b] * mean[b]))));
  return { mean, std };
}
