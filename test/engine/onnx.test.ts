import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crnnForward, upsampleSteps } from '../../src-main/engine/model/crnn';
import { timePoolFactor, type CrnnConfig } from '../../src-main/engine/model/manifest';
import { exportOnnx, ensureOnnxModel } from '../../src-main/engine/onnx';
import { ProtoWriter } from '../../src-main/engine/onnx/protobuf';
import { rng, writeFixtureModel } from './onnx-fixtures';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-onnx-'));
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ProtoWriter', () => {
  it('encodes varints, negative int64, floats and nested messages as protobuf does', () => {
    const w = new ProtoWriter();
    w.int(1, 300).int(2, -1).float(3, 1.5).message(4, (m) => m.string(1, 'ab'));
    expect([...w.finish()]).toEqual([
      0x08, 0xac, 0x02, // field 1 varint 300
      0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, // field 2 varint -1
      0x1d, 0x00, 0x00, 0xc0, 0x3f, // field 3 fixed32 1.5
      0x22, 0x04, 0x0a, 0x02, 0x61, 0x62, // field 4 { field 1 "ab" }
    ]);
  });
});

function tfjsProbabilities(weights: Map<string, Float32Array>, shapes: Map<string, number[]>, arch: CrnnConfig, input: Float32Array, batch: number, frames: number, bands: number): Float32Array {
  return tf.tidy(() => {
    const w = new Map([...weights].map(([name, data]) => [name, tf.tensor(data, shapes.get(name)!)]));
    const { logits } = crnnForward(w, arch, tf.tensor3d(input, [batch, frames, bands]), { training: false });
    return tf.sigmoid(logits).dataSync() as Float32Array;
  });
}

async function onnxProbabilities(path: string, input: Float32Array, batch: number, frames: number, bands: number) {
  const session = await ort.InferenceSession.create(path, { executionProviders: ['cpu'] });
  const out = await session.run({ features: new ort.Tensor('float32', input, [batch, frames, bands]) });
  const p = out.probabilities;
  await session.release();
  return { data: p.data as Float32Array, dims: [...p.dims] };
}

describe('CRNN ONNX export', () => {
  const cases: { name: string; arch: CrnnConfig; bands: number; frames: number; batch: number }[] = [
    { name: 'two blocks, pool in time and frequency', arch: { convBlocks: [{ filters: 6, poolTime: 2, poolFreq: 4 }, { filters: 5, poolTime: 2, poolFreq: 2 }], gruUnits: 7, dropout: 0 }, bands: 16, frames: 24, batch: 2 },
    { name: 'three blocks, frequency pooling that leaves a remainder', arch: { convBlocks: [{ filters: 4, poolTime: 1, poolFreq: 3 }, { filters: 3, poolTime: 5, poolFreq: 2 }, { filters: 6, poolTime: 1, poolFreq: 1 }], gruUnits: 5, dropout: 0 }, bands: 20, frames: 30, batch: 1 },
  ];
  for (const c of cases) {
    it(`matches tfjs crnnForward within 1e-5: ${c.name}`, async () => {
      const modelDir = join(dir, c.name.replace(/\W+/g, '_'));
      const { manifest, weights } = await writeFixtureModel(modelDir, { arch: c.arch, features: { melBands: c.bands }, seed: 7 });
      const path = await exportOnnx(modelDir);
      expect(path).toBe(join(modelDir, 'model.onnx'));
      const r = rng(3);
      const input = Float32Array.from({ length: c.batch * c.frames * c.bands }, () => (r() - 0.5) * 4);
      const got = await onnxProbabilities(path, input, c.batch, c.frames, c.bands);
      const steps = c.frames / timePoolFactor(c.arch);
      expect(got.dims).toEqual([c.batch, steps, 3]);
      const shapes = new Map(manifest.weights.map((w) => [w.name, w.shape]));
      const want = tfjsProbabilities(weights, shapes, c.arch, input, c.batch, c.frames, c.bands);
      expect(want.length).toBe(got.data.length);
      let maxDiff = 0;
      for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(want[i] - got.data[i]));
      expect(maxDiff).toBeLessThan(1e-5);
      // Not a degenerate model: outputs vary across steps and classes.
      expect(Math.max(...got.data) - Math.min(...got.data)).toBeGreaterThan(0.05);
      // Upsampling helper of the model code agrees on shape.
      expect(upsampleSteps(got.data.subarray(0, steps * 3), steps, 3, timePoolFactor(c.arch), c.frames).length).toBe(c.frames * 3);
    });
  }

  it('ensureOnnxModel uses a fresh model.onnx and re-exports a stale one into the cache', async () => {
    const modelDir = join(dir, 'ensure');
    await writeFixtureModel(modelDir, { seed: 2 });
    process.env.EARMARK_CACHE_DIR = join(dir, 'cache');
    try {
      const first = await ensureOnnxModel(modelDir);
      expect(first.exported).toBe(true);
      expect(first.path.startsWith(join(dir, 'cache', 'onnx'))).toBe(true);
      expect((await ensureOnnxModel(modelDir)).exported).toBe(false);
      const own = await exportOnnx(modelDir);
      expect(await ensureOnnxModel(modelDir)).toEqual({ path: own, exported: false });
      expect(Buffer.compare(await readFile(own), await readFile(first.path))).toBe(0);
    } finally {
      delete process.env.EARMARK_CACHE_DIR;
    }
  });

  it('names the missing model directory', async () => {
    await expect(exportOnnx(join(dir, 'nope'))).rejects.toThrow(/no model at .*nope/);
  });
});

describe('createOrtSession', () => {
  it('falls back to CPU when the CUDA provider throws, and says why', async () => {
    const { createOrtSession } = await import('../../src-main/engine/onnx/runtime');
    const calls: string[][] = [];
    const fake = {
      listSupportedBackends: () => [{ name: 'cpu', bundled: true }, { name: 'cuda', bundled: false }],
      InferenceSession: {
        create: async (_path: string, options: { executionProviders: string[] }) => {
          calls.push(options.executionProviders);
          if (options.executionProviders.includes('cuda')) throw new Error('Failed to load libonnxruntime_providers_cuda.so\nmore');
          return { fake: true };
        },
      },
    } as unknown as typeof ort;
    const info = await createOrtSession(fake, 'm.onnx', { tryCuda: true, threads: 2 });
    expect(calls).toEqual([['cuda', 'cpu'], ['cpu']]);
    expect(info.provider).toBe('cpu');
    expect(info.fallbackReason).toBe('Failed to load libonnxruntime_providers_cuda.so');
    calls.length = 0;
    await createOrtSession(fake, 'm.onnx', { tryCuda: false });
    expect(calls).toEqual([['cpu']]);
  });
});

describe('tfjs / ONNX parity on real audio features', () => {
  it('frame probabilities agree within 1e-4 on log-mel of a synthetic recording (default 64-band features)', async () => {
    const { computeLogMel } = await import('../../src-main/engine/features/logmel');
    const { DEFAULT_FEATURE_CONFIG } = await import('../../src-main/engine/features/config');
    // 6 s at 16 kHz: noise, a chirp, and a burst of clicks, so features vary in time and frequency.
    const rate = 16000;
    const r = rng(21);
    const x = new Float32Array(6 * rate);
    for (let i = 0; i < x.length; i++) {
      const t = i / rate;
      x[i] = 0.01 * (r() - 0.5) + (t > 1 && t < 3 ? 0.3 * Math.sin(2 * Math.PI * (300 + 400 * t) * t) : 0) + (t > 4 && t < 4.5 && i % 800 < 20 ? 0.8 : 0);
    }
    const mel = computeLogMel(x, DEFAULT_FEATURE_CONFIG);
    const bands = mel.bands;
    const mean = Array.from({ length: bands }, (_, b) => mel.data.reduce((s, v, i) => (i % bands === b ? s + v : s), 0) / mel.frames);
    const arch: CrnnConfig = { convBlocks: [{ filters: 16, poolTime: 2, poolFreq: 4 }, { filters: 16, poolTime: 2, poolFreq: 4 }, { filters: 16, poolTime: 1, poolFreq: 2 }], gruUnits: 16, dropout: 0 };
    const modelDir = join(dir, 'parity');
    const { manifest, weights } = await writeFixtureModel(modelDir, { arch, seed: 5, normalization: { mean, std: new Array(bands).fill(3) } });
    const factor = timePoolFactor(arch);
    const frames = Math.ceil(mel.frames / factor) * factor;
    const input = new Float32Array(frames * bands);
    for (let t = 0; t < mel.frames; t++) for (let b = 0; b < bands; b++) input[t * bands + b] = (mel.data[t * bands + b] - mean[b]) / 3;
    const got = await onnxProbabilities(await exportOnnx(modelDir), input, 1, frames, bands);
    const want = tfjsProbabilities(weights, new Map(manifest.weights.map((w) => [w.name, w.shape])), arch, input, 1, frames, bands);
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(want[i] - got.data[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    expect(Math.max(...got.data) - Math.min(...got.data)).toBeGreaterThan(0.05);
  });
});
