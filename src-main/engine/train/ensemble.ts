import type * as tf from '@tensorflow/tfjs';
import { frameDuration } from '../features/config';
import { windowFrames } from '../inference/windowed';
import { memberPrefix, memberWeights, modelMembers } from '../model/ensemble';
import { loadModel, saveModel, type LoadedModel, type ManifestWithoutWeights } from '../model/io';
import { DEFAULT_INFERENCE_WINDOW, type BandNormalization, type CrnnConfig, type PostprocessConfig } from '../model/manifest';
import { loadSplit, type FeatureExtractor } from './dataset';
import { tuneFinalPostprocess } from './final-tuning';
import { DEFAULT_POSTPROCESS } from './trainer';
import type { Scores } from './validate';

export interface EnsembleOptions {
  /** Trained models (plain or ensembles themselves); the first one's network comes first and its band statistics are the ensemble's. */
  modelDirs: string[];
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
  if (options.modelDirs.length < 2) throw new EnsembleMismatchError('an ensemble needs at least two models');
  const loaded: (LoadedModel & { dir: string })[] = [];
  try {
    for (const dir of options.modelDirs) loaded.push({ dir, ...(await loadModel(dir)) });
    const mismatch = ensembleMismatch(loaded);
    if (mismatch) throw new EnsembleMismatchError(mismatch);
    const base = loaded[0].manifest;
    const shape = { melBands: base.features.melBands, classes: base.classes.length };
    const weights = new Map<string, tf.Tensor>();
    const extra: { architecture: CrnnConfig; normalization?: BandNormalization }[] = [];
    for (const model of loaded) {
      for (const member of modelMembers(model.manifest)) {
        const own = member.normalization ?? model.manifest.normalization;
        const prefix = weights.size === 0 ? '' : memberPrefix(extra.length + 1);
        for (const [name, t] of memberWeights(model.weights, member, shape)) weights.set(prefix + name, t);
        if (prefix) extra.push({ architecture: member.architecture, ...(sameNormalization(own, base.normalization) ? {} : { normalization: own }) });
      }
    }
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
        members: loaded.map((m) => ({ dir: m.dir, command: m.manifest.training.command, bestEpoch: m.manifest.training.bestEpoch, seed: m.manifest.training.seed })),
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
