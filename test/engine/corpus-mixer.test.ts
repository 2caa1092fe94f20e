import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src-main/engine/audio/wav';
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from '../../src-main/engine/features/config';
import { computeLogMel } from '../../src-main/engine/features/logmel';
import { createRng } from '../../src-main/engine/random';
import { batchFromMixedCrops, onsetLossWeights, weighPositiveSteps } from '../../src-main/engine/train/corpus-batch';
import * as tf from '@tensorflow/tfjs';
import { bceWithLogits } from '../../src-main/engine/train/gradients';
import { CorpusMixer, DEFAULT_CORPUS_MIXING } from '../../src-main/engine/train/corpus-mixer';
import { loadMelCorpus, type MelCorpus } from '../../src-main/engine/train/corpus-sources';

const RATE = 16000;
const classes = ['beep', 'chirp'];
const features: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, background: { timeConstantSeconds: 3 } };
let dir: string;
const corpora: Partial<Record<'train' | 'validation' | 'test', MelCorpus>> = {};

function noise(seconds: number, seed: number, amplitude: number): Float32Array {
  const r = createRng(seed);
  return Float32Array.from({ length: Math.round(seconds * RATE) }, () => amplitude * (r() * 2 - 1));
}

function burst(freq: number, seconds: number, amplitude = 0.4): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * RATE) }, (_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / RATE));
}

function write(rel: string, samples: Float32Array): void {
  const path = join(dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, encodeWav(samples, RATE, { bitDepth: 16 }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earmark-corpus-mixer-'));
  for (let i = 0; i < 5; i++) {
    write(`events/beep/beep_${i}.wav`, burst(800 + 50 * i, 0.4 + 0.1 * i));
    write(`events/chirp/chirp_${i}.wav`, burst(3000 + 100 * i, 0.3 + 0.1 * i));
    write(`distractors/click_pkg_${i}.wav`, burst(6000, 0.05));
  }
  for (let i = 0; i < 6; i++) write(`backgrounds/street_${String(i).padStart(2, '0')}.wav`, noise(6 + i, i + 1, 0.02));
  for (const split of ['train', 'validation', 'test'] as const) corpora[split] = await loadMelCorpus(dir, split, classes, features);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every source file of a loaded corpus: events, backgrounds and distractors. */
function sourceFiles(corpus: MelCorpus): string[] {
  return [...Object.values(corpus.events).flat(), ...corpus.backgrounds, ...corpus.distractors].map((s) => s.file);
}

describe('loadMelCorpus', () => {
  it('keeps the splits disjoint and gives every split sources', () => {
    const all = Object.values(corpora).flatMap((c) => sourceFiles(c!));
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(5 * 3 + 6);
    for (const c of Object.values(corpora)) expect(c!.backgrounds.length).toBeGreaterThan(0);
    expect(corpora.train!.events.beep.length).toBeGreaterThan(0);
    expect(corpora.train!.skipped).toEqual([]);
  });

  it('pools several splits into one set of sources, each source once', async () => {
    const pooled = sourceFiles(await loadMelCorpus(dir, ['train', 'validation', 'train'], classes, features)).sort();
    expect(pooled).toEqual([...sourceFiles(corpora.train!), ...sourceFiles(corpora.validation!)].sort());
    for (const file of sourceFiles(corpora.test!)) expect(pooled).not.toContain(file);
  });

  it('trims events to their audible part', () => {
    const beep = corpora.train!.events.beep[0];
    // 0.4-0.8 s bursts at 20 ms frames, less the two zero-padded edge frames.
    expect(beep.frames).toBeGreaterThanOrEqual(18);
    expect(beep.frames).toBeLessThanOrEqual(41);
  });
});

describe('mixing in the mel-power domain', () => {
  it('approximates the log-mel of the waveform mixture', () => {
    const raw = { ...DEFAULT_FEATURE_CONFIG };
    const bed = noise(3, 9, 0.05);
    const event = new Float32Array(bed.length);
    event.set(burst(1200, 1, 0.3), RATE);
    const mixed = bed.map((v, i) => v + event[i]);
    const power = (x: Float32Array) => computeLogMel(x, raw).data.map((v) => Math.exp(v) - raw.logFloor);
    const pb = power(bed);
    const pe = power(event);
    const truth = computeLogMel(mixed, raw).data;
    const diffs: number[] = [];
    for (let i = 0; i < truth.length; i++) diffs.push(Math.abs(Math.log(pb[i] + pe[i] + raw.logFloor) - truth[i]));
    diffs.sort((a, b) => a - b);
    // Cross terms between uncorrelated sources average out: the median error is a few hundredths of a nat.
    expect(diffs[Math.floor(diffs.length / 2)]).toBeLessThan(0.1);
    expect(diffs[Math.floor(diffs.length * 0.95)]).toBeLessThan(0.7);
  });
});

describe('CorpusMixer', () => {
  it('is reproducible from the seed and labels only target events', () => {
    const mixer = new CorpusMixer(corpora.train!, classes, features);
    const a = mixer.crop(128, createRng(5));
    const b = mixer.crop(128, createRng(5));
    expect(a.features).toEqual(b.features);
    expect(a.targets).toEqual(b.targets);
    expect(a.features.length).toBe(128 * 64);
    expect(a.features.every(Number.isFinite)).toBe(true);
  });

  it('places events inside the crop as single labelled runs, and never labels distractors', () => {
    const onlyEvents = new CorpusMixer(corpora.train!, classes, features, { ...DEFAULT_CORPUS_MIXING, eventProbability: 1, extraEventProbability: 0, distractorProbability: 0 });
    const rng = createRng(2);
    let seen = 0;
    for (let k = 0; k < 30; k++) {
      const { targets } = onlyEvents.crop(128, rng);
      const active = classes.map((_, c) => Array.from({ length: 128 }, (_, f) => targets[f * 2 + c]));
      const labelled = active.filter((col) => col.some((v) => v > 0));
      expect(labelled.length).toBe(1);
      const col = labelled[0];
      const first = col.indexOf(1);
      const last = col.lastIndexOf(1);
      expect(col.slice(first, last + 1).every((v) => v === 1)).toBe(true);
      seen++;
    }
    expect(seen).toBe(30);
    const onlyDistractors = new CorpusMixer(corpora.train!, classes, features, { ...DEFAULT_CORPUS_MIXING, eventProbability: 0, distractorProbability: 1 });
    for (let k = 0; k < 10; k++) expect(onlyDistractors.crop(128, rng).targets.every((v) => v === 0)).toBe(true);
  });

  it('sets the event-to-background ratio in mel power', () => {
    const at = (ebr: number) => new CorpusMixer(corpora.train!, classes, { ...features, background: undefined }, {
      ...DEFAULT_CORPUS_MIXING, eventProbability: 1, extraEventProbability: 0, distractorProbability: 0, secondBedProbability: 0,
      reverbProbability: 0, eqProbability: 0, bandLimitProbability: 0, stretch: [1, 1], bandShiftProbability: 0, ebrDb: [ebr, ebr], bedGainDb: [0, 0],
    });
    // Same draws at two ratios 12 dB apart: inside the event, the mixture's power rises by about 12 dB where the event dominates.
    const lo = at(0).crop(128, createRng(11));
    const hi = at(12).crop(128, createRng(11));
    let inside = 0;
    let n = 0;
    for (let f = 0; f < 128; f++) {
      if (lo.targets[f * 2] + lo.targets[f * 2 + 1] === 0) continue;
      let pLo = 0;
      let pHi = 0;
      for (let b = 0; b < 64; b++) {
        pLo += Math.exp(lo.features[f * 64 + b]);
        pHi += Math.exp(hi.features[f * 64 + b]);
      }
      inside += 10 * Math.log10(pHi / pLo);
      n++;
    }
    expect(n).toBeGreaterThan(0);
    // (1 + 10^1.2) / (1 + 1) in dB = 9.3 dB for a flat event over a flat bed.
    expect(inside / n).toBeGreaterThan(7);
    expect(inside / n).toBeLessThan(12.5);
  });

  it('builds normalised batches with pooled targets', () => {
    const mixer = new CorpusMixer(corpora.train!, classes, features);
    const rng = createRng(3);
    const crops = [mixer.crop(64, rng), mixer.crop(64, rng)];
    const norm = { mean: new Array(64).fill(1), std: new Array(64).fill(2) };
    const batch = batchFromMixedCrops(crops, 64, 4, 2, norm);
    expect(batch.inputs[64 * 64 + 3]).toBeCloseTo((crops[1].features[3] - 1) / 2, 5);
    for (let s = 0; s < 16; s++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += crops[0].targets[(s * 4 + k) * 2 + 1];
      expect(batch.targets[s * 2 + 1]).toBeCloseTo(sum / 4, 6);
    }
  });

  it('weighs the loss around each onset: one step before to two after, per class, none for an event already running', () => {
    // Two classes, 32 frames, 4 frames per step: class 0 starts at frame 13 (step 3) and runs on; class 1 runs
    // from frame 0 (no onset) to 5, then starts again at frame 30 (step 7, the last).
    const targets = new Float32Array(32 * 2);
    for (let f = 13; f < 32; f++) targets[f * 2] = 1;
    for (let f = 0; f < 6; f++) targets[f * 2 + 1] = 1;
    for (let f = 30; f < 32; f++) targets[f * 2 + 1] = 1;
    const weights = onsetLossWeights([{ features: new Float32Array(32 * 3), targets }], 32, 4, 2, 3);
    expect(Array.from({ length: 8 }, (_, s) => weights[s * 2])).toEqual([1, 1, 4, 4, 4, 4, 1, 1]);
    expect(Array.from({ length: 8 }, (_, s) => weights[s * 2 + 1])).toEqual([1, 1, 1, 1, 1, 1, 4, 4]);
    const norm = { mean: [0, 0, 0], std: [1, 1, 1] };
    expect(batchFromMixedCrops([{ features: new Float32Array(32 * 3), targets }], 32, 4, 2, norm).lossWeights).toBeUndefined();
    expect(Array.from(batchFromMixedCrops([{ features: new Float32Array(32 * 3), targets }], 32, 4, 2, norm, { onsetWeight: 3 }).lossWeights!)).toEqual(Array.from(weights));
  });

  it('weighs the steps where a class is active by its positive weight, on top of the onset weight', () => {
    // Class 1 sounds in frames 6..9: steps 1 (frames 4-7) and 2 (frames 8-11) are active; class 0 never sounds.
    const targets = new Float32Array(16 * 2);
    for (let f = 6; f < 10; f++) targets[f * 2 + 1] = 1;
    const crop = { features: new Float32Array(16 * 3), targets };
    const norm = { mean: [0, 0, 0], std: [1, 1, 1] };
    const positive = batchFromMixedCrops([crop], 16, 4, 2, norm, { positiveWeights: [5, 2] }).lossWeights!;
    expect(Array.from({ length: 4 }, (_, s) => positive[s * 2])).toEqual([1, 1, 1, 1]);
    expect(Array.from({ length: 4 }, (_, s) => positive[s * 2 + 1])).toEqual([1, 3, 3, 1]);
    // Onset at frame 6 (step 1): steps 0-3 get 1 + 1; the active steps are then tripled.
    const both = batchFromMixedCrops([crop], 16, 4, 2, norm, { onsetWeight: 1, positiveWeights: [0, 2] }).lossWeights!;
    expect(Array.from({ length: 4 }, (_, s) => both[s * 2 + 1])).toEqual([2, 6, 6, 2]);
    expect(batchFromMixedCrops([crop], 16, 4, 2, norm, { positiveWeights: [0, 0] }).lossWeights).toBeUndefined();
    expect(() => weighPositiveSteps(new Float32Array(8), new Float32Array(8), 2, [1])).toThrow(/1 positive weights for 2 classes/);
  });

  it('takes the weighted mean of the cross-entropy, equal to the plain mean under equal weights', () => {
    const logits = tf.tensor2d([[2, -1], [0.5, 3]]);
    const targets = tf.tensor2d([[1, 0], [0, 1]]);
    const plain = bceWithLogits(logits, targets).dataSync()[0];
    expect(bceWithLogits(logits, targets, undefined, tf.fill([2, 2], 5)).dataSync()[0]).toBeCloseTo(plain, 6);
    const each = Array.from(tf.tidy(() => tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))).dataSync()));
    const w = [3, 1, 1, 1];
    const expected = each.reduce((sum, v, i) => sum + v * w[i], 0) / w.reduce((a, b) => a + b, 0);
    expect(bceWithLogits(logits, targets, undefined, tf.tensor2d([[3, 1], [1, 1]])).dataSync()[0]).toBeCloseTo(expected, 6);
  });

  it('refuses a corpus split without backgrounds or target events', () => {
    expect(() => new CorpusMixer({ ...corpora.train!, backgrounds: [] }, classes, features)).toThrow(/no background/);
    expect(() => new CorpusMixer(corpora.train!, ['other'], features)).toThrow(/no event/);
  });
});
