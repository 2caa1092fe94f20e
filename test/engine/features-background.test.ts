import { describe, expect, it } from 'vitest';
import { BackgroundSubtractor } from '../../src-main/engine/features/background';
import { DEFAULT_FEATURE_CONFIG, rawFeatureConfig, type FeatureConfig } from '../../src-main/engine/features/config';
import { computeLogMel, LogMelExtractor, concatLogMel } from '../../src-main/engine/features/logmel';
import { rng, tone } from './audio-fixtures';

const withBackground: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, background: { timeConstantSeconds: 2 } };
const BANDS = 4;

function randomRows(frames: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: frames * BANDS }, () => r() * 4 - 10);
}

function subtract(data: Float32Array, frames: number, chunk = frames): Float32Array {
  const out = data.slice();
  const s = new BackgroundSubtractor(BANDS, 0.02, { timeConstantSeconds: 2 });
  for (let f = 0; f < frames; f += chunk) s.apply(out.subarray(f * BANDS, Math.min(frames, f + chunk) * BANDS), Math.min(chunk, frames - f));
  return out;
}

describe('BackgroundSubtractor', () => {
  it('gives the same output whatever the chunking', () => {
    const data = randomRows(700, 1);
    const whole = subtract(data, 700);
    for (const chunk of [1, 7, 100, 333]) expect(subtract(data, 700, chunk)).toEqual(whole);
  });

  it('removes a constant gain and a fixed per-band EQ exactly', () => {
    const data = randomRows(500, 2);
    const eq = [3, -2, 0.5, 7];
    const shifted = data.map((v, i) => v + eq[i % BANDS] + 1.7);
    const a = subtract(data, 500);
    const b = subtract(shifted, 500);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 4);
  });

  it('takes a stationary background to zero and leaves a burst standing out', () => {
    const frames = 600;
    const data = new Float32Array(frames * BANDS).fill(-6);
    for (let f = 400; f < 410; f++) data[f * BANDS + 1] = 0;
    const out = subtract(data, frames);
    expect(Math.max(...out.subarray(0, 400 * BANDS).map(Math.abs))).toBeLessThan(1e-6);
    // A 0.2 s burst 6 nats above the floor keeps most of its height: the estimate moves slowly.
    expect(out[405 * BANDS + 1]).toBeGreaterThan(5.5);
    expect(Math.abs(out[405 * BANDS + 2])).toBeLessThan(1e-6);
  });

  it('rejects a time constant that is not positive', () => {
    expect(() => new BackgroundSubtractor(4, 0.02, { timeConstantSeconds: 0 })).toThrow(/time constant/);
  });
});

describe('log-mel with background subtraction', () => {
  const signal = Float32Array.from(tone(440, 16000, 6, 0.3), (v, i) => v + 0.01 * Math.sin(i * 1.7));

  it('is the raw log-mel with the subtractor applied, and chunked extraction is bit-identical', () => {
    const raw = computeLogMel(signal, rawFeatureConfig(withBackground));
    const expected = raw.data.slice();
    new BackgroundSubtractor(raw.bands, 0.02, withBackground.background!).apply(expected, raw.frames);
    const whole = computeLogMel(signal, withBackground);
    expect(whole.data).toEqual(expected);
    const x = new LogMelExtractor(withBackground);
    const parts = [];
    for (let i = 0; i < signal.length; i += 5003) parts.push(x.push(signal.subarray(i, i + 5003)));
    parts.push(x.flush());
    expect(concatLogMel(parts).data).toEqual(whole.data);
  });

  it('makes the features independent of the recording level', () => {
    const quiet = computeLogMel(signal.map((v) => v * 0.1), withBackground);
    const loud = computeLogMel(signal, withBackground);
    let worst = 0;
    for (let i = 0; i < loud.data.length; i++) worst = Math.max(worst, Math.abs(loud.data[i] - quiet.data[i]));
    // ln(P + floor) is a pure shift of ln(P) only where P >> floor: the tone's bands.
    const rawQuiet = computeLogMel(signal.map((v) => v * 0.1), DEFAULT_FEATURE_CONFIG);
    const rawLoud = computeLogMel(signal, DEFAULT_FEATURE_CONFIG);
    const row = rawLoud.data.subarray(200 * 64, 201 * 64);
    const band = row.indexOf(Math.max(...row));
    expect(Math.abs(rawLoud.data[200 * 64 + band] - rawQuiet.data[200 * 64 + band])).toBeGreaterThan(4);
    expect(Math.abs(loud.data[200 * 64 + band] - quiet.data[200 * 64 + band])).toBeLessThan(1e-3);
    expect(worst).toBeLessThan(5);
  });
});
