import type * as tf from '@tensorflow/tfjs';
import { frameDuration } from '../features/config';
import { windowFrames } from '../inference/windowed';
import { memberPrefix, modelMembers, modelNetwork, type ModelNetwork } from '../model/ensemble';
import { loadModel, saveModel, type LoadedModel, type ManifestWithoutWeights } from '../model/io';
import { DEFAULT_INFERENCE_WINDOW, type BandNormalization, type PostprocessConfig } from '../model/manifest';
import { loadSplit, type FeatureExtractor } from './dataset';
import { tuneFinalPostprocess } from './final-tuning';
import { DEFAULT_POSTPROCESS } from './trainer';
import type { Scores } from './validate';

/** A trained model to take networks from, and which (1-based, in its own order; absent: every one). */
export interface EnsembleSource {
  dir: string;
  networks?: number[];
}

/** `DIR` or `DIR#1,2,4` (the model's networks 1, 2 and 4), as the ensemble command takes models. */
export function parseEnsembleSource(arg: string): EnsembleSource {
  const hash = arg.lastIndexOf('#');
  if (hash < 0) return { dir: arg };
  const list = arg.slice(hash + 1);
  const networks = list.split(',').map(Number);
  if (!/^\d+(,\d+)*$/.test(list) || networks.some((n) => n < 1)) throw new EnsembleMismatchError(`"${arg}": after # give network numbers from 1, e.g. ${arg.slice(0, hash)}#1,3`);
  return { dir: arg.slice(0, hash), networks };
}

export interface EnsembleOptions {
  /**
   * Trained models (plain or ensembles themselves), each with all or some of its networks; the first
   * network taken comes first and its band statistics are the ensemble's.
   */
  models: EnsembleSource[];
  outDir: string;
  /** `earmark mix` folder whose validation split the post-processing is tuned on. */
  dataDir: string;
  ambience?: { dir: string; perHour: number };
  commandLine?: string;
  extract?: FeatureExtractor;
  log?: (line: string) => void;
}

export interface EnsembleResult {
  manifest: ManifestWithoutWeights;
  validation: Scores;
}

/** Models that cannot be combined (too few, or with other classes, features or windows). */
export class EnsembleMismatchError extends Error {
  constructor(reason: string) {
    super(`cannot combine these models: ${reason}`);
    this.name = 'EnsembleMismatchError';
  }
}

const sameNumbers = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
const sameNormalization = (a: BandNormalization, b: BandNormalization) => sameNumbers(a.mean, b.mean) && sameNumbers(a.std, b.std);

/** Why these models cannot be averaged frame by frame, or undefined when they can. */
export function ensembleMismatch(models: readonly { dir: string; manifest: ManifestWithoutWeights }[]): string | undefined {
  const [first, ...rest] = models;
  const window = (m: ManifestWithoutWeights) => JSON.stringify(m.inference ?? DEFAULT_INFERENCE_WINDOW);
  for (const other of rest) {
    const m = other.manifest;
    if (m.classes.join(',') !== first.manifest.classes.join(',')) return `"${other.dir}" has classes ${m.classes.join(',')}, "${first.dir}" has ${first.manifest.classes.join(',')}`;
    if (JSON.stringify(m.features) !== JSON.stringify(first.manifest.features)) return `"${other.dir}" computes other features than "${first.dir}"`;
    if (window(m) !== window(first.manifest)) return `"${other.dir}" runs on ${window(m)} windows, "${first.dir}" on ${window(first.manifest)}`;
  }
  return undefined;
}

/**
 * One model that averages the frame probabilities of several trained ones (each member of an ensemble taken
 * as is), with its post-processing tuned on validation as `earmark train` tunes a model's (FINAL_SEARCH,
 * and the false-alarm budget with `ambience`). Written atomically to outDir.
 */
export async function buildEnsemble(options: EnsembleOptions): Promise<EnsembleResult> {
  const loaded: (LoadedModel & EnsembleSource)[] = [];
  try {
    for (const source of options.models) loaded.push({ ...source, ...(await loadModel(source.dir)) });
    const mismatch = ensembleMismatch(loaded);
    if (mismatch) throw new EnsembleMismatchError(mismatch);
    const shape = { melBands: loaded[0].manifest.features.melBands, classes: loaded[0].manifest.classes.length };
    const picked: ModelNetwork<tf.Tensor>[] = [];
    for (const model of loaded) {
      for (const k of model.networks ?? modelMembers(model.manifest).map((_, i) => i + 1)) {
        const network = modelNetwork(model.manifest, model.weights, k, shape);
        if ('missing' in network) throw new EnsembleMismatchError(`"${model.dir}" ${network.missing}`);
        picked.push(network);
      }
    }
    if (picked.length < 2) throw new EnsembleMismatchError('an ensemble needs at least two networks');
    const [first, ...others] = picked;
    const weights = new Map(first.weights);
    const extra = others.map((member, i) => {
      for (const [name, t] of member.weights) weights.set(memberPrefix(i + 1) + name, t);
      return { architecture: member.architecture, ...(sameNormalization(member.normalization, first.normalization) ? {} : { normalization: member.normalization }) };
    });
    const base = { ...loaded[0].manifest, architecture: first.architecture, normalization: first.normalization };
    const frameSeconds = frameDuration(base.features);
    const networks = { architecture: base.architecture, ensemble: extra, normalization: base.normalization };
    const validation = await loadSplit(options.dataDir, 'validation', base.classes, base.features, { extract: options.extract });
    const basePostprocess: PostprocessConfig = { ...DEFAULT_POSTPROCESS, thresholds: Object.fromEntries(base.classes.map((c) => [c, 0.5])) };
    options.log?.(`tuning the post-processing of ${extra.length + 1} networks on ${validation.files.length} validation mixtures`);
    const tuned = await tuneFinalPostprocess({
      weights,
      networks,
      classes: base.classes,
      features: base.features,
      normalization: base.normalization,
      windows: windowFrames(base.inference ?? DEFAULT_INFERENCE_WINDOW, frameSeconds),
      frameSeconds,
      validation,
      ambience: options.ambience,
      basePostprocess,
      extract: options.extract,
      log: options.log,
    });
    const { weights: _index, ...rest } = base;
    void _index;
    const manifest: ManifestWithoutWeights = {
      ...rest,
      ensemble: extra,
      postprocess: tuned.postprocess,
      training: {
        createdAt: new Date().toISOString(),
        data: options.dataDir,
        members: loaded.map((m) => ({ dir: m.dir, ...(m.networks ? { networks: m.networks } : {}), command: m.manifest.training.command, bestEpoch: m.manifest.training.bestEpoch, seed: m.manifest.training.seed, ...(m.manifest.training.corpusSplits ? { corpusSplits: m.manifest.training.corpusSplits } : {}) })),
        ...(options.ambience ? { ambience: options.ambience.dir, falseAlarmsPerHour: options.ambience.perHour } : {}),
        command: options.commandLine,
        validationFiles: validation.files.length,
        scores: tuned.scoreFields,
      },
    };
    await saveModel(options.outDir, manifest, weights);
    return { manifest, validation: tuned.validation };
  } finally {
    for (const model of loaded) for (const t of model.weights.values()) t.dispose();
  }
}
