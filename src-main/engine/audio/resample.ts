/**
 * Band-limited sample-rate conversion: a Kaiser-windowed sinc evaluated as a polyphase
 * filter. For rates fromRate:toRate = M:L (reduced), output sample j sits at input time
 * j*M/L; its fractional part (j*M mod L)/L picks one of L precomputed phases.
 *
 * The low-pass passes up to 0.8 of the lower Nyquist and reaches its stop band (>= 80 dB)
 * at the lower Nyquist, so downsampling (e.g. 44.1 kHz -> 16 kHz) cannot alias.
 * The signal is taken as zero outside [0, n); the output has ceil(n * L / M) samples.
 */

import { polyphaseKernel, type PolyphaseKernel } from './polyphase-kernel';

const STOPBAND_DB = 80;
const PASSBAND_EDGE = 0.8; // fraction of the lower Nyquist
/** Phase tables larger than this are subsampled and linearly interpolated (unusual rate pairs). */
const MAX_EXACT_PHASES = 4096;

interface PolyphaseFilter {
  /** Rational step: output j is at input position j * down / up. */
  up: number;
  down: number;
  /** Taps per phase (even); phase p's taps cover input samples base - half + 1 .. base + half. */
  taps: number;
  half: number;
  /** Number of phases stored (== up when exact, otherwise MAX_EXACT_PHASES, plus one guard row). */
  phases: number;
  exact: boolean;
  /** phases+1 rows of `taps` coefficients, row-major. */
  table: Float32Array;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

const filterCache = new Map<string, PolyphaseFilter>();

function designFilter(fromRate: number, toRate: number): PolyphaseFilter {
  const key = `${fromRate}:${toRate}`;
  const cached = filterCache.get(key);
  if (cached) return cached;

  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const nyquist = Math.min(fromRate, toRate) / 2;
  // Cutoff and transition width in cycles per input sample.
  const stopEdge = nyquist / fromRate;
  const passEdge = (PASSBAND_EDGE * nyquist) / fromRate;
  const cutoff = (passEdge + stopEdge) / 2;
  const transition = 2 * Math.PI * (stopEdge - passEdge);
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  // Kaiser's length estimate, in input samples.
  const length = (STOPBAND_DB - 8) / (2.285 * transition);
  const halfWidth = length / 2;
  const half = Math.ceil(halfWidth);
  const taps = 2 * half;

  const exact = up <= MAX_EXACT_PHASES;
  const phases = exact ? up : MAX_EXACT_PHASES;
  const table = new Float32Array((phases + 1) * taps);
  const i0Beta = besselI0(beta);
  for (let p = 0; p <= phases; p++) {
    const frac = p / phases;
    let sum = 0;
    const row = new Float64Array(taps);
    for (let i = 0; i < taps; i++) {
      // Distance from the output instant to input sample base - half + 1 + i.
      const t = frac + half - 1 - i;
      if (Math.abs(t) >= halfWidth) continue;
      const x = 2 * cutoff * t;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const r = t / halfWidth;
      const w = besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
      row[i] = 2 * cutoff * sinc * w;
      sum += row[i];
    }
    // Unit DC gain in every phase.
    for (let i = 0; i < taps; i++) table[p * taps + i] = row[i] / sum;
  }
  const filter: PolyphaseFilter = { up, down, taps, half, phases, exact, table };
  filterCache.set(key, filter);
  return filter;
}

/** One-shot resampling; equal to a StreamingResampler fed the whole signal then flushed. */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  const r = new StreamingResampler(fromRate, toRate);
  const a = r.push(samples);
  const b = r.flush();
  if (b.length === 0) return a;
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Chunked resampling. Keeps only the filter's support of past input, so memory is
 * bounded however long the signal; push() returns the output samples now determined.
 */
export class StreamingResampler {
  readonly fromRate: number;
  readonly toRate: number;
  private readonly filter: PolyphaseFilter | null;
  /** Input history; buffer[0] is input sample `bufferStart` (may be negative: leading zeros). */
  private buffer: Float32Array;
  private bufferLength = 0;
  private bufferStart: number;
  private received = 0;
  /** Next output index to produce. */
  private nextOut = 0;
  private flushed = false;
  private readonly kernel: PolyphaseKernel;
  /** Which inner loop runs: 'wasm-simd' or 'js' (identical results). */
  readonly kernelName: string;

  constructor(fromRate: number, toRate: number) {
    for (const [name, rate] of [['fromRate', fromRate], ['toRate', toRate]] as const) {
      if (!Number.isInteger(rate) || rate <= 0) throw new RangeError(`${name} must be a positive integer, got ${rate}`);
    }
    this.fromRate = fromRate;
    this.toRate = toRate;
    this.filter = fromRate === toRate ? null : designFilter(fromRate, toRate);
    const { kernel, name } = polyphaseKernel(this.filter?.taps ?? 0);
    this.kernel = kernel;
    this.kernelName = name;
    const half = this.filter?.half ?? 0;
    // Virtual zeros before the signal so the first outputs see a full window.
    this.buffer = new Float32Array(Math.max(4096, 2 * half + 16));
    this.bufferStart = -half;
    this.bufferLength = half;
  }

  push(chunk: Float32Array): Float32Array {
    if (this.flushed) throw new Error('StreamingResampler: push() after flush()');
    if (!this.filter) {
      this.received += chunk.length;
      return chunk.slice();
    }
    this.append(chunk);
    this.received += chunk.length;
    return this.produce(this.received);
  }

  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0);
    this.flushed = true;
    if (!this.filter) return new Float32Array(0);
    // Trailing zeros so the last outputs see a full window.
    this.append(new Float32Array(this.filter.half + 1));
    const { up, down } = this.filter;
    const total = Math.ceil((this.received * up) / down);
    return this.produce(Infinity, total);
  }

  private append(chunk: Float32Array): void {
    const need = this.bufferLength + chunk.length;
    if (need > this.buffer.length) {
      const grown = new Float32Array(Math.max(need, this.buffer.length * 2));
      grown.set(this.buffer.subarray(0, this.bufferLength));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.bufferLength);
    this.bufferLength = need;
  }

  /** Produce outputs whose window ends before input index `available`, up to `limit` outputs. */
  private produce(available: number, limit = Infinity): Float32Array {
    const f = this.filter!;
    const { up, down, taps, half, table, phases, exact } = f;
    const buf = this.buffer;
    const start = this.bufferStart;
    // Output j needs inputs up to floor(j*down/up) + half.
    const lastByInput = available === Infinity ? Infinity : Math.floor(((available - half) * up) / down);
    let end = Math.min(limit, lastByInput + 1);
    // Guard against float rounding in the bound: verify the last one fits.
    while (end > this.nextOut && available !== Infinity && Math.floor(((end - 1) * down) / up) + half >= available) end--;
    const count = Math.max(0, end - this.nextOut);
    const out = new Float32Array(count);
    let j = this.nextOut;
    // Position of output j as base * up + phase (exact integers; j * down may pass 2^31).
    let base = Math.floor((j * down) / up);
    let phase = j * down - base * up;
    const baseStep = Math.floor(down / up);
    const phaseStep = down - baseStep * up;
    const offset = -half + 1 - start;
    if (exact) {
      if (count > 0) this.kernel(buf, table, taps, { base: base + offset, phase, baseStep, phaseStep, up }, out);
    } else {
      for (let o = 0; o < count; o++) {
        const x = (phase / up) * phases;
        const p = Math.floor(x);
        const w = x - p;
        const first = base + offset;
        const r0 = p * taps;
        const r1 = r0 + taps;
        let acc = 0;
        for (let i = 0; i < taps; i++) acc += buf[first + i] * (table[r0 + i] + w * (table[r1 + i] - table[r0 + i]));
        out[o] = acc;
        base += baseStep;
        phase += phaseStep;
        if (phase >= up) {
          phase -= up;
          base++;
        }
      }
    }
    j += count;
    this.nextOut = j;
    // Drop input no longer needed by future outputs.
    const nextBase = Math.floor((j * down) / up);
    const keepFrom = nextBase - half + 1;
    const drop = keepFrom - start;
    if (drop > 0 && drop > this.bufferLength / 2 && drop <= this.bufferLength) {
      this.buffer.copyWithin(0, drop, this.bufferLength);
      this.bufferLength -= drop;
      this.bufferStart += drop;
    }
    return out;
  }
}

