import type * as tf from '@tensorflow/tfjs';
import { memberWeights, modelMembers } from '../model/ensemble';
import { finetuneLoop, type LoopOptions, type LoopResult } from './train-loop';

/**
 * Fine-tunes every network of a model one after the other, each with finetuneLoop on its own band statistics
 * (a plain model is one network). `initial` holds the weights under their stored names (`member{i}/...` for an
 * ensemble's further networks) and so does the result. Epochs are numbered on across networks; the time
 * budget is shared equally; the best epoch and the epoch-0 scores reported are the first network's.
 */
export async function finetuneMembers(options: LoopOptions): Promise<LoopResult> {
  const { manifest } = options;
  const members = modelMembers(manifest);
  const shape = { melBands: manifest.features.melBands, classes: manifest.classes.length };
  const best = new Map<string, tf.Tensor>();
  const history: LoopResult['history'] = [];
  let first: LoopResult | undefined;
  for (const [k, member] of members.entries()) {
    const offset = k * options.epochs;
    const loop = await finetuneLoop({
      ...options,
      manifest: { ...manifest, architecture: member.architecture, normalization: member.normalization ?? manifest.normalization, ensemble: undefined },
      initial: memberWeights(options.initial, member, shape),
      maxSeconds: options.maxSeconds === undefined ? undefined : options.maxSeconds / members.length,
      onEpoch: (record) => options.onEpoch?.({ ...record, epoch: record.epoch + offset }),
    });
    for (const [name, t] of loop.best) best.set(member.prefix + name, t);
    history.push(...loop.history.map((record) => ({ ...record, epoch: record.epoch + offset })));
    first ??= loop;
    if (loop.cancelled) return { best, bestEpoch: first.bestEpoch, initial: first.initial, history, cancelled: true };
  }
  return { best, bestEpoch: first!.bestEpoch, initial: first!.initial, history, cancelled: false };
}
