import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_CONFIG } from '../../src-main/engine/features/config';
import type { FeatureConfig } from '../../src-main/engine/features/config';
import { RealFFT } from '../../src-main/engine/features/fft';
import { computeLogMel, computePowerSpectrogram, concatLogMel, LogMelExtractor } from '../../src-main/engine/features/logmel';
import { hzToMel, melFilterbank, melToHz } from '../../src-main/engine/features/mel';
import { compareSamples, rng, tone } from './audio-fixtures';

const cfg: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG };

function noise(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

/** Direct O(N^2) one-sided power spectrum. */
function directPower(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const out = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      re += x[j] * Math.cos((2 * Math.PI * k * j) / n);
      im -= x[j] * Math.sin((2 * Math.PI * k * j) / n);
    }
    out[k] = re * re + im * im;
  }
  return out;
}

describe('RealFFT', () => {
  it.each([4, 8, 64, 1024])('matches a direct DFT and Parseval (n=%i)', (n) => {
    const x = noise(n, n);
    const p = new RealFFT(n).powerSpectrum(x, new Float64Array(n / 2 + 1));
    const d = directPower(x);
    for (let k = 0; k <= n / 2; k++) expect(Math.abs(p[k] - d[k])).toBeLessThan(1e-9 * n * n);
    // Parseval: sum |x|^2 = (1/n) * sum over all n bins of |X|^2 (interior bins appear twice).
    let time = 0;
    for (const v of x) time += v * v;
    let freq = p[0] + p[n / 2];
    for (let k = 1; k < n / 2; k++) freq += 2 * p[k];
    expect(freq / n).toBeCloseTo(time, 8);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => new RealFFT(1000)).toThrow(RangeError);
  });

  // The features the models were trained on came from a plain radix-2 loop; the faster loop order
  // (fused stage pairs) must give the very same numbers, not just close ones.
  it.each([4, 8, 16, 32, 512, 1024, 2048])('is bit-identical to the textbook radix-2 loop (n=%i)', (n) => {
    const x = noise(n, 7 * n);
    expect(new RealFFT(n).powerSpectrum(x, new Float64Array(n / 2 + 1))).toEqual(textbookPower(x));
  });

  it('windowedPowerSpectrum equals powerSpectrum of the windowed frame', () => {
    const n = 1024;
    const x = noise(3000, 3);
    const w = Float64Array.from({ length: n }, (_, j) => 0.5 - 0.5 * Math.cos((2 * Math.PI * j) / n));
    const fft = new RealFFT(n);
    const frame = Float64Array.from({ length: n }, (_, j) => x[700 + j] * w[j]);
    const expected = fft.powerSpectrum(frame, new Float64Array(n / 2 + 1)).slice();
    expect(fft.windowedPowerSpectrum(x, 700, w, new Float64Array(n / 2 + 1))).toEqual(expected);
  });
});

/** Packed-real radix-2 FFT power spectrum in the plain textbook loop order (the original implementation). */
function textbookPower(input: ArrayLike<number>): Float64Array {
  const n = input.length;
  const m = n / 2;
  const bits = Math.log2(m);
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let r = 0;
    for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
    re[r] = input[2 * i];
    im[r] = input[2 * i + 1];
  }
  for (let len = 2; len <= m; len <<= 1) {
    const halfLen = len >> 1;
    const step = m / len;
    for (let start = 0; start < m; start += len) {
      for (let k = 0, t = 0; k < halfLen; k++, t += step) {
        const wr = Math.cos((2 * Math.PI * t) / m);
        const wi = -Math.sin((2 * Math.PI * t) / m);
        const a = start + k;
        const b = a + halfLen;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
  const out = new Float64Array(m + 1);
  for (let k = 0; k <= m; k++) {
    const zr = re[k === m ? 0 : k];
    const zi = im[k === m ? 0 : k];
    const cr = re[k === 0 ? 0 : m - k];
    const ci = -im[k === 0 ? 0 : m - k];
    const er = 0.5 * (zr + cr);
    const ei = 0.5 * (zi + ci);
    const or = 0.5 * (zi - ci);
    const oi = -0.5 * (zr - cr);
    const wr = Math.cos((2 * Math.PI * k) / n);
    const wi = -Math.sin((2 * Math.PI * k) / n);
    const xr = er + wr * or - wi * oi;
    const xi = ei + wr * oi + wi * or;
    out[k] = xr * xr + xi * xi;
  }
  return out;
}

describe('melFilterbank (Slaney)', () => {
  it('uses the Slaney mel scale', () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(500)).toBeCloseTo(7.5, 12);
    expect(hzToMel(6400)).toBeCloseTo(15 + 27, 10);
    for (const f of [0, 50, 999, 1000, 4000, 8000]) expect(melToHz(hzToMel(f))).toBeCloseTo(f, 8);
  });

  it('has increasing centres equally spaced in mel, and unit-area (Slaney-normalised) bands', () => {
    const fb = melFilterbank(cfg);
    expect(fb.bands).toBe(64);
    const step = (hzToMel(cfg.fmax) - hzToMel(cfg.fmin)) / 65;
    for (let b = 0; b < fb.bands; b++) {
      expect(hzToMel(fb.centres[b])).toBeCloseTo(hzToMel(cfg.fmin) + (b + 1) * step, 9);
      if (b > 20) {
        // 2/(upper-lower) scaling: the triangle integrates to 1 over Hz.
        const area = fb.weights[b].reduce((a, w) => a + w, 0) * (cfg.sampleRate / cfg.fftSize);
        expect(area).toBeCloseTo(1, 1);
      }
    }
  });
});

describe('computeLogMel', () => {
  it('puts a 1 kHz tone in the band whose centre is nearest 1 kHz', () => {
    const m = computeLogMel(tone(1000, 16000, 1), cfg);
    const fb = melFilterbank(cfg);
    let nearest = 0;
    for (let b = 0; b < fb.bands; b++) if (Math.abs(fb.centres[b] - 1000) < Math.abs(fb.centres[nearest] - 1000)) nearest = b;
    for (const f of [10, 25, 40]) {
      const row = m.data.subarray(f * m.bands, (f + 1) * m.bands);
      expect(row.indexOf(Math.max(...row))).toBe(nearest);
    }
  });

  it('has 1 + floor(n / hop) frames', () => {
    for (const n of [0, 1, 319, 320, 321, 16000, 16001]) {
      const m = computeLogMel(new Float32Array(n), cfg);
      expect(m.frames).toBe(1 + Math.floor(n / 320));
      expect(m.bands).toBe(64);
      expect(m.data.length).toBe(m.frames * 64);
    }
    // Silence gives exactly log(logFloor).
    expect(computeLogMel(new Float32Array(1000), cfg).data[5]).toBeCloseTo(Math.log(cfg.logFloor), 5);
  });

  it('centres frame i at sample i*hop: an impulse at k peaks in frame round(k/hop)', () => {
    for (const k of [0, 100, 159, 161, 5000, 5123, 15999]) {
      const x = new Float32Array(16000);
      x[k] = 1;
      const m = computeLogMel(x, cfg);
      let best = 0;
      let bestEnergy = -1;
      for (let f = 0; f < m.frames; f++) {
        let e = 0;
        for (let b = 0; b < m.bands; b++) e += Math.exp(m.data[f * m.bands + b]);
        if (e > bestEnergy) [best, bestEnergy] = [f, e];
      }
      expect(best, `impulse at ${k}`).toBe(Math.round(k / 320));
    }
  });

  it('conserves STFT energy (Hann^2 overlap-add is constant at hop = window/4)', () => {
    const c: FeatureConfig = { ...cfg, hopLength: 256 };
    const x = new Float32Array(16000);
    const burst = noise(8000, 5);
    x.set(burst, 4000); // zero near the edges, where the overlap-add is incomplete
    const s = computePowerSpectrogram(x, c);
    let stft = 0;
    for (let f = 0; f < s.frames; f++) {
      const row = s.data.subarray(f * s.bins, (f + 1) * s.bins);
      stft += row[0] + row[s.bins - 1];
      for (let k = 1; k < s.bins - 1; k++) stft += 2 * row[k];
    }
    let energy = 0;
    for (const v of burst) energy += v * v;
    // sum_i w^2(n - i*hop) = (3/8) * windowLength / hop = 1.5 for periodic Hann.
    expect(stft / c.fftSize / (1.5 * energy)).toBeCloseTo(1, 5);
  });

  it('matches mel energies computed from a direct DFT of the framed signal', () => {
    const c: FeatureConfig = { ...cfg, windowLength: 800 };
    const x = noise(4000, 11);
    const m = computeLogMel(x, c);
    const fb = melFilterbank(c);
    for (const i of [0, 3, 7, 12]) {
      const frame = new Float64Array(c.fftSize);
      const offset = (c.fftSize - c.windowLength) / 2;
      for (let j = 0; j < c.windowLength; j++) {
        const n = i * c.hopLength - c.fftSize / 2 + offset + j;
        const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * j) / c.windowLength);
        frame[offset + j] = (n >= 0 && n < x.length ? x[n] : 0) * w;
      }
      const p = directPower(frame);
      for (const b of [0, 10, 31, 63]) {
        let e = 0;
        fb.weights[b].forEach((w, q) => (e += w * p[fb.start[b] + q]));
        expect(m.data[i * m.bands + b]).toBeCloseTo(Math.log(e + c.logFloor), 4);
      }
    }
  });
});

describe('LogMelExtractor', () => {
  it('gives bit-identical frames to computeLogMel for random chunk sizes', () => {
    const x = noise(16000 * 3 + 77, 21);
    const whole = computeLogMel(x, cfg);
    for (const seed of [1, 2, 3]) {
      const r = rng(seed);
      const ex = new LogMelExtractor(cfg);
      const parts = [];
      for (let o = 0; o < x.length; ) {
        const n = Math.min(x.length - o, Math.floor(r() * (seed === 3 ? 50 : 9000)));
        parts.push(ex.push(x.subarray(o, o + n)));
        o += n;
      }
      parts.push(ex.flush());
      const got = concatLogMel(parts);
      expect(got.frames).toBe(whole.frames);
      expect(compareSamples(got.data, whole.data)).toBe('equal');
    }
  });

  it('refuses invalid configs', () => {
    expect(() => new LogMelExtractor({ ...cfg, windowLength: 2048 })).toThrow(RangeError);
    expect(() => new LogMelExtractor({ ...cfg, fmax: 9000 })).toThrow(RangeError);
    expect(() => new LogMelExtractor({ ...cfg, logFloor: 0 })).toThrow(RangeError);
  });
});
