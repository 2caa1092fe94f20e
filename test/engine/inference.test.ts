import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFrameScorer, type CrnnScorer, type FeatureMatrix } from '../../src-main/engine/inference';
import type { CrnnConfig } from '../../src-main/engine/model/manifest';
import { probabilitiesToEvents } from '../../src-main/engine/postprocess';
import { FIXTURE_CLASSES, energyDetector, rng, writeFixtureModel } from './onnx-fixtures';

let dir: string;
const scorers: CrnnScorer[] = [];
const quiet = () => {};
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-inference-'));
  process.env.EARMARK_CACHE_DIR = join(dir, 'cache');
});
afterAll(async () => {
  for (const s of scorers) await s.dispose();
  delete process.env.EARMARK_CACHE_DIR;
  await rm(dir, { recursive: true, force: true });
});

async function open(modelDir: string, options: Parameters<typeof createFrameScorer>[1] = {}) {
  const s = await createFrameScorer(modelDir, { log: quiet, ...options });
  scorers.push(s);
  return s;
}

function syntheticFeatures(frames: number, bands: number, loud: [number, number][]): FeatureMatrix {
  const data = new Float32Array(frames * bands).fill(-2);
  for (const [a, b] of loud) data.fill(3, a * bands, b * bands);
  return { data, frames, bands };
}

describe('windowed inference', () => {
  it('finds an event placed across a window boundary once, with the right times', async () => {
    const modelDir = join(dir, 'energy');
    await writeFixtureModel(modelDir, energyDetector(64));
    // 30 s windows (1500 frames of 20 ms), 2 s context; the burst spans the boundary at frame 1500.
    const scorer = await open(modelDir, { windowSeconds: 30, contextSeconds: 2 });
    expect(scorer.backend).toBe('onnx');
    const features = syntheticFeatures(4000, 64, [[1480, 1540], [3000, 3010]]);
    const probs = await scorer.score(features);
    expect(probs.length).toBe(4000 * 3);
    const config = { thresholds: { babycry: 0.5, glassbreak: 0.5, gunshot: 0.5 }, medianFilterFrames: 1, minEventSeconds: 0, mergeGapSeconds: 0, oneEventPerFile: false };
    const events = probabilitiesToEvents(probs, 4000, FIXTURE_CLASSES, config, scorer.frameSeconds, 'f.wav');
    expect(events.map((e) => [e.label, +e.onset.toFixed(6), +e.offset.toFixed(6)])).toEqual([
      ['babycry', 29.6, 30.8],
      ['babycry', 60, 60.2],
    ]);
  });

  it('stitched windows equal the whole-file pass, in one piece or streamed in odd chunks', async () => {
    const modelDir = join(dir, 'random');
    const arch: CrnnConfig = { convBlocks: [{ filters: 6, poolTime: 2, poolFreq: 4 }, { filters: 6, poolTime: 2, poolFreq: 4 }], gruUnits: 8, dropout: 0 };
    const bands = 64;
    const mean = Array.from({ length: bands }, (_, i) => -5 + i * 0.05);
    const std = Array.from({ length: bands }, (_, i) => 1.5 + (i % 3) * 0.2);
    await writeFixtureModel(modelDir, { arch, seed: 11, normalization: { mean, std } });
    const r = rng(5);
    const frames = 3333; // not a multiple of the pool factor nor of the window
    const data = new Float32Array(frames * bands);
    for (let t = 0; t < frames; t++) {
      const level = Math.sin(t / 40) * 2;
      for (let b = 0; b < bands; b++) data[t * bands + b] = mean[b] + std[b] * (level + (r() - 0.5));
    }
    const whole = await (await open(modelDir, { windowSeconds: 1000 })).score({ data, frames, bands });
    const windowedScorer = await open(modelDir, { windowSeconds: 10, contextSeconds: 4, batchWindows: 3 });
    const windowed = await windowedScorer.score({ data, frames, bands });
    const chunks = function* () {
      for (let t = 0, n = 1; t < frames; t += n, n = (n * 7 + 13) % 401) yield { data: data.subarray(t * bands, Math.min(frames, t + n) * bands), frames: Math.min(frames, t + n) - t, bands };
    };
    const streamed = await windowedScorer.scoreStream(chunks());
    expect(streamed.frames).toBe(frames);
    expect(whole.length).toBe(frames * 3);
    let maxDiff = 0;
    let maxStreamDiff = 0;
    for (let i = 0; i < whole.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(whole[i] - windowed[i]));
      maxStreamDiff = Math.max(maxStreamDiff, Math.abs(windowed[i] - streamed.probs[i]));
    }
    expect(maxDiff).toBeLessThan(1e-4);
    expect(maxStreamDiff).toBe(0);
    // Too little context must show: a model with memory differs when windows see no context.
    const blind = await (await open(modelDir, { windowSeconds: 10, contextSeconds: 0 })).score({ data, frames, bands });
    let blindDiff = 0;
    for (let i = 0; i < whole.length; i++) blindDiff = Math.max(blindDiff, Math.abs(whole[i] - blind[i]));
    expect(blindDiff).toBeGreaterThan(1e-3);
  });

  it('tfjs and onnx backends give the same frame probabilities', async () => {
    const modelDir = join(dir, 'random');
    const r = rng(9);
    const frames = 301;
    const data = Float32Array.from({ length: frames * 64 }, () => -5 + r() * 4);
    const onnx = await open(modelDir, { backend: 'onnx' });
    const tfjs = await open(modelDir, { backend: 'tfjs', tfBackend: 'cpu' });
    expect(tfjs.backend).toBe('tfjs');
    const a = await onnx.score({ data, frames, bands: 64 });
    const b = await tfjs.score({ data, frames, bands: 64 });
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('rejects features with the wrong number of bands', async () => {
    const scorer = await open(join(dir, 'random'));
    await expect(scorer.score({ data: new Float32Array(40 * 10), frames: 10, bands: 40 })).rejects.toThrow(/40 mel bands, the model expects 64/);
  });
});
