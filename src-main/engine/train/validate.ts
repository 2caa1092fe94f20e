import * as tf from '@tensorflow/tfjs';
import type { AnnotationSet } from '../annotations/types';
import { evaluatePreset } from '../metrics/index';
import { crnnForward, padFrames, upsampleSteps, type CrnnWeights } from '../model/crnn';
import { timePoolFactor, type CrnnConfig, type PostprocessConfig } from '../model/manifest';
import { probabilitiesToEvents, tuneThresholds, type FileProbabilities } from '../postprocess/index';
import type { LabeledFile } from './dataset';

/** Frame probabilities for whole files, several files per forward pass. */
export async function predictFiles(
  weights: CrnnWeights,
  config: CrnnConfig,
  files: LabeledFile[],
  classes: number,
  normalization: { mean: number[]; std: number[] },
  batchSize = 8,
): Promise<FileProbabilities[]> {
  const factor = timePoolFactor(config);
  const bands = normalization.mean.length;
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
    const probs = tf.tidy(() => tf.sigmoid(crnnForward(weights, config, tf.tensor3d(input, [group.length, padded, bands]), { training: false }).logits));
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

/** DCASE 2017 Task 2 preset scores of post-processed probabilities against the reference. */
export function scoreProbabilities(perFile: FileProbabilities[], reference: AnnotationSet, classes: string[], postprocess: PostprocessConfig, frameSeconds: number): Scores {
  const events = perFile.flatMap((f) => probabilitiesToEvents(f.probs, f.frames, classes, postprocess, frameSeconds, f.filename));
  const report = evaluatePreset('dcase2017-task2', reference, { files: perFile.map((f) => f.filename), events });
  const classWise: Scores['classWise'] = {};
  for (const c of classes) classWise[c] = { errorRate: report.classWise[c]?.error_rate ?? Number.NaN, fMeasure: report.classWise[c]?.f_measure ?? Number.NaN };
  return { errorRate: report.main.error_rate, fMeasure: report.main.f_measure, classWise };
}

export function classwiseErrorRate(reference: AnnotationSet, estimated: AnnotationSet): Record<string, number> {
  const report = evaluatePreset('dcase2017-task2', reference, estimated);
  return Object.fromEntries(Object.entries(report.classWise).map(([c, v]) => [c, v.error_rate]));
}

/** Per-class thresholds (and median filter length) minimising the validation error rate. */
export function tunePostprocess(perFile: FileProbabilities[], reference: AnnotationSet, classes: string[], base: PostprocessConfig, frameSeconds: number, medianFilterFrames?: number[]): PostprocessConfig {
  return tuneThresholds(perFile, reference, classes, base, frameSeconds, classwiseErrorRate, { medianFilterFrames }).config;
}
