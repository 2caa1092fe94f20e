import type { BandNormalization } from '../model/manifest';
import type { CorpusMixer, MixedCrop } from './corpus-mixer';
import { bandStatistics } from './dataset';

/** Pooled steps before and after an event's onset step that get the onset loss weight. */
export const ONSET_STEPS_BEFORE = 1;
export const ONSET_STEPS_AFTER = 2;

/** Extra loss weight on some targets of a training batch; an absent or zero weight is off. */
export interface LossWeighting {
  /** Weight 1 + W on the pooled steps around each event onset (onsetLossWeights). */
  onsetWeight?: number;
  /** Per class, in class order: weight 1 + W on the pooled steps where that class is active. */
  positiveWeights?: readonly number[];
}

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
 * Multiplies `weights` [batch, steps, classes] by 1 + positiveWeights[c] wherever class c's pooled target is
 * above 0 (the class sounds in some frame of the step): a class that is rarely or faintly present can be
 * made to count more than its silence.
 */
export function weighPositiveSteps(weights: Float32Array, targets: Float32Array, classes: number, positiveWeights: readonly number[]): Float32Array {
  if (positiveWeights.length !== classes) throw new Error(`${positiveWeights.length} positive weights for ${classes} classes`);
  for (let i = 0; i < targets.length; i++) if (targets[i] > 0) weights[i] *= 1 + positiveWeights[i % classes];
  return weights;
}

const isOn = (w: LossWeighting) => (w.onsetWeight ?? 0) > 0 || (w.positiveWeights ?? []).some((p) => p > 0);

/**
 * A training batch from mixed crops: inputs [batch, frames, bands] normalised per band, targets
 * [batch, frames / factor, classes] as the mean activity within each pooled step (as buildBatch), and with
 * a weighting that is on, loss weights of the same shape (LossWeighting).
 */
export function batchFromMixedCrops(crops: MixedCrop[], frames: number, factor: number, classes: number, normalization: BandNormalization, weighting: LossWeighting = {}): { inputs: Float32Array; targets: Float32Array; lossWeights?: Float32Array } {
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
  if (!isOn(weighting)) return { inputs, targets };
  const onset = weighting.onsetWeight ?? 0;
  const weights = onset > 0 ? onsetLossWeights(crops, frames, factor, classes, onset) : new Float32Array(targets.length).fill(1);
  return { inputs, targets, lossWeights: weighting.positiveWeights ? weighPositiveSteps(weights, targets, classes, weighting.positiveWeights) : weights };
}

/** Per-band mean and standard deviation of the features of `count` crops drawn with `rng`. */
export function mixedCropStatistics(mixer: CorpusMixer, frames: number, count: number, rng: () => number): BandNormalization {
  const sample = Array.from({ length: count }, () => mixer.crop(frames, rng).features);
  const bands = sample[0].length / frames;
  return bandStatistics(sample.map((data) => ({ features: { data, frames, bands } })), bands);
}
