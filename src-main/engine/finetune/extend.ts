import * as tf from '@tensorflow/tfjs';
import { createRng } from '../model/crnn';
import type { ManifestWithoutWeights } from '../model/io';
import { memberWeights, modelMembers } from '../model/ensemble';
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
 * The parent model (the first network of an ensemble) with one more output unit per added class: the dense kernel and bias gain columns,
 * old columns copied exactly (so old classes' probabilities are unchanged), new ones small and seeded.
 */
export function extendModelClasses(parent: { manifest: ModelManifest | ManifestWithoutWeights; weights: Map<string, tf.Tensor> }, added: readonly string[], options: ExtendOptions): ExtendedModel {
  const clash = added.filter((c) => parent.manifest.classes.includes(c));
  if (clash.length > 0) throw new Error(`cannot add classes the model already has: ${clash.join(', ')}`);
  // An ensemble is fine-tuned through its first network: the others have no output for new labels, and
  // averaging with them would dilute the corrections.
  const first = memberWeights(parent.weights, modelMembers(parent.manifest)[0], { melBands: parent.manifest.features.melBands, classes: parent.manifest.classes.length });
  const weights = new Map<string, tf.Tensor>();
  for (const [name, t] of first) weights.set(name, t.clone());
  if (added.length > 0) {
    const kernel = weights.get('dense/kernel') as tf.Tensor2D;
    const bias = weights.get('dense/bias') as tf.Tensor1D;
    const rows = kernel.shape[0];
    const rng = createRng(options.seed ^ 0x2545f491);
    const scale = options.initScale ?? 0.01;
    const fresh = new Float32Array(rows * added.length);
    for (let i = 0; i < fresh.length; i++) fresh[i] = (rng() * 2 - 1) * scale;
    weights.set('dense/kernel', tf.concat([kernel, tf.tensor2d(fresh, [rows, added.length])], 1));
    weights.set('dense/bias', tf.concat([bias, tf.fill([added.length], options.initBias ?? -3)], 0));
    kernel.dispose();
    bias.dispose();
  }
  const { weights: _index, ensemble: _members, ...rest } = parent.manifest as ModelManifest;
  void _index;
  void _members;
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
