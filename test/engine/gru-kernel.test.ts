import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendName } from '../../src-main/engine/model/backend';
import { gruRecurrence } from '../../src-main/engine/model/gru-kernel';
import { createRng } from '../../src-main/engine/random';

interface Case {
  batch: number;
  steps: number;
  units: number;
}

interface Inputs {
  xw: Float32Array;
  recurrent: Float32Array;
  recurrentBias: Float32Array;
  upstream: Float32Array;
}

function data(size: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size }, () => (rng() * 2 - 1) * scale);
}

function inputsFor({ batch, steps, units }: Case, seed: number): Inputs {
  const gates = 3 * units;
  return {
    xw: data(batch * steps * gates, seed, 2),
    recurrent: data(units * gates, seed + 1, Math.sqrt(6 / (4 * units))),
    recurrentBias: data(gates, seed + 2, 0.5),
    upstream: data(batch * steps * units, seed + 3),
  };
}

type Recurrence = (xw: tf.Tensor3D, recurrent: tf.Tensor2D, recurrentBias: tf.Tensor1D, units: number) => tf.Tensor3D;

/** The loop of gruDirection (crnn.ts) after its input projection, kept here so the reference stays tfjs ops. */
const referenceRecurrence: Recurrence = (xw, recurrent, recurrentBias, units) => {
  const [batch, steps] = xw.shape;
  const xs = tf.unstack(xw, 1) as tf.Tensor2D[];
  let h: tf.Tensor2D = tf.zeros([batch, units]);
  const outputs: tf.Tensor2D[] = [];
  for (let t = 0; t < steps; t++) {
    const hr = tf.add(tf.matMul(h, recurrent), recurrentBias) as tf.Tensor2D;
    const [xzr, xn] = tf.split(xs[t], [2 * units, units], 1);
    const [hzr, hn] = tf.split(hr, [2 * units, units], 1);
    const [z, r] = tf.split(tf.sigmoid(tf.add(xzr, hzr)), 2, 1);
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    h = tf.add(n, tf.mul(z, tf.sub(h, n))) as tf.Tensor2D;
    outputs.push(h);
  }
  return tf.stack(outputs, 1) as tf.Tensor3D;
};

/** Outputs, then d(xw), d(recurrent), d(recurrentBias) of sum(h * upstream). */
function run(op: Recurrence, { batch, steps, units }: Case, inputs: Inputs): Float32Array[] {
  return tf.tidy(() => {
    const upstream = tf.tensor3d(inputs.upstream, [batch, steps, units]);
    const args = [tf.tensor3d(inputs.xw, [batch, steps, 3 * units]), tf.tensor2d(inputs.recurrent, [units, 3 * units]), tf.tensor1d(inputs.recurrentBias)];
    const f = (xw: tf.Tensor, recurrent: tf.Tensor, bias: tf.Tensor) => op(xw as tf.Tensor3D, recurrent as tf.Tensor2D, bias as tf.Tensor1D, units);
    const out = f(args[0], args[1], args[2]);
    const grads = tf.grads((xw, recurrent, bias) => tf.sum(tf.mul(f(xw, recurrent, bias), upstream)))(args);
    return [out, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

function worstDiff(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  return worst;
}

const CASES: Case[] = [
  { batch: 3, steps: 7, units: 4 },
  { batch: 6, steps: 64, units: 32 },
];

describe.each<BackendName>(['wasm', 'cpu'])('gruRecurrence on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend, () => {});
  });

  it.each(CASES)('matches the tfjs loop, outputs and gradients, at batch $batch steps $steps units $units', (shape) => {
    const inputs = inputsFor(shape, 11 * shape.units);
    const expected = run(referenceRecurrence, shape, inputs);
    const actual = run(gruRecurrence, shape, inputs);
    ['h', 'd(xw)', 'd(recurrent)', 'd(recurrentBias)'].forEach((name, i) => {
      expect(worstDiff(actual[i], expected[i]), name).toBeLessThanOrEqual(1e-5);
    });
    // The check is not vacuous: gradients reach every weight.
    expect(actual[2].some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });

  it('gives variableGrads for a variable recurrent kernel', () => {
    const shape = CASES[0];
    const inputs = inputsFor(shape, 5);
    const expected = run(referenceRecurrence, shape, inputs)[2];
    const recurrent = tf.variable(tf.tensor2d(inputs.recurrent, [shape.units, 3 * shape.units]));
    const { grads, value } = tf.variableGrads(() => {
      const xw = tf.tensor3d(inputs.xw, [shape.batch, shape.steps, 3 * shape.units]);
      const h = gruRecurrence(xw, recurrent, tf.tensor1d(inputs.recurrentBias), shape.units);
      return tf.sum(tf.mul(h, tf.tensor3d(inputs.upstream, [shape.batch, shape.steps, shape.units])));
    }, [recurrent]);
    expect(worstDiff(grads[recurrent.name].dataSync() as Float32Array, expected)).toBeLessThanOrEqual(1e-5);
    tf.dispose([value, grads[recurrent.name], recurrent]);
  });

  it('is deterministic and leaks no tensors', () => {
    const shape = CASES[1];
    const inputs = inputsFor(shape, 7);
    const before = tf.memory().numTensors;
    const first = run(gruRecurrence, shape, inputs);
    const second = run(gruRecurrence, shape, inputs);
    expect(tf.memory().numTensors).toBe(before);
    first.forEach((a, i) => expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(second[i].buffer, second[i].byteOffset, second[i].byteLength))).toBe(true));
  });

  it('rejects shapes that do not fit the units', () => {
    tf.tidy(() => {
      expect(() => gruRecurrence(tf.zeros([1, 2, 9]), tf.zeros([4, 12]), tf.zeros([12]), 4)).toThrow(/do not fit 4 units/);
    });
  });
});
