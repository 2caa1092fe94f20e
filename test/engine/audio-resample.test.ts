import { describe, expect, it } from 'vitest';
import { polyphaseJs, type PolyphaseKernel } from '../../src-main/engine/audio/polyphase-kernel';
import { resample, StreamingResampler } from '../../src-main/engine/audio/resample';
import { compareSamples, concat, dftMagnitude, peakFrequency, rms, rng, tone } from './audio-fixtures';

/** Largest |y[j] - expected(j)| over the middle of the signal (edges see the zero padding). */
function maxErrorVsTone(y: Float32Array, rate: number, freq: number, amplitude: number): number {
  let worst = 0;
  const margin = Math.round(rate * 0.05);
  for (let j = margin; j < y.length - margin; j++) {
    worst = Math.max(worst, Math.abs(y[j] - amplitude * Math.sin((2 * Math.PI * freq * j) / rate)));
  }
  return worst;
}

describe('resample', () => {
  it.each([
    [44100, 16000, 1000],
    [44100, 16000, 5000],
    [16000, 44100, 1000],
    [16000, 44100, 6000],
    [48000, 16000, 440],
    [22050, 16000, 3000],
  ])('%i Hz -> %i Hz keeps a %i Hz tone: frequency, level and phase', (from, to, freq) => {
    const x = tone(freq, from, 1, 0.5);
    const y = resample(x, from, to);
    expect(y.length).toBe(Math.ceil((x.length * to) / from));
    expect(peakFrequency(y, to)).toBe(freq);
    const mid = Math.round(to * 0.05);
    expect(rms(y, mid, y.length - mid) / (0.5 / Math.SQRT2)).toBeCloseTo(1, 3);
    // Zero-phase filter: output sample j is the tone at time j / to.
    expect(maxErrorVsTone(y, to, freq, 0.5)).toBeLessThan(2e-4);
  });

  it('attenuates a tone above the new Nyquist by more than 60 dB (no aliasing)', () => {
    for (const freq of [8200, 10000, 15000, 21000]) {
      const x = tone(freq, 44100, 1, 0.5);
      const y = resample(x, 44100, 16000);
      const mid = 800;
      const gainDb = 20 * Math.log10(rms(y, mid, y.length - mid) / rms(x));
      expect(gainDb, `${freq} Hz`).toBeLessThan(-60);
      // Where it would alias to:
      const alias = 16000 - freq > 0 ? Math.abs(16000 - freq) : freq - 16000;
      expect(dftMagnitude(y, 16000, alias) / (y.length / 2) / 0.5).toBeLessThan(1e-3);
    }
  });

  it('moves an impulse to the same instant at the new rate', () => {
    const x = new Float32Array(44100);
    x[22050] = 1; // 0.5 s
    const y = resample(x, 44100, 16000);
    let arg = 0;
    for (let j = 0; j < y.length; j++) if (Math.abs(y[j]) > Math.abs(y[arg])) arg = j;
    expect(arg).toBe(8000);
  });

  it('keeps DC exactly at unit gain and returns a copy when rates match', () => {
    const x = new Float32Array(10000).fill(0.25);
    const y = resample(x, 44100, 16000);
    for (let j = 200; j < y.length - 200; j++) expect(Math.abs(y[j] - 0.25)).toBeLessThan(1e-6);
    const same = resample(x, 16000, 16000);
    expect(same).toEqual(x);
    expect(same).not.toBe(x);
  });

  it('rejects non-integer or non-positive rates', () => {
    expect(() => resample(new Float32Array(4), 0, 16000)).toThrow(RangeError);
    expect(() => resample(new Float32Array(4), 44100.5, 16000)).toThrow(RangeError);
  });
});

describe('StreamingResampler', () => {
  it.each([
    [44100, 16000],
    [16000, 44100],
    [48000, 44100],
    [44100, 44100],
  ])('%i -> %i: random chunking gives exactly the one-shot output', (from, to) => {
    const rand = rng(from + to);
    const x = new Float32Array(from * 2 + 17);
    for (let i = 0; i < x.length; i++) x[i] = rand() * 2 - 1;
    const oneShot = resample(x, from, to);
    const s = new StreamingResampler(from, to);
    const parts: Float32Array[] = [];
    for (let o = 0; o < x.length; ) {
      const n = Math.min(x.length - o, Math.floor(rand() * 5000));
      parts.push(s.push(x.subarray(o, o + n)));
      o += n;
    }
    parts.push(s.flush());
    expect(compareSamples(concat(parts), oneShot)).toBe('equal');
  });

  it('handles empty input and single-sample chunks', () => {
    const x = tone(440, 44100, 0.05);
    const s = new StreamingResampler(44100, 16000);
    const parts = [s.push(new Float32Array(0))];
    for (let i = 0; i < x.length; i++) parts.push(s.push(x.subarray(i, i + 1)));
    parts.push(s.flush());
    expect(concat(parts)).toEqual(resample(x, 44100, 16000));
    expect(resample(new Float32Array(0), 44100, 16000).length).toBe(0);
  });
});

describe('polyphase kernels', () => {
  it('uses the WebAssembly SIMD kernel in Node', () => {
    expect(new StreamingResampler(44100, 16000).kernelName).toBe('wasm-simd');
  });

  it.each([
    [44100, 16000],
    [16000, 44100],
    [48000, 16000],
    [22050, 16000],
    [8000, 44100],
  ])('%i -> %i: wasm and JavaScript kernels give bit-identical outputs', (from, to) => {
    const x = new Float32Array(from + 333);
    const rand = rng(from * 3 + to);
    for (let i = 0; i < x.length; i++) x[i] = rand() * 2 - 1;
    const viaWasm = new StreamingResampler(from, to);
    const viaJs = new StreamingResampler(from, to);
    // Swap the inner loop of the second one for the plain JavaScript kernel.
    (viaJs as unknown as { kernel: PolyphaseKernel }).kernel = polyphaseJs;
    const a = concat([viaWasm.push(x.subarray(0, 5000)), viaWasm.push(x.subarray(5000)), viaWasm.flush()]);
    const b = concat([viaJs.push(x.subarray(0, 777)), viaJs.push(x.subarray(777)), viaJs.flush()]);
    expect(a.length).toBe(Math.ceil((x.length * to) / from));
    expect(compareSamples(a, b)).toBe('equal');
  });

  it('the JavaScript kernel is an exact double-precision dot product per output', () => {
    // Taps and samples that are small integers: every sum is exact whatever the order.
    const taps = 6;
    const table = Float32Array.from({ length: 2 * taps }, (_, i) => (i % 5) - 2);
    const x = Float32Array.from({ length: 40 }, (_, i) => (i % 7) - 3);
    const out = new Float32Array(10);
    polyphaseJs(x, table, taps, { base: 1, phase: 1, baseStep: 1, phaseStep: 1, up: 2 }, out);
    let base = 1;
    let phase = 1;
    for (let o = 0; o < out.length; o++) {
      let want = 0;
      for (let i = 0; i < taps; i++) want += x[base + i] * table[phase * taps + i];
      expect(out[o], `output ${o}`).toBe(want);
      base += 1 + (phase + 1 >= 2 ? 1 : 0);
      phase = (phase + 1) % 2;
    }
  });
});
