import * as tf from '@tensorflow/tfjs';
import type { AnnotationSet } from '../annotations/types';
import { evaluatePreset } from '../metrics/index';
import { padFrames, upsampleSteps, type CrnnWeights } from '../model/crnn';
import type { ModelNetworks } from '../model/ensemble';
import { ensembleProbabilities } from '../model/ensemble-forward';
import { timePoolFactor, type BandNormalization, type PostprocessConfig } from '../model/manifest';
import type { NetworkRunner } from '../inference/types';
import { WindowedInference, type WindowFrames } from '../inference/windowed';
import { probabilitiesToEvents, tuneThresholds, type FileProbabilities, type TuneOptions } from '../postprocess/index';
import type { LabeledFile } from './dataset';

/** The network over weights in memory, as detection's windowing runs it. */
function weightsRunner(weights: CrnnWeights, networks: ModelNetworks, classes: number, bands: number): NetworkRunner {
  return {
    backend: 'tfjs',
    description: 'training weights',
    async run(input, batch, frames) {
      const x = tf.tensor3d(input, [batch, frames, bands]);
      const probs = ensembleProbabilities(weights, networks, classes, x);
      x.dispose();
      const data = (await probs.data()) as Float32Array;
      probs.dispose();
      return data;
    },
    async dispose() {},
  };
}

/**
 * Frame probabilities of whole files. With `windows`, each file is cut into windows exactly as `detect` cuts
 * it (WindowedInference), so validation scores what users get; without, several whole files per forward pass.
 */
export async function predictFiles(
  weights: CrnnWeights,
  networks: ModelNetworks,
  files: LabeledFile[],
  classes: number,
  normalization: BandNormalization,
  batchSize = 8,
  windows?: WindowFrames,
): Promise<FileProbabilities[]> {
  const factor = timePoolFactor(networks.architecture);
  const bands = normalization.mean.length;
  if (windows) {
    const runner = weightsRunner(weights, networks, classes, bands);
    const out: FileProbabilities[] = [];
    for (const file of files) {
      const w = new WindowedInference(runner, { melBands: bands, classes, timePoolFactor: factor, normalization }, { ...windows, batchWindows: batchSize });
      await w.push(file.features);
      out.push({ filename: file.filename, ...(await w.finish()) });
    }
    return out;
  }
  const inv = normalization.std.map((s) => 1 / s);
  const out: FileProbabilities[] = [];
  for (let i = 0; i < files.length; i += batchSize) {
    const group = files.slice(i, i + batchSize);
    const padded = padFrames(Math.max(...group.map((f) => f.features.frames)), factor);
    const input = new Float32Array(group.length * padded * bands);
    group.forEach((file, b) => {
      const d = file.features.data;
      for (let f = 0; f < file.features.frames; f++) {
        for (let k = 0; k < bands; k++) input[(b * padded + f) * bands + k] = (d[f * bands + k] - normalization.mean[k]) * inv[k];
      }
    });
    const probs = tf.tidy(() => ensembleProbabilities(weights, networks, classes, tf.tensor3d(input, [group.length, padded, bands])));
    const data = (await probs.data()) as Float32Array;
    probs.dispose();
    const steps = padded / factor;
    group.forEach((file, b) => {
      const own = data.subarray(b * steps * classes, (b + 1) * steps * classes);
      out.push({ filename: file.filename, frames: file.features.frames, probs: upsampleSteps(own, steps, classes, factor, file.features.frames) });
    });
  }
  return out;
}

export interface Scores {
  errorRate: number;
  fMeasure: number;
  classWise: Record<string, { errorRate: number; fMeasure: number }>;
}

/**
 * How files are scored. 'per-class-mixtures' is the DCASE 2017 Task 2 protocol: each class is scored only on
 * its own mixtures (`<split>_<class>_NNNN` files), as each class had its own test set. 'all-files' scores every
 * class on every file, so a detection of one class in another class's mixture also counts as an insertion.
 */
export type ScoringProtocol = 'per-class-mixtures' | 'all-files';

/** The class a mixture was made for, from its `<split>_<class>_NNNN.ext` name. */
export function mixtureClass(filename: string): string | undefined {
  return /^[^_]+_(.+)_\d+\.[a-z0-9]+$/i.exec(filename)?.[1];
}

/** Per-class sub-problems: for each class, the files it is scored on and the reference events there. */
function classSubsets(reference: AnnotationSet, classes: string[], protocol: ScoringProtocol): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of classes) {
    const own = protocol === 'all-files' ? reference.files : reference.files.filter((f) => mixtureClass(f) === c);
    // Files not named after a class (not an earmark mix) fall back to all files.
    out.set(c, new Set(own.length > 0 ? own : reference.files));
  }
  return out;
}

/** Class-wise DCASE 2017 Task 2 preset metrics under a protocol. */
function classWiseReport(reference: AnnotationSet, estimated: AnnotationSet, classes: string[], protocol: ScoringProtocol): Record<string, { error_rate: number; f_measure: number }> {
  if (protocol === 'all-files') return evaluatePreset('dcase2017-task2', reference, estimated).classWise;
  const subsets = classSubsets(reference, classes, protocol);
  const out: Record<string, { error_rate: number; f_measure: number }> = {};
  for (const c of classes) {
    const files = subsets.get(c)!;
    const ref: AnnotationSet = { files: [...files], events: reference.events.filter((e) => files.has(e.filename) && e.label === c) };
    const est: AnnotationSet = { files: [...files], events: estimated.events.filter((e) => files.has(e.filename) && e.label === c) };
    const report = evaluatePreset('dcase2017-task2', ref, est);
    out[c] = report.classWise[c] ?? { error_rate: Number.NaN, f_measure: Number.NaN };
  }
  return out;
}

function nanMean(values: number[]): number {
  const ok = values.filter((v) => !Number.isNaN(v));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : Number.NaN;
}

/** DCASE 2017 Task 2 preset scores (class-wise average ER and F) of post-processed probabilities. */
export function scoreProbabilities(
  perFile: FileProbabilities[],
  reference: AnnotationSet,
  classes: string[],
  postprocess: PostprocessConfig,
  frameSeconds: number,
  protocol: ScoringProtocol = 'per-class-mixtures',
): Scores {
  const events = perFile.flatMap((f) => probabilitiesToEvents(f.probs, f.frames, classes, postprocess, frameSeconds, f.filename));
  return scoreAnnotations(reference, { files: perFile.map((f) => f.filename), events }, classes, protocol);
}

/** DCASE 2017 Task 2 preset scores (class-wise average ER and F) of estimated events under a protocol. */
export function scoreAnnotations(reference: AnnotationSet, estimated: AnnotationSet, classes: string[], protocol: ScoringProtocol = 'per-class-mixtures'): Scores {
  const report = classWiseReport(reference, estimated, classes, protocol);
  const classWise: Scores['classWise'] = {};
  for (const c of classes) classWise[c] = { errorRate: report[c]?.error_rate ?? Number.NaN, fMeasure: report[c]?.f_measure ?? Number.NaN };
  return {
    errorRate: nanMean(classes.map((c) => classWise[c].errorRate)),
    fMeasure: nanMean(classes.map((c) => classWise[c].fMeasure)),
    classWise,
  };
}

export function classwiseErrorRate(classes: string[], protocol: ScoringProtocol = 'per-class-mixtures'): (reference: AnnotationSet, estimated: AnnotationSet) => Record<string, number> {
  return (reference, estimated) => Object.fromEntries(Object.entries(classWiseReport(reference, estimated, classes, protocol)).map(([c, v]) => [c, v.error_rate]));
}

/**
 * Per-class thresholds (and whatever else `search` asks for: see TuneOptions) minimising the validation
 * error rate, over the post-processing module's default threshold grid (0.05..0.95): a threshold of 0.99 would
 * often win on ER by detecting nothing at all.
 */
export function tunePostprocess(
  perFile: FileProbabilities[],
  reference: AnnotationSet,
  classes: string[],
  base: PostprocessConfig,
  frameSeconds: number,
  search: Omit<TuneOptions, 'thresholds'> = {},
  protocol: ScoringProtocol = 'per-class-mixtures',
): PostprocessConfig {
  return tuneThresholds(perFile, reference, classes, base, frameSeconds, classwiseErrorRate(classes, protocol), search).config;
}
