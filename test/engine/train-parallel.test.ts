import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src-main/engine/model/backend';
import { initCrnnWeights, isTrainableWeight } from '../../src-main/engine/model/crnn';
import { timePoolFactor } from '../../src-main/engine/model/manifest';
import { createRng } from '../../src-main/engine/random';
import { GradientPool } from '../../src-main/engine/train/gradient-pool';
import { combineShards, shardGradients, splitBatch } from '../../src-main/engine/train/gradients';
import { defaultTrainingThreads } from '../../src-main/engine/train/trainer';
import { TINY_ARCHITECTURE } from './train-tiny';

const architecture = { ...TINY_ARCHITECTURE, dropout: 0.2 };
const bands = 16;
const classes = 3;
const frames = 64;
const steps = frames / timePoolFactor(architecture);
let variables: Map<string, tf.Variable>;
let pool: GradientPool;

function batchOf(size: number, seed: number): { inputs: Float32Array; targets: Float32Array } {
  const rng = createRng(seed);
  return {
    inputs: Float32Array.from({ length: size * frames * bands }, () => rng() * 2 - 1),
    targets: Float32Array.from({ length: size * steps * classes }, () => (rng() < 0.2 ? 1 : 0)),
  };
}

beforeAll(async () => {
  await selectBackend('wasm', () => {});
  variables = new Map([...initCrnnWeights(architecture, { melBands: bands, classes }, 7)].map(([name, t]) => [name, tf.variable(t, isTrainableWeight(name))]));
  pool = await GradientPool.start(2, 'wasm', architecture);
});
afterAll(async () => {
  await pool?.close();
  for (const v of variables?.values() ?? []) v.dispose();
});

describe('data-parallel gradients', () => {
  it('a worker thread computes the same shard gradients as the calling thread (to 1e-5)', async () => {
    const batch = batchOf(7, 1);
    const shards = splitBatch(batch, 7, { frames, bands, steps, classes }, 2, [11, 12]);
    expect(shards.map((s) => s.size)).toEqual([4, 3]);
    const parallel = await pool.gradients(variables, shards);
    const serial = shards.map((s) => shardGradients(variables, architecture, s));
    expect(Object.keys(parallel[1].grads).sort()).toEqual(Object.keys(serial[1].grads).sort());
    let largest = 0;
    for (let p = 0; p < 2; p++) {
      expect(parallel[p].loss).toBeCloseTo(serial[p].loss, 5);
      for (const [name, g] of Object.entries(serial[p].grads)) {
        const other = parallel[p].grads[name];
        expect(other.length).toBe(g.length);
        for (let i = 0; i < g.length; i++) {
          expect(Math.abs(other[i] - g[i])).toBeLessThanOrEqual(1e-5);
          largest = Math.max(largest, Math.abs(g[i]));
        }
      }
      parallel[p].stats.forEach((s, b) => expect(Array.from(s.mean)).toEqual(Array.from(serial[p].stats[b].mean)));
    }
    // Not a vacuous comparison: the gradients are far from zero.
    expect(largest).toBeGreaterThan(1e-3);
  });

  it('combining shards gives the mean loss and gradient of the whole batch', () => {
    const batch = batchOf(6, 2);
    const shape = { frames, bands, steps, classes };
    const [a, b] = splitBatch(batch, 6, shape, 2, [3, 4]).map((s) => shardGradients(variables, architecture, s));
    const combined = combineShards([a, b]);
    expect(combined.size).toBe(6);
    expect(combined.loss).toBeCloseTo((a.loss + b.loss) / 2, 6);
    const name = 'dense/kernel';
    for (let i = 0; i < combined.grads[name].length; i++) expect(combined.grads[name][i]).toBeCloseTo((a.grads[name][i] + b.grads[name][i]) / 2, 6);
    // One shard is the single-thread step itself.
    const whole = shardGradients(variables, architecture, splitBatch(batch, 6, shape, 1, [3])[0]);
    const alone = combineShards([whole]);
    expect(alone.grads[name]).toEqual(whole.grads[name]);
  });

  it('fine-tuning shards (frozen BatchNorm, masked classes, frozen layers) match across threads', async () => {
    const batch = batchOf(4, 3);
    const mode = { batchNorm: 'frozen' as const, classWeights: [1, 0, 1] };
    const shards = splitBatch(batch, 4, { frames, bands, steps, classes, mode }, 2, [0, 0]);
    const conv = variables.get('conv0/kernel')!;
    conv.trainable = false;
    try {
      const parallel = await pool.gradients(variables, shards);
      const serial = shards.map((s) => shardGradients(variables, architecture, s));
      expect(parallel[1].stats).toEqual([]);
      expect(Object.keys(parallel[1].grads)).not.toContain('conv0/kernel');
      for (const [name, g] of Object.entries(serial[1].grads)) g.forEach((v, i) => expect(Math.abs(parallel[1].grads[name][i] - v)).toBeLessThanOrEqual(1e-5));
      // The masked class's output weights get no gradient; the others do.
      const dense = parallel[0].grads['dense/kernel'];
      const column = (c: number) => Array.from({ length: dense.length / classes }, (_, r) => dense[r * classes + c]);
      expect(column(1).every((v) => v === 0)).toBe(true);
      expect(column(0).some((v) => v !== 0)).toBe(true);
    } finally {
      conv.trainable = true;
    }
  });

  it('uses one thread per core on wasm and one on native TensorFlow', () => {
    expect(defaultTrainingThreads(12, 'tensorflow')).toBe(1);
    expect(defaultTrainingThreads(1, 'wasm')).toBe(1);
    expect(defaultTrainingThreads(12, 'wasm')).toBeGreaterThanOrEqual(1);
    expect(defaultTrainingThreads(12, 'wasm')).toBeLessThanOrEqual(4);
  });
});
