import type { FeatureConfig } from './config';

/**
 * Slaney's mel scale (as in the Auditory Toolbox and librosa's default, htk=False):
 * linear below 1 kHz, logarithmic above.
 */
const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

export function hzToMel(hz: number): number {
  return hz < MIN_LOG_HZ ? hz / F_SP : MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP;
}

export function melToHz(mel: number): number {
  return mel < MIN_LOG_MEL ? mel * F_SP : MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL));
}

/** Triangular filters over FFT bins, stored sparsely: band b covers bins start[b] .. start[b] + weights[b].length - 1. */
export interface MelFilterbank {
  bands: number;
  /** FFT bins (fftSize / 2 + 1). */
  bins: number;
  /** Centre frequency of each band, Hz. */
  centres: Float64Array;
  start: Int32Array;
  weights: Float64Array[];
}

/**
 * librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm='slaney'):
 * band edges equally spaced in mel, triangles in Hz, each scaled by 2 / (upper - lower edge)
 * so every band has the same area (equal weight per Hz).
 */
export function melFilterbank(config: Pick<FeatureConfig, 'sampleRate' | 'fftSize' | 'melBands' | 'fmin' | 'fmax'>): MelFilterbank {
  const { sampleRate, fftSize, melBands, fmin, fmax } = config;
  if (!(fmin >= 0 && fmax > fmin && fmax <= sampleRate / 2)) {
    throw new RangeError(`mel filterbank needs 0 <= fmin < fmax <= sampleRate/2, got ${fmin}..${fmax} Hz at ${sampleRate} Hz`);
  }
  const bins = fftSize / 2 + 1;
  const lo = hzToMel(fmin);
  const hi = hzToMel(fmax);
  const edges = Array.from({ length: melBands + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (melBands + 1)));
  const centres = new Float64Array(melBands);
  const start = new Int32Array(melBands);
  const weights: Float64Array[] = [];
  for (let b = 0; b < melBands; b++) {
    const [left, centre, right] = [edges[b], edges[b + 1], edges[b + 2]];
    centres[b] = centre;
    const norm = 2 / (right - left);
    const row: number[] = [];
    let first = -1;
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / fftSize;
      const w = Math.max(0, Math.min((f - left) / (centre - left), (right - f) / (right - centre)));
      if (w > 0) {
        if (first < 0) first = k;
        // keep interior zeros (none occur for a triangle, but stay contiguous)
        while (first + row.length < k) row.push(0);
        row.push(w * norm);
      }
    }
    start[b] = Math.max(0, first);
    weights.push(Float64Array.from(row));
  }
  return { bands: melBands, bins, centres, start, weights };
}
