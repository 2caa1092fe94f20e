import type { BandNormalization } from '../model/manifest';
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

/** Training-time augmentation, applied to each crop in the log-mel domain (natural log of mel power). */
export interface Augmentation {
  /** Random level change, uniform in [-gainDb, +gainDb]. */
  gainDb: number;
  /** Probability of adding a crop of an event-free file as extra background (power sum). */
  backgroundMixProbability: number;
  /** Level of that extra background relative to the crop, uniform in this dB range. */
  backgroundMixDb: [number, number];
  /** Probability of shifting the crop by up to maxBandShift mel bands (edge bands repeated). */
  bandShiftProbability: number;
  maxBandShift: number;
  /** Probability of masking one band range (SpecAugment) of up to maxMaskBands bands with the band mean. */
  bandMaskProbability: number;
  maxMaskBands: number;
}

export const DEFAULT_AUGMENTATION: Augmentation = {
  gainDb: 6,
  backgroundMixProbability: 0.5,
  backgroundMixDb: [-12, 0],
  bandShiftProbability: 0.5,
  maxBandShift: 2,
  bandMaskProbability: 0.3,
  maxMaskBands: 6,
};

const LN10_OVER_10 = Math.log(10) / 10;

/** Augments one crop in place ([frames x bands] of log-mel, before normalisation). */
export function augmentCrop(crop: Float32Array, frames: number, bands: number, background: Float32Array | undefined, bandMeans: number[], aug: Augmentation, rng: () => number): void {
  if (background && rng() < aug.backgroundMixProbability) {
    const [lo, hi] = aug.backgroundMixDb;
    const offset = (lo + rng() * (hi - lo)) * LN10_OVER_10;
    for (let i = 0; i < frames * bands; i++) {
      const a = crop[i];
      const b = background[i] + offset;
      // log(exp(a) + exp(b)), stable
      crop[i] = a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
    }
  }
  if (aug.gainDb > 0) {
    const gain = (rng() * 2 - 1) * aug.gainDb * LN10_OVER_10;
    for (let i = 0; i < frames * bands; i++) crop[i] += gain;
  }
  if (aug.maxBandShift > 0 && rng() < aug.bandShiftProbability) {
    const shift = Math.round((rng() * 2 - 1) * aug.maxBandShift);
    if (shift !== 0) {
      const row = new Float32Array(bands);
      for (let f = 0; f < frames; f++) {
        const base = f * bands;
        for (let b = 0; b < bands; b++) row[b] = crop[base + Math.min(bands - 1, Math.max(0, b - shift))];
        crop.set(row, base);
      }
    }
  }
  if (aug.maxMaskBands > 0 && rng() < aug.bandMaskProbability) {
    const width = 1 + Math.floor(rng() * aug.maxMaskBands);
    const start = Math.floor(rng() * Math.max(1, bands - width));
    for (let f = 0; f < frames; f++) for (let b = start; b < start + width; b++) crop[f * bands + b] = bandMeans[b];
  }
}

/** Copies `frames` rows of a file's log-mel from `start`, repeating the last row past the file's end. */
function cropRows(file: LabeledFile, start: number, frames: number): Float32Array {
  const bands = file.features.bands;
  const out = new Float32Array(frames * bands);
  const available = Math.max(0, Math.min(frames, file.features.frames - start));
  out.set(file.features.data.subarray(start * bands, (start + available) * bands));
  return out;
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
  normalization: BandNormalization,
  augment?: { aug: Augmentation; rng: () => number; backgroundFiles: number[] },
): { inputs: Float32Array; targets: Float32Array } {
  const bands = normalization.mean.length;
  const steps = cropFrames / factor;
  const inputs = new Float32Array(crops.length * cropFrames * bands);
  const targets = new Float32Array(crops.length * steps * classes);
  const inv = normalization.std.map((s) => 1 / s);
  crops.forEach((crop, b) => {
    const file = files[crop.file];
    const available = Math.min(cropFrames, file.features.frames - crop.start);
    let d = file.features.data;
    let srcStart = crop.start;
    if (augment) {
      const rows = cropRows(file, crop.start, cropFrames);
      let background: Float32Array | undefined;
      if (augment.backgroundFiles.length > 0) {
        const other = files[augment.backgroundFiles[Math.floor(augment.rng() * augment.backgroundFiles.length)]];
        background = cropRows(other, Math.floor(augment.rng() * Math.max(1, other.features.frames - cropFrames)), cropFrames);
      }
      augmentCrop(rows, cropFrames, bands, background, normalization.mean, augment.aug, augment.rng);
      d = rows;
      srcStart = 0;
    }
    for (let f = 0; f < available; f++) {
      const src = (srcStart + f) * bands;
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
