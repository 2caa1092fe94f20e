import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_CONFIG } from '../../src-main/engine/features/config';
import { selectBackend } from '../../src-main/engine/model/backend';
import { createRng, crnnForward, crnnWeightShapes, gruDirection, initCrnnWeights, upsampleSteps } from '../../src-main/engine/model/crnn';
import { loadModel, ModelLoadError, runCrnnOnFeatures, saveModel, type ManifestWithoutWeights } from '../../src-main/engine/model/io';
import { timePoolFactor, type CrnnConfig } from '../../src-main/engine/model/manifest';

const config: CrnnConfig = {
  convBlocks: [
    { filters: 4, poolTime: 2, poolFreq: 2 },
    { filters: 6, poolTime: 2, poolFreq: 2 },
  ],
  gruUnits: 5,
  dropout: 0,
};
const bands = 8;
const classes = ['a', 'b', 'c'];

function manifestFor(cfg: CrnnConfig): ManifestWithoutWeights {
  return {
    format: 'earmark-crnn',
    version: 1,
    classes,
    features: { ...DEFAULT_FEATURE_CONFIG, melBands: bands },
    normalization: { mean: Array.from({ length: bands }, (_, i) => i * 0.1), std: Array.from({ length: bands }, (_, i) => 1 + i * 0.05) },
    architecture: cfg,
    postprocess: { thresholds: { a: 0.5, b: 0.5, c: 0.5 }, medianFilterFrames: 1, minEventSeconds: 0, mergeGapSeconds: 0, oneEventPerFile: false },
    training: { createdAt: '2026-01-01T00:00:00.000Z' },
  };
}

function randomInput(batch: number, frames: number, seed: number): tf.Tensor3D {
  const rng = createRng(seed);
  return tf.tensor3d(Float32Array.from({ length: batch * frames * bands }, () => rng() * 2 - 1), [batch, frames, bands]);
}

let dir: string;
beforeAll(async () => {
  await selectBackend('cpu', () => {});
  dir = await mkdtemp(join(tmpdir(), 'earmark-model-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('crnnForward', () => {
  it('maps [batch, frames, bands] to [batch, frames / poolFactor, classes] with probabilities in (0, 1)', () => {
    const weights = initCrnnWeights(config, { melBands: bands, classes: 3 }, 7);
    const out = tf.tidy(() => tf.sigmoid(crnnForward(weights, config, randomInput(2, 24, 1), { training: false }).logits));
    expect(out.shape).toEqual([2, 24 / timePoolFactor(config), 3]);
    const values = out.dataSync();
    expect(Math.min(...values)).toBeGreaterThan(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(new Set(Array.from(values)).size).toBeGreaterThan(1);
  });

  it('rejects a frame count that is not a multiple of the pool factor', () => {
    const weights = initCrnnWeights(config, { melBands: bands, classes: 3 }, 7);
    expect(() => crnnForward(weights, config, randomInput(1, 10, 1), { training: false })).toThrow(/multiple of the time pool factor 4/);
  });

  it('initialises deterministically from the seed', () => {
    const a = initCrnnWeights(config, { melBands: bands, classes: 3 }, 3);
    const b = initCrnnWeights(config, { melBands: bands, classes: 3 }, 3);
    const c = initCrnnWeights(config, { melBands: bands, classes: 3 }, 4);
    expect(Array.from(a.get('gru_fw/kernel')!.dataSync())).toEqual(Array.from(b.get('gru_fw/kernel')!.dataSync()));
    expect(Array.from(a.get('gru_fw/kernel')!.dataSync())).not.toEqual(Array.from(c.get('gru_fw/kernel')!.dataSync()));
  });

  it('GRU follows the manifest formula (gates z, r, n; reset applied after the recurrent matmul)', () => {
    const rng = createRng(11);
    const [batch, steps, inDim, h] = [2, 4, 3, 2];
    const r = (n: number) => Float32Array.from({ length: n }, () => rng() - 0.5);
    const xs = r(batch * steps * inDim);
    const W = r(inDim * 3 * h);
    const R = r(h * 3 * h);
    const bW = r(3 * h);
    const bR = r(3 * h);
    const weights = new Map<string, tf.Tensor>([
      ['g/kernel', tf.tensor(W, [inDim, 3 * h])],
      ['g/recurrent', tf.tensor(R, [h, 3 * h])],
      ['g/bias', tf.tensor(bW, [3 * h])],
      ['g/recurrent_bias', tf.tensor(bR, [3 * h])],
    ]);
    const got = gruDirection(tf.tensor3d(xs, [batch, steps, inDim]), weights, 'g', h).dataSync();
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    for (let b = 0; b < batch; b++) {
      let state = new Array(h).fill(0);
      for (let t = 0; t < steps; t++) {
        const xw = Array.from({ length: 3 * h }, (_, j) => bW[j] + Array.from({ length: inDim }, (_, i) => xs[(b * steps + t) * inDim + i] * W[i * 3 * h + j]).reduce((p, q) => p + q, 0));
        const hr = Array.from({ length: 3 * h }, (_, j) => bR[j] + state.reduce((p, s, i) => p + s * R[i * 3 * h + j], 0));
        state = state.map((prev, k) => {
          const z = sig(xw[k] + hr[k]);
          const rr = sig(xw[h + k] + hr[h + k]);
          const n = Math.tanh(xw[2 * h + k] + rr * hr[2 * h + k]);
          return (1 - z) * n + z * prev;
        });
        for (let k = 0; k < h; k++) expect(got[(b * steps + t) * h + k]).toBeCloseTo(state[k], 5);
      }
    }
  });
});

describe('upsampleSteps and runCrnnOnFeatures', () => {
  it('repeats each step poolFactor times and truncates', () => {
    const steps = Float32Array.from([1, 2, 3, 4, 5, 6]); // 3 steps x 2 classes
    expect(Array.from(upsampleSteps(steps, 3, 2, 4, 10))).toEqual([1, 2, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 3, 4, 5, 6, 5, 6]);
  });

  it('returns one row per input frame, equal to the padded forward of the normalised input', async () => {
    const manifest = manifestFor(config);
    const weights = initCrnnWeights(config, { melBands: bands, classes: 3 }, 5);
    const frames = 23; // not a multiple of 4
    const rng = createRng(2);
    const logmel = Float32Array.from({ length: frames * bands }, () => rng() * 4 - 2);
    const probs = await runCrnnOnFeatures({ manifest: { ...manifest, weights: [] }, weights }, { data: logmel, frames, bands });
    expect(probs.length).toBe(frames * 3);
    const padded = new Float32Array(24 * bands);
    for (let f = 0; f < frames; f++) for (let b = 0; b < bands; b++) padded[f * bands + b] = (logmel[f * bands + b] - manifest.normalization.mean[b]) / manifest.normalization.std[b];
    const direct = tf.tidy(() => tf.sigmoid(crnnForward(weights, config, tf.tensor3d(padded, [1, 24, bands]), { training: false }).logits)).dataSync();
    for (let f = 0; f < frames; f++) for (let c = 0; c < 3; c++) expect(probs[f * 3 + c]).toBeCloseTo(direct[Math.floor(f / 4) * 3 + c], 6);
  });
});

describe('saveModel / loadModel', () => {
  it('round-trips weights bit-exactly and keeps the manifest', async () => {
    const modelDir = join(dir, 'roundtrip');
    const weights = initCrnnWeights(config, { melBands: bands, classes: 3 }, 9);
    await saveModel(modelDir, manifestFor(config), weights);
    const loaded = await loadModel(modelDir);
    expect(loaded.manifest.classes).toEqual(classes);
    expect(loaded.manifest.weights.map((w) => w.name)).toEqual(crnnWeightShapes(config, { melBands: bands, classes: 3 }).map((w) => w.name));
    for (const [name, t] of weights) {
      expect(loaded.weights.get(name)!.shape).toEqual(t.shape);
      expect(Buffer.from((loaded.weights.get(name)!.dataSync() as Float32Array).buffer).equals(Buffer.from((t.dataSync() as Float32Array).slice().buffer))).toBe(true);
    }
  });

  it('replaces an existing model, keeps other entries (checkpoints) and leaves no temporary directories', async () => {
    const modelDir = join(dir, 'replace');
    await saveModel(modelDir, manifestFor(config), initCrnnWeights(config, { melBands: bands, classes: 3 }, 1));
    await mkdir(join(modelDir, 'checkpoints', 'last'), { recursive: true });
    await writeFile(join(modelDir, 'checkpoints', 'last', 'marker'), 'x');
    await writeFile(join(modelDir, 'model.onnx'), 'stale');
    const second = initCrnnWeights(config, { melBands: bands, classes: 3 }, 2);
    await saveModel(modelDir, manifestFor(config), second);
    const loaded = await loadModel(modelDir);
    expect(Array.from(loaded.weights.get('dense/kernel')!.dataSync())).toEqual(Array.from(second.get('dense/kernel')!.dataSync()));
    expect(await readFile(join(modelDir, 'checkpoints', 'last', 'marker'), 'utf8')).toBe('x');
    await expect(readFile(join(modelDir, 'model.onnx'))).rejects.toThrow();
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dir)).filter((n) => n.startsWith('.replace'))).toEqual([]);
  });

  it('gives specific errors for a missing model, a wrong format or version, and mismatched weights', async () => {
    await expect(loadModel(join(dir, 'nope'))).rejects.toThrow(/model\.json not found/);
    const bad = join(dir, 'bad');
    await saveModel(bad, manifestFor(config), initCrnnWeights(config, { melBands: bands, classes: 3 }, 1));
    const json = JSON.parse(await readFile(join(bad, 'model.json'), 'utf8'));

    await writeFile(join(bad, 'model.json'), JSON.stringify({ ...json, format: 'keras' }));
    await expect(loadModel(bad)).rejects.toThrow(/unknown format "keras"/);
    await writeFile(join(bad, 'model.json'), JSON.stringify({ ...json, version: 2 }));
    await expect(loadModel(bad)).rejects.toThrow(/unsupported version 2/);
    await writeFile(join(bad, 'model.json'), '{ not json');
    await expect(loadModel(bad)).rejects.toThrow(/invalid JSON/);

    const wrongShape = { ...json, weights: json.weights.map((w: { name: string; shape: number[] }) => (w.name === 'dense/kernel' ? { ...w, shape: [11, 3] } : w)) };
    await writeFile(join(bad, 'model.json'), JSON.stringify(wrongShape));
    await expect(loadModel(bad)).rejects.toThrow(/weight "dense\/kernel" has shape \[11, 3\], the architecture needs \[10, 3\]/);
    const missing = { ...json, weights: json.weights.filter((w: { name: string }) => w.name !== 'gru_bw/recurrent') };
    await writeFile(join(bad, 'model.json'), JSON.stringify(missing));
    await expect(loadModel(bad)).rejects.toThrow(/weight "gru_bw\/recurrent" is missing/);

    await writeFile(join(bad, 'model.json'), JSON.stringify(json));
    const bin = await readFile(join(bad, 'weights.bin'));
    await writeFile(join(bad, 'weights.bin'), bin.subarray(0, bin.length - 8));
    await expect(loadModel(bad)).rejects.toThrow(ModelLoadError);
    await expect(loadModel(bad)).rejects.toThrow(/too short for weight "dense\/bias"/);
    await rm(join(bad, 'weights.bin'));
    await expect(loadModel(bad)).rejects.toThrow(/weights\.bin not found/);
  });
});
