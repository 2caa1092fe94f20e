import * as tf from '@tensorflow/tfjs';
import { crnnForward, SeededRng } from '../model/crnn';
import type { CrnnConfig } from '../model/manifest';

/** How a step treats the network: training from scratch, or fine-tuning a trained model. */
export interface ShardMode {
  /** 'batch': training-mode BatchNorm on this shard's statistics, with dropout; 'frozen': the model's own statistics, no dropout. */
  batchNorm: 'batch' | 'frozen';
  /** Per-class loss weights in class order (0 leaves a class out of the loss); absent: every class counts. */
  classWeights?: number[];
}

/** One share of a training batch: everything a thread needs to compute its gradients. */
export interface GradientShard {
  /** [size, frames, bands] normalised inputs. */
  inputs: Float32Array;
  /** [size, frames / timePoolFactor, classes] targets. */
  targets: Float32Array;
  /** [size, frames / timePoolFactor, classes] loss weight of each target (e.g. heavier around onsets); absent: all 1. */
  lossWeights?: Float32Array;
  size: number;
  frames: number;
  bands: number;
  steps: number;
  classes: number;
  /** Seed of this shard's dropout masks. */
  dropoutSeed: number;
  /** Default: training from scratch, every class in the loss. */
  mode?: ShardMode;
}

/** A shard's mean loss, its gradients by weight name, and each conv block's batch statistics. */
export interface ShardGradients {
  size: number;
  loss: number;
  grads: Record<string, Float32Array>;
  stats: { mean: Float32Array; variance: Float32Array }[];
}

/**
 * Binary cross-entropy from logits, stable form: max(l, 0) - l*y + log(1 + exp(-|l|)), averaged. With
 * `elementWeights` (same shape as the targets), a weighted mean: sum(w * bce) / sum(w).
 */
export function bceWithLogits(logits: tf.Tensor, targets: tf.Tensor, classWeights?: number[], elementWeights?: tf.Tensor): tf.Scalar {
  let bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  if (elementWeights) bce = tf.div(tf.mul(bce, elementWeights), tf.mean(elementWeights));
  if (!classWeights) return tf.mean(bce) as tf.Scalar;
  // Weighted per class, scaled so that the loss stays a mean over the classes that count.
  const active = classWeights.filter((w) => w > 0).length;
  return tf.mul(tf.mean(tf.mul(bce, tf.tensor1d(classWeights))), classWeights.length / Math.max(1, active)) as tf.Scalar;
}

/**
 * Gradients of the mean loss over one shard with respect to the trainable variables. Training-mode
 * BatchNorm normalises with this shard's own statistics, so a batch split over threads behaves as
 * "ghost batches" of the shard size: the same split always gives the same numbers, on any thread.
 */
export function shardGradients(variables: Map<string, tf.Variable>, architecture: CrnnConfig, shard: GradientShard): ShardGradients {
  const trainable = [...variables].filter(([, v]) => v.trainable);
  const stats: { mean: tf.Tensor1D; variance: tf.Tensor1D }[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const x = tf.tensor3d(shard.inputs, [shard.size, shard.frames, shard.bands]);
    const y = tf.tensor3d(shard.targets, [shard.size, shard.steps, shard.classes]);
    const fromScratch = (shard.mode?.batchNorm ?? 'batch') === 'batch';
    const { logits, batchStats } = fromScratch
      ? crnnForward(variables, architecture, x, { training: true, dropout: architecture.dropout, rng: new SeededRng(shard.dropoutSeed).next, collectBatchStats: true })
      : crnnForward(variables, architecture, x, { training: false });
    stats.push(...batchStats);
    const weights = shard.lossWeights && tf.tensor3d(shard.lossWeights, [shard.size, shard.steps, shard.classes]);
    return bceWithLogits(logits, y, shard.mode?.classWeights, weights);
  }, trainable.map(([, v]) => v));
  const out: ShardGradients = {
    size: shard.size,
    loss: value.dataSync()[0],
    grads: Object.fromEntries(trainable.map(([name, v]) => [name, grads[v.name].dataSync() as Float32Array])),
    stats: stats.map((s) => ({ mean: s.mean.dataSync() as Float32Array, variance: s.variance.dataSync() as Float32Array })),
  };
  tf.dispose([value, ...Object.values(grads), ...stats.flatMap((s) => [s.mean, s.variance])]);
  return out;
}

/** Weighted by shard size: the gradient and loss of the whole batch's mean loss, and mean batch statistics. */
export function combineShards(shards: ShardGradients[]): ShardGradients {
  const size = shards.reduce((n, s) => n + s.size, 0);
  const weight = shards.map((s) => s.size / size);
  const sum = (pick: (s: ShardGradients) => Float32Array) => {
    const out = new Float32Array(pick(shards[0]).length);
    shards.forEach((s, i) => {
      const v = pick(s);
      for (let k = 0; k < out.length; k++) out[k] += weight[i] * v[k];
    });
    return out;
  };
  return {
    size,
    loss: shards.reduce((acc, s, i) => acc + weight[i] * s.loss, 0),
    grads: Object.fromEntries(Object.keys(shards[0].grads).map((name) => [name, sum((s) => s.grads[name])])),
    stats: shards[0].stats.map((_, b) => ({ mean: sum((s) => s.stats[b].mean), variance: sum((s) => s.stats[b].variance) })),
  };
}

/** Splits a batch into `parts` shards of near-equal size (never an empty one). */
export function splitBatch(batch: { inputs: Float32Array; targets: Float32Array; lossWeights?: Float32Array }, size: number, shape: Omit<GradientShard, 'inputs' | 'targets' | 'size' | 'dropoutSeed'>, parts: number, dropoutSeeds: number[]): GradientShard[] {
  // shape may carry the step's mode; it is copied into every shard.
  const n = Math.max(1, Math.min(parts, size));
  const inRow = shape.frames * shape.bands;
  const outRow = shape.steps * shape.classes;
  const shards: GradientShard[] = [];
  let start = 0;
  for (let p = 0; p < n; p++) {
    const count = Math.floor(size / n) + (p < size % n ? 1 : 0);
    shards.push({
      ...shape,
      size: count,
      inputs: batch.inputs.subarray(start * inRow, (start + count) * inRow),
      targets: batch.targets.subarray(start * outRow, (start + count) * outRow),
      ...(batch.lossWeights ? { lossWeights: batch.lossWeights.subarray(start * outRow, (start + count) * outRow) } : {}),
      dropoutSeed: dropoutSeeds[p],
    });
    start += count;
  }
  return shards;
}
