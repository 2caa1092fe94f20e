import { BackgroundSubtractor } from './background';
import { frameDuration, type FeatureConfig } from './config';
import { RealFFT } from './fft';
import { melFilterbank } from './mel';
import type { MelFilterbank } from './mel';

/** Log-mel spectrogram, frames x bands, row-major. */
export interface LogMel {
  data: Float32Array;
  frames: number;
  bands: number;
}

/** Number of centred frames for n samples: frame i is centred at sample i * hop. */
export function frameCount(samples: number, hopLength: number): number {
  return 1 + Math.floor(samples / hopLength);
}

function validate(config: FeatureConfig): void {
  const { fftSize, windowLength, hopLength, melBands, logFloor } = config;
  if (!(windowLength > 0 && windowLength <= fftSize)) throw new RangeError(`windowLength must be in 1..fftSize, got ${windowLength}`);
  if (!(Number.isInteger(hopLength) && hopLength > 0)) throw new RangeError(`hopLength must be a positive integer, got ${hopLength}`);
  if (!(Number.isInteger(melBands) && melBands > 0)) throw new RangeError(`melBands must be a positive integer, got ${melBands}`);
  if (!(logFloor > 0)) throw new RangeError(`logFloor must be > 0, got ${logFloor}`);
}

/**
 * Log-mel of a whole signal: periodic Hann window of windowLength centred in an fftSize
 * frame, frames centred at i * hop with zeros beyond both ends, |FFT|^2, Slaney mel
 * filterbank (see mel.ts), then ln(mel power + logFloor), then background subtraction when the config asks
 * for it (background.ts). Same as LogMelExtractor.
 */
export function computeLogMel(samples: Float32Array, config: FeatureConfig): LogMel {
  const x = new LogMelExtractor(config);
  const a = x.push(samples);
  const b = x.flush();
  return concatLogMel([a, b]);
}

export function concatLogMel(parts: LogMel[]): LogMel {
  const bands = parts[0]?.bands ?? 0;
  const frames = parts.reduce((n, p) => n + p.frames, 0);
  if (parts.length === 1) return parts[0];
  const data = new Float32Array(frames * bands);
  let o = 0;
  for (const p of parts) {
    data.set(p.data, o);
    o += p.data.length;
  }
  return { data, frames, bands };
}

/**
 * Chunked log-mel: push() returns the frames whose window is now complete; flush() the
 * rest (zero-padded). Concatenated output is bit-identical to computeLogMel.
 */
export class LogMelExtractor {
  readonly config: Readonly<FeatureConfig>;
  private readonly fft: RealFFT;
  private readonly filterbank: MelFilterbank;
  /** fftSize-long analysis window: periodic Hann of windowLength, zero-padded to the centre. */
  private readonly window: Float64Array;
  private readonly power: Float64Array;
  /** The filterbank's weights end to end; band b's are flatWeights[bandStart[b] .. bandEnd[b]). */
  private readonly flatWeights: Float64Array;
  private readonly bandStart: Int32Array;
  private readonly bandEnd: Int32Array;
  /** bandStart[b] - first FFT bin of band b. */
  private readonly bandBin: Int32Array;
  private buffer: Float32Array;
  private bufferLength: number;
  /** Sample index of buffer[0] (negative: leading zeros before the signal). */
  private bufferStart: number;
  private received = 0;
  private nextFrame = 0;
  private flushed = false;
  private readonly background?: BackgroundSubtractor;

  constructor(config: FeatureConfig) {
    validate(config);
    this.config = Object.freeze({ ...config });
    const { fftSize, windowLength } = config;
    this.fft = new RealFFT(fftSize);
    this.filterbank = melFilterbank(config);
    const { weights, start } = this.filterbank;
    this.flatWeights = new Float64Array(weights.reduce((n, w) => n + w.length, 0));
    this.bandStart = new Int32Array(weights.length);
    this.bandEnd = new Int32Array(weights.length);
    this.bandBin = new Int32Array(weights.length);
    for (let b = 0, o = 0; b < weights.length; o += weights[b].length, b++) {
      this.flatWeights.set(weights[b], o);
      this.bandStart[b] = o;
      this.bandEnd[b] = o + weights[b].length;
      this.bandBin[b] = o - start[b];
    }
    this.window = new Float64Array(fftSize);
    const offset = Math.floor((fftSize - windowLength) / 2);
    for (let j = 0; j < windowLength; j++) this.window[offset + j] = 0.5 - 0.5 * Math.cos((2 * Math.PI * j) / windowLength);
    this.power = new Float64Array(fftSize / 2 + 1);
    const half = fftSize / 2;
    this.buffer = new Float32Array(Math.max(8192, 2 * fftSize));
    this.bufferLength = half;
    this.bufferStart = -half;
    if (config.background) this.background = new BackgroundSubtractor(config.melBands, frameDuration(config), config.background);
  }

  push(samples: Float32Array): LogMel {
    if (this.flushed) throw new Error('LogMelExtractor: push() after flush()');
    this.append(samples);
    this.received += samples.length;
    // Frame i reads samples [i*hop - fft/2, i*hop + fft/2).
    const { hopLength, fftSize } = this.config;
    const complete = Math.floor((this.received - fftSize / 2) / hopLength) + 1;
    return this.compute(Math.max(this.nextFrame, complete));
  }

  flush(): LogMel {
    if (this.flushed) return { data: new Float32Array(0), frames: 0, bands: this.config.melBands };
    this.flushed = true;
    this.append(new Float32Array(this.config.fftSize));
    return this.compute(frameCount(this.received, this.config.hopLength));
  }

  protected append(samples: Float32Array): void {
    const need = this.bufferLength + samples.length;
    if (need > this.buffer.length) {
      const grown = new Float32Array(Math.max(need, this.buffer.length * 2));
      grown.set(this.buffer.subarray(0, this.bufferLength));
      this.buffer = grown;
    }
    this.buffer.set(samples, this.bufferLength);
    this.bufferLength = need;
  }

  /** Compute frames nextFrame .. end-1. */
  private compute(end: number): LogMel {
    const { melBands, logFloor } = this.config;
    const count = Math.max(0, end - this.nextFrame);
    const data = new Float32Array(count * melBands);
    const { bandStart, bandEnd, flatWeights: w } = this;
    for (let f = 0; f < count; f++) {
      const power = this.framePower(this.nextFrame + f);
      const row = f * melBands;
      for (let b = 0; b < melBands; b++) {
        // Weight i of band b applies to bin i - bandBin[b] (bandBin = bandStart - filterbank start).
        const shift = this.bandBin[b];
        let acc = 0;
        for (let i = bandStart[b]; i < bandEnd[b]; i++) acc += w[i] * power[i - shift];
        data[row + b] = Math.log(acc + logFloor);
      }
    }
    this.nextFrame += count;
    this.background?.apply(data, count);
    // Forget samples no future frame reads.
    const { hopLength, fftSize } = this.config;
    const keepFrom = this.nextFrame * hopLength - fftSize / 2;
    const drop = keepFrom - this.bufferStart;
    if (drop > 0 && drop <= this.bufferLength && drop > this.bufferLength / 2) {
      this.buffer.copyWithin(0, drop, this.bufferLength);
      this.bufferLength -= drop;
      this.bufferStart += drop;
    }
    return { data, frames: count, bands: melBands };
  }

  /** |FFT|^2 (fftSize/2 + 1 bins, unnormalised) of windowed frame i; reuses one buffer. */
  protected framePower(i: number): Float64Array {
    const { hopLength, fftSize } = this.config;
    const first = i * hopLength - fftSize / 2 - this.bufferStart;
    return this.fft.windowedPowerSpectrum(this.buffer, first, this.window, this.power);
  }
}

/** Reads whole-signal frame powers through the extractor's framing (no mel, no log). */
class PowerSpectrogramReader extends LogMelExtractor {
  read(samples: Float32Array): { data: Float32Array; frames: number; bins: number } {
    const { fftSize, hopLength } = this.config;
    const bins = fftSize / 2 + 1;
    const frames = frameCount(samples.length, hopLength);
    this.append(samples);
    this.append(new Float32Array(fftSize));
    const data = new Float32Array(frames * bins);
    for (let i = 0; i < frames; i++) data.set(this.framePower(i), i * bins);
    return { data, frames, bins };
  }
}

/** Power spectrogram with exactly the log-mel framing: frames x (fftSize/2 + 1), row-major, unnormalised |X|^2. */
export function computePowerSpectrogram(samples: Float32Array, config: FeatureConfig): { data: Float32Array; frames: number; bins: number } {
  return new PowerSpectrogramReader(config).read(samples);
}
