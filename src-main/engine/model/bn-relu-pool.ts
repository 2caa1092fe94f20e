import * as tf from '@tensorflow/tfjs';
import { computeTensor, readValues } from './tensor-buffers';

/** Per-channel batch statistics of a training-mode BatchNorm (biased variance). */
export interface BatchStats {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

export interface BnReluPoolOptions {
  poolTime: number;
  poolFreq: number;
  epsilon: number;
  /** Also return the batch mean and variance (for the moving BatchNorm statistics). */
  collectStats: boolean;
}

/** What the forward pass keeps for the backward pass, all in plain arrays. */
interface ForwardState {
  mean: Float64Array;
  inv: Float64Array;
  gamma: Float32Array;
  /** For every pooled output: the flat input index of its maximum, or -1 where the ReLU was inactive. */
  winner: Int32Array;
}

/**
 * Per-channel mean, biased variance and 1/sqrt(variance + eps) over every row of an [rows, channels] buffer, in one
 * pass of float64 sums (float32 activations leave float64 ample room for the E[x^2] - E[x]^2 cancellation).
 */
function channelMoments(x: Float32Array, channels: number, epsilon: number): { mean: Float64Array; variance: Float64Array; inv: Float64Array } {
  const rows = x.length / channels;
  const sum = new Float64Array(channels);
  const squares = new Float64Array(channels);
  for (let r = 0, k = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++, k++) {
      const v = x[k];
      sum[c] += v;
      squares[c] += v * v;
    }
  }
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  const inv = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    mean[c] = sum[c] / rows;
    variance[c] = Math.max(0, squares[c] / rows - mean[c] * mean[c]);
    inv[c] = 1 / Math.sqrt(variance[c] + epsilon);
  }
  return { mean, variance, inv };
}

/**
 * BatchNorm (batch statistics) + affine, ReLU and a 'valid' max-pool in one pass over [batch, time, freq, channels].
 * Returns the pooled values and, per pooled value, the input index that won (-1 where the output is a ReLU zero).
 */
function normalisePool(x: Float32Array, shape: number[], scale: Float64Array, shift: Float64Array, poolTime: number, poolFreq: number, y: Float32Array): Int32Array {
  const [batch, time, freq, channels] = shape;
  const outTime = Math.floor(time / poolTime);
  const outFreq = Math.floor(freq / poolFreq);
  const winner = new Int32Array(y.length);
  const rowStride = freq * channels;
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < outTime; t++) {
      const windowRow = (b * time + t * poolTime) * rowStride;
      for (let f = 0; f < outFreq; f++) {
        const windowStart = windowRow + f * poolFreq * channels;
        // Channel by channel so the running maximum stays in a register; the window's rows are in cache.
        for (let c = 0; c < channels; c++, o++) {
          const sc = scale[c];
          const sh = shift[c];
          // The ReLU floor: a window whose normalised values are all <= 0 outputs 0 and passes no gradient.
          let best = 0;
          let at = -1;
          for (let i = 0; i < poolTime; i++) {
            const rowStart = windowStart + i * rowStride + c;
            for (let j = 0; j < poolFreq; j++) {
              const k = rowStart + j * channels;
              const v = x[k] * sc + sh;
              if (v > best) {
                best = v;
                at = k;
              }
            }
          }
          y[o] = best;
          winner[o] = at;
        }
      }
    }
  }
  return winner;
}

/** dx (written into `dx`), dgamma and dbeta of BatchNorm + ReLU + max-pool from the pooled outputs' gradient. */
function backward(state: ForwardState, x: Float32Array, dyPooled: Float32Array, dx: Float32Array): { dgamma: Float32Array; dbeta: Float32Array } {
  const { mean, inv, gamma, winner } = state;
  const channels = mean.length;
  const count = x.length / channels;
  // The gradient reaching the BatchNorm output is dyPooled at each winner and zero elsewhere.
  const dbeta = new Float64Array(channels);
  const dgamma = new Float64Array(channels);
  for (let o = 0; o < winner.length; o++) {
    const k = winner[o];
    if (k < 0) continue;
    const c = k % channels;
    dbeta[c] += dyPooled[o];
    dgamma[c] += dyPooled[o] * (x[k] - mean[c]) * inv[c];
  }
  // dx = gamma * inv / N * (N * dz - sum(dz) - xhat * sum(dz * xhat)), split into a dense part and the winners' term.
  const a = new Float64Array(channels);
  const b = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const s = (gamma[c] * inv[c]) / count;
    a[c] = -s * dgamma[c] * inv[c];
    b[c] = -s * dbeta[c] - a[c] * mean[c];
  }
  for (let r = 0, k = 0; r < count; r++) for (let c = 0; c < channels; c++, k++) dx[k] = x[k] * a[c] + b[c];
  for (let o = 0; o < winner.length; o++) {
    const k = winner[o];
    if (k < 0) continue;
    const c = k % channels;
    dx[k] += gamma[c] * inv[c] * dyPooled[o];
  }
  return { dgamma: Float32Array.from(dgamma), dbeta: Float32Array.from(dbeta) };
}

/**
 * Training-mode BatchNorm, ReLU and 'valid' max-pool of one conv block as a single op whose forward and backward
 * run in plain loops over the buffers. The chain of tfjs ops it replaces spent most of a wasm train step in
 * per-op passes over the largest activations (the pooling gradient alone was a fifth of the step).
 * Same numbers as batchNormTraining + tf.relu + tf.maxPool to float32 rounding (tested).
 */
export function bnReluPool(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, options: BnReluPoolOptions): { y: tf.Tensor4D; stats?: BatchStats } {
  const [batch, time, freq, channels] = x.shape;
  const outShape: [number, number, number, number] = [batch, Math.floor(time / options.poolTime), Math.floor(freq / options.poolFreq), channels];
  let stats: BatchStats | undefined;
  const op = tf.customGrad((xIn, gIn, bIn, save) => {
    const g = (gIn as tf.Tensor).dataSync() as Float32Array;
    const bt = (bIn as tf.Tensor).dataSync() as Float32Array;
    let state: ForwardState | undefined;
    let variance: Float64Array = new Float64Array(0);
    const value = computeTensor(outShape, (y) => {
      const xs = readValues(xIn as tf.Tensor);
      const moments = channelMoments(xs, channels, options.epsilon);
      variance = moments.variance;
      const scale = new Float64Array(channels);
      const shift = new Float64Array(channels);
      for (let c = 0; c < channels; c++) {
        scale[c] = moments.inv[c] * g[c];
        shift[c] = bt[c] - moments.mean[c] * scale[c];
      }
      const winner = normalisePool(xs, x.shape, scale, shift, options.poolTime, options.poolFreq, y);
      state = { mean: moments.mean, inv: moments.inv, gamma: g, winner };
    });
    const forward = state!;
    if (options.collectStats) stats = { mean: tf.keep(tf.tensor1d(Float32Array.from(forward.mean))), variance: tf.keep(tf.tensor1d(Float32Array.from(variance))) };
    (save as tf.GradSaveFunc)([xIn as tf.Tensor]);
    return {
      value,
      gradFunc: (dy, saved) => {
        let sums: { dgamma: Float32Array; dbeta: Float32Array } | undefined;
        const dx = computeTensor(x.shape, (out) => {
          sums = backward(forward, readValues(saved[0]), readValues(dy as tf.Tensor), out);
        });
        return [dx, tf.tensor1d(sums!.dgamma), tf.tensor1d(sums!.dbeta)];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor4D;
  return { y, stats };
}
