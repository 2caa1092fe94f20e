import type { BackgroundSubtraction } from './background';

/** Every setting of the log-mel front end, in one place. Stored with each model. */
export interface FeatureConfig {
  /** Rate audio is resampled to before analysis, Hz. */
  sampleRate: number;
  /** FFT size, samples. */
  fftSize: number;
  /** Analysis window (periodic Hann) length, samples, <= fftSize. */
  windowLength: number;
  /** Hop between frames, samples. Frame i is centred at i * hopLength / sampleRate seconds. */
  hopLength: number;
  melBands: number;
  /** Lower and upper edge of the mel filterbank, Hz. */
  fmin: number;
  fmax: number;
  /** Added to mel power before the log, to bound it below. */
  logFloor: number;
  /** Subtract each band's running background level from the log-mel (see background.ts); absent: off. */
  background?: BackgroundSubtraction;
}

export const DEFAULT_FEATURE_CONFIG: Readonly<FeatureConfig> = Object.freeze({
  sampleRate: 16000,
  fftSize: 1024,
  windowLength: 1024,
  hopLength: 320,
  melBands: 64,
  fmin: 50,
  fmax: 8000,
  logFloor: 1e-6,
});

/** The raw log-mel of a configuration: the same analysis without background subtraction. */
export function rawFeatureConfig(config: FeatureConfig): FeatureConfig {
  const { background: _background, ...raw } = config;
  return raw;
}

/** Seconds per feature frame. */
export function frameDuration(config: FeatureConfig): number {
  return config.hopLength / config.sampleRate;
}
