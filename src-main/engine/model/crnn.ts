import * as tf from '@tensorflow/tfjs';
import type { CrnnConfig } from './manifest';
import { timePoolFactor } from './manifest';
import { bnReluPool, type BatchStats } from './bn-relu-pool';
import { gruRecurrence } from './gru-kernel';
import { conv2dBackpropFilterFromOps } from './wasm-kernels';
import { createRng } from '../random';

export const BN_EPSILON = 1e-3;

/** Weights by the names fixed in manifest.ts. Variables while training, plain tensors after loading. */
export type CrnnWeights = Map<string, tf.Tensor>;

export { crnnWeightShapes, type CrnnShape } from './crnn-shapes';
import { crnnWeightShapes, type CrnnShape } from './crnn-shapes';

/** Weights that BatchNorm statistics, not gradients, update. */
export function isTrainableWeight(name: string): boolean {
  return !/^bn\d+\/(mean|variance)$/.test(name);
}

export { createRng, SeededRng } from '../random';

function glorotUniform(shape: number[], fanIn: number, fanOut: number, rng: () => number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (rng() * 2 - 1) * limit;
  return data;
}

/** Deterministic initial weights: Glorot-uniform kernels, zero biases, identity BatchNorm. */
export function initCrnnWeights(config: CrnnConfig, shape: CrnnShape, seed: number): CrnnWeights {
  const rng = createRng(seed);
  const weights: CrnnWeights = new Map();
  for (const { name, shape: s } of crnnWeightShapes(config, shape)) {
    let data: Float32Array;
    const size = s.reduce((a, b) => a * b, 1);
    if (name.endsWith('/kernel') && name.startsWith('conv')) data = glorotUniform(s, 9 * s[2], 9 * s[3], rng);
    else if (name.endsWith('/kernel') || name.endsWith('/recurrent')) data = glorotUniform(s, s[0], s[1], rng);
    else if (name.endsWith('/gamma') || name.endsWith('/variance')) data = new Float32Array(size).fill(1);
    else data = new Float32Array(size);
    weights.set(name, tf.tensor(data, s));
  }
  return weights;
}

/**
 * Input gradient of a stride-1 'same' convolution. For an odd kernel (symmetric padding) it is itself a 'same'
 * convolution of dy with the kernel flipped in space and its in/out channels swapped: the same numbers as
 * conv2dTranspose, which the wasm backend runs about 7x slower.
 */
export function inputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: [number, number, number, number]): tf.Tensor4D {
  const [kh, kw] = filter.shape;
  if (kh % 2 === 0 || kw % 2 === 0) return tf.conv2dTranspose(dy, filter, inputShape, 1, 'same');
  return tf.conv2d(dy, tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, 'same');
}

/**
 * Filter gradient of a stride-1 'same' convolution. For an odd kernel it is one 'valid' convolution with the
 * roles swapped: the padded input with channels as batch and batch as channels, convolved with dy as the
 * kernel, i.e. dW[i, j, ci, co] = sum over b, t, f of x[b, t + i - p, f + j - p, ci] * dy[b, t, f, co].
 * Measured faster on wasm than the sliced im2col (wasm-kernels.ts), which remains for even kernels.
 */
export function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, shape: [number, number, number, number]): tf.Tensor4D {
  const [kh, kw] = shape;
  if (kh % 2 === 0 || kw % 2 === 0) return conv2dBackpropFilterFromOps(x, dy, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: shape });
  const ph = (kh - 1) / 2;
  const pw = (kw - 1) / 2;
  return tf.tidy(() => {
    const swapped = tf.transpose(tf.pad(x, [[0, 0], [ph, ph], [pw, pw], [0, 0]]), [3, 1, 2, 0]) as tf.Tensor4D;
    return tf.transpose(tf.conv2d(swapped, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid'), [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * 3x3 'same' convolution whose filter gradient is built from plain ops (im2col + one matmul) on every backend:
 * wasm has no Conv2DBackpropFilter kernel, and this form is also the fastest one measured there.
 */
export function conv2dSame(x: tf.Tensor4D, filter: tf.Tensor4D, training: boolean, inputNeedsGradient = true): tf.Tensor4D {
  if (!training) return tf.conv2d(x, filter, 1, 'same');
  const filterGrad = filterGradient;
  if (!inputNeedsGradient) {
    // The network input is data: skip its (expensive, unused) gradient.
    const conv = tf.customGrad((fIn, save) => {
      (save as tf.GradSaveFunc)([x, fIn as tf.Tensor]);
      return {
        value: tf.conv2d(x, fIn as tf.Tensor4D, 1, 'same'),
        gradFunc: (dy, saved) => [filterGrad(saved[0] as tf.Tensor4D, dy as tf.Tensor4D, (saved[1] as tf.Tensor4D).shape)],
      };
    });
    return conv(filter) as tf.Tensor4D;
  }
  const conv = tf.customGrad((xIn, fIn, save) => {
    (save as tf.GradSaveFunc)([xIn as tf.Tensor, fIn as tf.Tensor]);
    return {
      value: tf.conv2d(xIn as tf.Tensor4D, fIn as tf.Tensor4D, 1, 'same'),
      gradFunc: (dy, saved) => {
        const [xs, fs] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy4 = dy as tf.Tensor4D;
        return [inputGradient(dy4, fs, xs.shape), filterGrad(xs, dy4, fs.shape)];
      },
    };
  });
  return conv(x, filter) as tf.Tensor4D;
}

export interface ForwardOptions {
  training: boolean;
  /** Dropout rate while training (default 0). */
  dropout?: number;
  /** Seed source for dropout masks while training. */
  rng?: () => number;
  /** While training, also return each block's batch mean and variance (for the moving BatchNorm statistics). */
  collectBatchStats?: boolean;
}

export interface ForwardResult {
  /** [batch, T', classes] pre-sigmoid scores at pooled time resolution. */
  logits: tf.Tensor3D;
  /** Per conv block batch mean and variance over [batch, time, freq], when training with collectBatchStats. */
  batchStats: BatchStats[];
}

function w(weights: CrnnWeights, name: string): tf.Tensor {
  const t = weights.get(name);
  if (!t) throw new Error(`CRNN weight "${name}" is missing`);
  return t;
}

/** One GRU direction over [batch, steps, in] (weights `${prefix}/...`), returning every step's state. */
export function gruDirection(x: tf.Tensor3D, weights: CrnnWeights, prefix: string, units: number): tf.Tensor3D {
  const [batch, steps, inDim] = x.shape;
  // Input projections for every step in one matmul; the recurrence is one fused op (gru-kernel.ts).
  const xw = tf.add(tf.matMul(x.reshape([batch * steps, inDim]), w(weights, `${prefix}/kernel`) as tf.Tensor2D), w(weights, `${prefix}/bias`)).reshape([batch, steps, 3 * units]);
  return gruRecurrence(xw as tf.Tensor3D, w(weights, `${prefix}/recurrent`) as tf.Tensor2D, w(weights, `${prefix}/recurrent_bias`) as tf.Tensor1D, units);
}

/**
 * The CRNN of manifest.ts as a pure function of its weights. Input [batch, frames, melBands] of normalised
 * log-mel with frames a multiple of timePoolFactor(config). Call inside tf.tidy (or a gradient function).
 */
export function crnnForward(weights: CrnnWeights, config: CrnnConfig, input: tf.Tensor3D, options: ForwardOptions): ForwardResult {
  const factor = timePoolFactor(config);
  if (input.shape[1] % factor !== 0) throw new Error(`CRNN input has ${input.shape[1]} frames, not a multiple of the time pool factor ${factor}`);
  const dropout = options.training ? (options.dropout ?? 0) : 0;
  const seed = () => Math.floor((options.rng ?? Math.random)() * 2 ** 31);
  let x: tf.Tensor4D = input.expandDims(3) as tf.Tensor4D;
  const batchStats: ForwardResult['batchStats'] = [];
  config.convBlocks.forEach((block, i) => {
    x = conv2dSame(x, w(weights, `conv${i}/kernel`) as tf.Tensor4D, options.training, i > 0);
    const gamma = w(weights, `bn${i}/gamma`);
    const beta = w(weights, `bn${i}/beta`);
    if (options.training) {
      const { y, stats } = bnReluPool(x, gamma, beta, { poolTime: block.poolTime, poolFreq: block.poolFreq, epsilon: BN_EPSILON, collectStats: options.collectBatchStats ?? false });
      if (stats) batchStats.push(stats);
      x = y;
    } else {
      x = tf.batchNorm(x, w(weights, `bn${i}/mean`), w(weights, `bn${i}/variance`), beta, gamma, BN_EPSILON) as tf.Tensor4D;
      x = tf.maxPool(tf.relu(x) as tf.Tensor4D, [block.poolTime, block.poolFreq], [block.poolTime, block.poolFreq], 'valid');
    }
    if (dropout > 0) x = tf.dropout(x, dropout, undefined, seed()) as tf.Tensor4D;
  });
  const [batch, steps, freq, channels] = x.shape;
  const seq = x.reshape([batch, steps, freq * channels]) as tf.Tensor3D;
  const fw = gruDirection(seq, weights, 'gru_fw', config.gruUnits);
  const bw = tf.reverse(gruDirection(tf.reverse(seq, 1), weights, 'gru_bw', config.gruUnits), 1);
  let hidden: tf.Tensor = tf.concat([fw, bw], 2).reshape([batch * steps, 2 * config.gruUnits]);
  if (dropout > 0) hidden = tf.dropout(hidden, dropout, undefined, seed());
  const logits = tf.add(tf.matMul(hidden as tf.Tensor2D, w(weights, 'dense/kernel') as tf.Tensor2D), w(weights, 'dense/bias')).reshape([batch, steps, -1]) as tf.Tensor3D;
  return { logits, batchStats };
}

/** Pads frames with zeros (after normalisation) up to a multiple of `factor`. */
export function padFrames(frames: number, factor: number): number {
  return Math.ceil(frames / factor) * factor;
}

/** Repeats each pooled step `factor` times and truncates to `frames`: [T', C] -> [frames, C], row-major. */
export function upsampleSteps(steps: Float32Array, stepCount: number, classes: number, factor: number, frames: number): Float32Array {
  const out = new Float32Array(frames * classes);
  for (let f = 0; f < frames; f++) {
    const s = Math.min(Math.floor(f / factor), stepCount - 1);
    out.set(steps.subarray(s * classes, (s + 1) * classes), f * classes);
  }
  return out;
}
