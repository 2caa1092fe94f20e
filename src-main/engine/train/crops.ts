import type { LabeledFile } from './dataset';

export interface Crop {
  file: number;
  start: number;
}

export interface CropOptions {
  /** Crop length in frames (a multiple of the time pool factor). */
  frames: number;
  /** Share of crops from files with an event that are placed anywhere instead of around the event. */
  randomShare: number;
}

function randInt(rng: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** First and last active frame over all classes, or undefined for a file without events. */
export function activeSpan(file: LabeledFile, classes: number): [number, number] | undefined {
  let first = -1;
  let last = -1;
  const t = file.targets;
  for (let i = 0; i < t.length; i++) {
    if (t[i] > 0) {
      const f = Math.floor(i / classes);
      if (first < 0) first = f;
      last = f;
    }
  }
  return first < 0 ? undefined : [first, last];
}

/**
 * One crop per file, in a shuffled order. A crop of a file with an event contains the event (or, when the
 * event is longer than the crop, lies inside it), except for `randomShare` of them, placed uniformly.
 */
export function sampleEpochCrops(files: LabeledFile[], spans: ([number, number] | undefined)[], options: CropOptions, rng: () => number): Crop[] {
  const crops: Crop[] = files.map((file, i) => {
    const maxStart = Math.max(0, file.features.frames - options.frames);
    const span = spans[i];
    if (!span || rng() < options.randomShare) return { file: i, start: randInt(rng, 0, maxStart) };
    const [on, off] = span;
    const length = off - on + 1;
    let lo: number, hi: number;
    if (length <= options.frames) {
      lo = off + 1 - options.frames;
      hi = on;
    } else {
      lo = on;
      hi = off + 1 - options.frames;
    }
    lo = Math.min(Math.max(0, lo), maxStart);
    hi = Math.min(Math.max(lo, hi), maxStart);
    return { file: i, start: randInt(rng, lo, hi) };
  });
  for (let i = crops.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [crops[i], crops[j]] = [crops[j], crops[i]];
  }
  return crops;
}

/**
 * Builds a batch: inputs [batch, frames, bands] normalised and zero-padded past a file's end, targets
 * [batch, frames / factor, classes] as the mean activity within each pooled step.
 */
export function buildBatch(
  files: LabeledFile[],
  crops: Crop[],
  cropFrames: number,
  factor: number,
  classes: number,
  normalization: { mean: number[]; std: number[] },
): { inputs: Float32Array; targets: Float32Array } {
  const bands = normalization.mean.length;
  const steps = cropFrames / factor;
  const inputs = new Float32Array(crops.length * cropFrames * bands);
  const targets = new Float32Array(crops.length * steps * classes);
  const inv = normalization.std.map((s) => 1 / s);
  crops.forEach((crop, b) => {
    const file = files[crop.file];
    const d = file.features.data;
    const available = Math.min(cropFrames, file.features.frames - crop.start);
    for (let f = 0; f < available; f++) {
      const src = (crop.start + f) * bands;
      const dst = (b * cropFrames + f) * bands;
      for (let k = 0; k < bands; k++) inputs[dst + k] = (d[src + k] - normalization.mean[k]) * inv[k];
    }
    for (let f = 0; f < available; f++) {
      const s = Math.floor(f / factor);
      for (let c = 0; c < classes; c++) targets[(b * steps + s) * classes + c] += file.targets[(crop.start + f) * classes + c] / factor;
    }
  });
  return { inputs, targets };
}
