import type { BandNormalization } from '../model/manifest';
import type { CorpusMixer, MixedCrop } from './corpus-mixer';
import { bandStatistics } from './dataset';

/**
 * A training batch from mixed crops: inputs [batch, frames, bands] normalised per band, targets
 * [batch, frames / factor, classes] as the mean activity within each pooled step (as buildBatch).
 */
export function batchFromMixedCrops(crops: MixedCrop[], frames: number, factor: number, classes: number, normalization: BandNormalization): { inputs: Float32Array; targets: Float32Array } {
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
  return { inputs, targets };
}

/** Per-band mean and standard deviation of the features of `count` crops drawn with `rng`. */
export function mixedCropStatistics(mixer: CorpusMixer, frames: number, count: number, rng: () => number): BandNormalization {
  const sample = Array.from({ length: count }, () => mixer.crop(frames, rng).features);
  const bands = sample[0].length / frames;
  return bandStatistics(sample.map((data) => ({ features: { data, frames, bands } })), bands);
}
