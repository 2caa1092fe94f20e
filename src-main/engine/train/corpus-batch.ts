import type { BandNormalization } from '../model/manifest';
import type { CorpusMixer, MixedCrop } from './corpus-mixer';
import { bandStatistics } from './dataset';

/** Pooled steps before and after an event's onset step that get the onset loss weight. */
export const ONSET_STEPS_BEFORE = 1;
export const ONSET_STEPS_AFTER = 2;

/**
 * Loss weights [batch, frames / factor, classes]: 1, and `1 + onsetWeight` for a class on the pooled steps
 * around each onset of that class (a frame where its activity starts; an event already running at the
 * crop's first frame has no onset in the crop).
 */
export function onsetLossWeights(crops: MixedCrop[], frames: number, factor: number, classes: number, onsetWeight: number): Float32Array {
  const steps = frames / factor;
  const weights = new Float32Array(crops.length * steps * classes).fill(1);
  crops.forEach((crop, b) => {
    for (let c = 0; c < classes; c++) {
      for (let f = 1; f < frames; f++) {
        if (!(crop.targets[f * classes + c] > 0 && !(crop.targets[(f - 1) * classes + c] > 0))) continue;
        const step = Math.floor(f / factor);
        for (let s = Math.max(0, step - ONSET_STEPS_BEFORE); s <= Math.min(steps - 1, step + ONSET_STEPS_AFTER); s++) weights[(b * steps + s) * classes + c] = 1 + onsetWeight;
      }
    }
  });
  return weights;
}

/**
 * A training batch from mixed crops: inputs [batch, frames, bands] normalised per band, targets
 * [batch, frames / factor, classes] as the mean activity within each pooled step (as buildBatch), and with
 * `onsetWeight` > 0, loss weights heavier around onsets (onsetLossWeights).
 */
export function batchFromMixedCrops(crops: MixedCrop[], frames: number, factor: number, classes: number, normalization: BandNormalization, onsetWeight = 0): { inputs: Float32Array; targets: Float32Array; lossWeights?: Float32Array } {
  const bands = normalization.mean.length;
  const steps = frames / factor;
  const inputs = new Float32Array(crops.length * frames * bands);
  const targets = new Float32Array(crops.length * steps * classes);
  const inv = normalization.std.map((s) => 1 / s);
  crops.forEach((crop, b) => {
    for (let f = 0; f < frames; f++) {
      const o = (b * frames + f) * bands;
      for (let k = 0; k < bands; k++) inputs[o + k] = (crop.features[f * bands + k] - normalization.mean[k]) * inv[k];
      const s = (b * steps + Math.floor(f / factor)) * classes;
      for (let c = 0; c < classes; c++) targets[s + c] += crop.targets[f * classes + c] / factor;
    }
  });
  return onsetWeight > 0 ? { inputs, targets, lossWeights: onsetLossWeights(crops, frames, factor, classes, onsetWeight) } : { inputs, targets };
}

/** Per-band mean and standard deviation of the features of `count` crops drawn with `rng`. */
export function mixedCropStatistics(mixer: CorpusMixer, frames: number, count: number, rng: () => number): BandNormalization {
  const sample = Array.from({ length: count }, () => mixer.crop(frames, rng).features);
  const bands = sample[0].length / frames;
  return bandStatistics(sample.map((data) => ({ features: { data, frames, bands } })), bands);
}
