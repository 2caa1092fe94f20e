import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src-main/engine/model/backend';
import { WeightAverage } from '../../src-main/engine/train/weight-average';

beforeAll(async () => {
  await selectBackend('wasm', () => {});
});

describe('WeightAverage', () => {
  it('follows the weights with a warm-up decay, then the set decay', () => {
    const w = new Map([['a', tf.tensor1d([0, 0])]]);
    const avg = new WeightAverage(w, 0.5);
    let expected = 0;
    for (let n = 0; n < 4; n++) {
      const value = n + 1;
      const current = new Map([['a', tf.tensor1d([value, 2 * value])]]);
      avg.update(current);
      const d = Math.min(0.5, (1 + n) / (10 + n));
      expected = d * expected + (1 - d) * value;
      expect(avg.weights.get('a')!.dataSync()[0]).toBeCloseTo(expected, 5);
      expect(avg.weights.get('a')!.dataSync()[1]).toBeCloseTo(2 * expected, 5);
    }
    expect(avg.updateCount).toBe(4);
    // The source tensors are not changed by the average.
    expect(Array.from(w.get('a')!.dataSync())).toEqual([0, 0]);
    avg.dispose();
  });

  it('refuses a decay outside (0, 1), a missing weight and a checkpoint of the wrong size', () => {
    const w = new Map([['a', tf.tensor1d([1, 2])]]);
    expect(() => new WeightAverage(w, 1)).toThrow(/decay must be in \(0, 1\)/);
    const avg = new WeightAverage(w, 0.9);
    expect(() => avg.update(new Map([['b', tf.tensor1d([1, 2])]]))).toThrow(/no weight "a"/);
    expect(() => avg.load(new Map([['a', new Float32Array(3)]]))).toThrow(/right size for "a"/);
    avg.load(new Map([['a', Float32Array.from([5, 6])]]));
    expect(Array.from(avg.weights.get('a')!.dataSync())).toEqual([5, 6]);
    avg.dispose();
  });
});
