import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, selectBackend } from '../../src-main/engine/model/backend';
import { bnReluPool } from '../../src-main/engine/model/bn-relu-pool';
import { BN_EPSILON, conv2dSame, createRng, filterGradient, inputGradient } from '../../src-main/engine/model/crnn';
import { conv2dBackpropFilterFromOps } from '../../src-main/engine/model/wasm-kernels';

type Arrays = Float32Array[];

function data(shape: number[], seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng() * 2 - 1);
}

const xShape: [number, number, number, number] = [2, 9, 7, 3];
const w1Shape: [number, number, number, number] = [3, 3, 3, 4];
const w2Shape: [number, number, number, number] = [3, 3, 4, 2];
const inputs = { x: data(xShape, 1), w1: data(w1Shape, 2), w2: data(w2Shape, 3), mix: data([2, 9, 7, 2], 4), pooledMix: data([2, 4, 3, 2], 10), gamma: data([4], 5), beta: data([4], 6) };

/** Gradients of a two-layer conv net with tfjs's own ops (the registered Conv2DBackpropFilter on wasm). */
function plainConvGrads(): Arrays {
  const x = tf.tensor4d(inputs.x, xShape);
  const mix = tf.tensor4d(inputs.mix, [2, 9, 7, 2]);
  const f = (w1: tf.Tensor, w2: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same')), w2 as tf.Tensor4D, 1, 'same'), mix));
  return tf.grads(f)([tf.tensor4d(inputs.w1, w1Shape), tf.tensor4d(inputs.w2, w2Shape)]).map((g) => g.dataSync() as Float32Array);
}

/** Conv + training BatchNorm + ReLU + 2x2 max-pool + conv, with the model's custom gradients or with tfjs's reference ops. */
function blockGrads(custom: boolean): Arrays {
  const x = tf.tensor4d(inputs.x, xShape);
  const mix = tf.tensor4d(inputs.pooledMix, [2, 4, 3, 2]);
  const f = (w1: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, w2: tf.Tensor) => {
    let h: tf.Tensor4D;
    if (custom) {
      h = bnReluPool(conv2dSame(x, w1 as tf.Tensor4D, true, false), gamma, beta, { poolTime: 2, poolFreq: 2, epsilon: BN_EPSILON, collectStats: false }).y;
    } else {
      const c = tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same');
      const { mean, variance } = tf.moments(c, [0, 1, 2]);
      h = tf.maxPool(tf.relu(tf.batchNorm(c, mean, variance, beta, gamma, BN_EPSILON)) as tf.Tensor4D, [2, 2], [2, 2], 'valid');
    }
    const out = custom ? conv2dSame(h, w2 as tf.Tensor4D, true) : tf.conv2d(h, w2 as tf.Tensor4D, 1, 'same');
    return tf.sum(tf.mul(out, mix));
  };
  return tf.grads(f)([tf.tensor4d(inputs.w1, w1Shape), tf.tensor1d(inputs.gamma), tf.tensor1d(inputs.beta), tf.tensor4d(inputs.w2, w2Shape)]).map((g) => g.dataSync() as Float32Array);
}

function maxRelativeDiff(a: Arrays, b: Arrays): number {
  let worst = 0;
  a.forEach((arr, i) => arr.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j]) / (1 + Math.abs(b[i][j]))))));
  return worst;
}

describe('wasm training kernels', () => {
  let reference: { plain: Arrays; block: Arrays };
  beforeAll(async () => {
    await selectBackend('cpu', () => {});
    reference = { plain: tf.tidy(plainConvGrads), block: tf.tidy(() => blockGrads(false)) };
    await selectBackend('wasm', () => {});
  });

  it('runs on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  it('Conv2DBackpropFilter registered for wasm gives the cpu backend gradients', () => {
    const got = tf.tidy(plainConvGrads);
    expect(got[0].some((v) => v !== 0)).toBe(true);
    expect(maxRelativeDiff(got, reference.plain)).toBeLessThan(1e-4);
  });

  it('the CRNN conv and fused BatchNorm + ReLU + max-pool gradients on wasm match tfjs autograd on cpu', () => {
    const got = tf.tidy(() => blockGrads(true));
    expect(maxRelativeDiff(got, reference.block)).toBeLessThan(1e-5);
  });

  it('fused BatchNorm + ReLU + max-pool: outputs, batch statistics and gradients equal the tfjs ops to 1e-5', () => {
    // Larger than the block test, with a frequency axis the pool does not divide (the remainder is dropped).
    const shape: [number, number, number, number] = [3, 16, 13, 5];
    const x = tf.tensor4d(data(shape, 11).map((v) => 3 * v + 0.5), shape);
    const gamma = tf.tensor1d(data([5], 12));
    const beta = tf.tensor1d(data([5], 13));
    const upstream = tf.tensor4d(data([3, 8, 3, 5], 14), [3, 8, 3, 5]);
    const options = { poolTime: 2, poolFreq: 4, epsilon: BN_EPSILON, collectStats: true };
    const fused = bnReluPool(x, gamma, beta, options);
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const reference = tf.maxPool(tf.relu(tf.batchNorm(x, mean, variance, beta, gamma, BN_EPSILON)) as tf.Tensor4D, [2, 4], [2, 4], 'valid');
    expect(fused.y.shape).toEqual(reference.shape);
    expect(maxRelativeDiff([fused.y.dataSync() as Float32Array], [reference.dataSync() as Float32Array])).toBeLessThan(1e-5);
    expect(maxRelativeDiff([fused.stats!.mean.dataSync() as Float32Array, fused.stats!.variance.dataSync() as Float32Array], [mean.dataSync() as Float32Array, variance.dataSync() as Float32Array])).toBeLessThan(1e-5);
    const loss = (useFused: boolean) => (xv: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      if (useFused) return tf.sum(tf.mul(bnReluPool(xv as tf.Tensor4D, g, b, { ...options, collectStats: false }).y, upstream));
      const m = tf.moments(xv, [0, 1, 2]);
      return tf.sum(tf.mul(tf.maxPool(tf.relu(tf.batchNorm(xv as tf.Tensor4D, m.mean, m.variance, b, g, BN_EPSILON)) as tf.Tensor4D, [2, 4], [2, 4], 'valid'), upstream));
    };
    const got = tf.grads(loss(true))([x, gamma, beta]).map((g) => g.dataSync() as Float32Array);
    const want = tf.grads(loss(false))([x, gamma, beta]).map((g) => g.dataSync() as Float32Array);
    expect(got[0].filter((v) => v !== 0).length).toBeGreaterThan(got[0].length / 2);
    expect(maxRelativeDiff(got, want)).toBeLessThan(1e-5);
    const again = tf.grads(loss(true))([x, gamma, beta]).map((g) => g.dataSync() as Float32Array);
    again.forEach((arr, i) => expect(Array.from(arr)).toEqual(Array.from(got[i])));
    tf.dispose([x, gamma, beta, upstream, fused.y, fused.stats!.mean, fused.stats!.variance, mean, variance, reference]);
  });

  it('the input gradient as a flipped-kernel convolution equals conv2dTranspose (odd and even kernels)', () => {
    for (const k of [3, 5, 2]) {
      const w = tf.tensor4d(data([k, k, 3, 4], 7 + k), [k, k, 3, 4]);
      const dy = tf.tensor4d(data([2, 9, 7, 4], 8), [2, 9, 7, 4]);
      const fast = inputGradient(dy, w, xShape).dataSync();
      const reference = tf.conv2dTranspose(dy, w, xShape, 1, 'same').dataSync();
      expect(fast.length).toBe(reference.length);
      fast.forEach((v, i) => expect(Math.abs(v - reference[i])).toBeLessThan(1e-5));
      tf.dispose([w, dy]);
    }
  });

  it('the filter gradient as a swapped-role convolution equals the sliced im2col kernel (odd and even kernels)', () => {
    for (const k of [3, 5, 2]) {
      const x = tf.tensor4d(inputs.x, xShape);
      const dy = tf.tensor4d(data([2, 9, 7, 4], 9), [2, 9, 7, 4]);
      const shape: [number, number, number, number] = [k, k, 3, 4];
      const fast = filterGradient(x, dy, shape).dataSync();
      const reference = conv2dBackpropFilterFromOps(x, dy, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: shape }).dataSync();
      expect(fast.length).toBe(k * k * 12);
      fast.forEach((v, i) => expect(Math.abs(v - reference[i])).toBeLessThan(1e-4));
      tf.dispose([x, dy]);
    }
  });

  it('does not leak tensors per gradient step', () => {
    tf.tidy(plainConvGrads);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.tidy(plainConvGrads);
    tf.tidy(() => blockGrads(true));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a forced backend that cannot start is a clear error', async () => {
    await expect(selectBackend('tensorflow', () => {})).rejects.toThrow(BackendUnavailableError);
    await expect(selectBackend('tensorflow', () => {})).rejects.toThrow(/tfjs backend "tensorflow" is not available: .*tfjs-node/);
  });
});
