/**
 * Background subtraction in the log-mel domain: each band's log energy minus a running estimate of that
 * band's background level. The estimate is an exponential moving average of the log energy (in the log
 * domain, so a loud event moves it far less than a linear-power average would), started as the running
 * mean of the frames seen so far until one time constant has passed. The output no longer depends on the
 * recording's gain or on a fixed channel EQ, and a stationary background sits near zero whatever it is.
 *
 * Causal and stateful: frames can arrive in chunks of any size and give bit-identical output, so the same
 * code serves whole-file training features, streaming detection and on-the-fly training mixtures.
 */
export interface BackgroundSubtraction {
  /** Time constant of the background estimate, seconds. */
  timeConstantSeconds: number;
}

export class BackgroundSubtractor {
  private readonly level: Float64Array;
  private readonly rate: number;
  private seen = 0;

  constructor(readonly bands: number, frameSeconds: number, settings: BackgroundSubtraction) {
    if (!(settings.timeConstantSeconds > 0)) throw new RangeError(`background time constant must be > 0 s, got ${settings.timeConstantSeconds}`);
    this.level = new Float64Array(bands);
    this.rate = 1 - Math.exp(-frameSeconds / settings.timeConstantSeconds);
  }

  /** Subtracts the background from `frames` rows of log-mel in place ([frames x bands], row-major). */
  apply(data: Float32Array, frames: number): void {
    const { bands, level } = this;
    for (let f = 0; f < frames; f++) {
      // Running mean for the first 1/rate frames, then the moving average: no start-up transient.
      const a = Math.max(this.rate, 1 / (this.seen + 1));
      const row = f * bands;
      for (let b = 0; b < bands; b++) {
        const x = data[row + b];
        level[b] += a * (x - level[b]);
        data[row + b] = x - level[b];
      }
      this.seen++;
    }
  }
}
