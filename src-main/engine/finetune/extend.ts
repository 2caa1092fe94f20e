import * as tf from '@tensorflow/tfjs';
import { createRng } from '../model/crnn';
import type { ManifestWithoutWeights } from '../model/io';
import { modelMembers } from '../model/ensemble';
import type { ModelManifest } from '../model/manifest';

export interface ExtendOptions {
  seed: number;
  /** New kernel columns are uniform in [-scale, scale] (default 0.01). */
  initScale?: number;
  /** New biases (default -3: a sigmoid of about 0.05, so a new class starts mostly off). */
  initBias?: number;
  /** Decision threshold for new classes until tuning (default 0.5). */
  threshold?: number;
}

export interface ExtendedModel {
  manifest: ManifestWithoutWeights;
  /** Fresh tensors (the parent's are left alone); the caller disposes them. */
  weights: Map<string, tf.Tensor>;
  added: string[];
}

/**
 * The parent model with one more output unit per added class (in every network of an ensemble): the dense
 * kernel and bias gain columns, old columns copied exactly (so old classes' probabilities are unchanged),
 * new ones small and seeded.
 */
export function extendModelClasses(parent: { manifest: ModelManifest | ManifestWithoutWeights; weights: Map<string, tf.Tensor> }, added: readonly string[], options: ExtendOptions): ExtendedModel {
  const clash = added.filter((c) => parent.manifest.classes.includes(c));
  if (clash.length > 0) throw new Error(`cannot add classes the model already has: ${clash.join(', ')}`);
  const weights = new Map<string, tf.Tensor>();
  for (const [name, t] of parent.weights) weights.set(name, t.clone());
  if (added.length > 0) {
    // Every network of an ensemble gains the same outputs, each from its own seeded draw.
    modelMembers(parent.manifest).forEach((member, k) => {
      const kernel = weights.get(`${member.prefix}dense/kernel`) as tf.Tensor2D;
      const bias = weights.get(`${member.prefix}dense/bias`) as tf.Tensor1D;
      const rows = kernel.shape[0];
      const rng = createRng((options.seed ^ 0x2545f491) + k);
      const scale = options.initScale ?? 0.01;
      const fresh = new Float32Array(rows * added.length);
      for (let i = 0; i < fresh.length; i++) fresh[i] = (rng() * 2 - 1) * scale;
      weights.set(`${member.prefix}dense/kernel`, tf.concat([kernel, tf.tensor2d(fresh, [rows, added.length])], 1));
      weights.set(`${member.prefix}dense/bias`, tf.concat([bias, tf.fill([added.length], options.initBias ?? -3)], 0));
      kernel.dispose();
      bias.dispose();
    });
  }
  const { weights: _index, ...rest } = parent.manifest as ModelManifest;
  void _index;
  const manifest: ManifestWithoutWeights = {
    ...rest,
    classes: [...parent.manifest.classes, ...added],
    postprocess: {
      ...parent.manifest.postprocess,
      thresholds: { ...parent.manifest.postprocess.thresholds, ...Object.fromEntries(added.map((c) => [c, options.threshold ?? 0.5])) },
    },
  };
  return { manifest, weights, added: [...added] };
}

export type FreezePolicy = 'none' | 'conv';

/** Weights left untouched by fine-tuning: with 'conv', every conv kernel and BatchNorm parameter and statistic. */
export function isFrozen(name: string, policy: FreezePolicy): boolean {
  return policy === 'conv' && /^(conv|bn)\d+\//.test(name);
}
