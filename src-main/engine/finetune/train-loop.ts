import * as tf from '@tensorflow/tfjs';
import type { AnnotationSet } from '../annotations/types';
import { frameDuration } from '../features/config';
import type { BackendName } from '../model/backend';
import { isTrainableWeight, SeededRng } from '../model/crnn';
import type { ManifestWithoutWeights } from '../model/io';
import { timePoolFactor, type PostprocessConfig } from '../model/manifest';
import type { FileProbabilities } from '../postprocess';
import { createAdamState, DEFAULT_ADAM } from '../train/adam';
import { GradientPool } from '../train/gradient-pool';
import type { ShardMode } from '../train/gradients';
import { defaultTrainingThreads } from '../train/trainer';
import { activeSpan, buildBatch, sampleEpochCrops } from '../train/crops';
import type { LabeledFile } from '../train/dataset';
import { windowFrames } from '../inference/windowed';
import { predictFiles, scoreProbabilities, type Scores } from '../train/validate';
import { tuneOnHeldBack } from './scores';
import { isFrozen, type FreezePolicy } from './extend';

export interface FinetuneEpoch {
  epoch: number;
  /** Mean training loss (masked binary cross-entropy) over the epoch's batches. */
  loss: number;
  /** Frame-level masked binary cross-entropy on the held-back files. */
  validationLoss: number;
  /** Class-average ER (DCASE 2017 Task 2) on the held-back files, thresholds tuned on them. */
  errorRate: number;
  fMeasure: number;
  seconds: number;
  /** This epoch's weights are the ones kept so far: the best so far, or the latest where too few files are held back to choose. */
  improved: boolean;
}

export interface LoopOptions {
  manifest: ManifestWithoutWeights;
  /** Starting weights (not modified or disposed). */
  initial: Map<string, tf.Tensor>;
  train: LabeledFile[];
  validation: LabeledFile[];
  validationReference: AnnotationSet;
  epochs: number;
  seed: number;
  learningRate?: number;
  batchSize?: number;
  cropSeconds?: number;
  /** Crops drawn per epoch (files are repeated to reach it; default 64). */
  cropsPerEpoch?: number;
  freeze: FreezePolicy;
  /** Per-class loss weight, in manifest class order; 0 leaves a class's output out of the loss. */
  classWeights: number[];
  /** Stop after this many epochs without a better validation score. */
  patience?: number;
  /** Stop after the epoch that passes this many seconds. */
  maxSeconds?: number;
  signal?: AbortSignal;
  onEpoch?: (epoch: FinetuneEpoch) => void;
}

export interface LoopResult {
  /** Best weights seen (epoch 0 = the starting weights), as plain tensors the caller disposes. */
  best: Map<string, tf.Tensor>;
  bestEpoch: number;
  /** Validation scores of epoch 0 (the starting weights, thresholds tuned). */
  initial: { errorRate: number; fMeasure: number; validationLoss: number };
  history: FinetuneEpoch[];
  cancelled: boolean;
}

/** Frame-level masked binary cross-entropy of probabilities against files' targets. */
export function probabilityLoss(perFile: FileProbabilities[], files: LabeledFile[], weights: number[]): number {
  const C = weights.length;
  let sum = 0;
  let count = 0;
  perFile.forEach((p, i) => {
    const t = files[i].targets;
    for (let f = 0; f < p.frames; f++) {
      for (let c = 0; c < C; c++) {
        if (weights[c] === 0) continue;
        const q = Math.min(1 - 1e-7, Math.max(1e-7, p.probs[f * C + c]));
        const y = t[f * C + c];
        sum -= weights[c] * (y * Math.log(q) + (1 - y) * Math.log(1 - q));
        count++;
      }
    }
  });
  return count > 0 ? sum / count : 0;
}

/** Numbers each loop's variables: tfjs variable names are global to the process. */
let loopCounter = 0;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Held-back files needed before the best epoch is chosen on them rather than the last one kept. */
export const MIN_HELD_BACK_FOR_SELECTION = 10;

/**
 * Continues training a CRNN from given weights on crops of the reviewed files. The forward runs in
 * inference mode (BatchNorm keeps the parent's statistics, no dropout), which keeps small-data updates
 * from shifting what the conv blocks compute for the old classes; with freeze 'conv' only the GRU and
 * dense layers move. Each epoch is scored on the held-back files; with at least MIN_HELD_BACK_FOR_SELECTION
 * of them the best epoch (lowest ER, then lowest validation loss; epoch 0 included) is returned, with
 * fewer the last. Cancellation is checked between batches.
 */
export async function finetuneLoop(options: LoopOptions): Promise<LoopResult> {
  const { manifest } = options;
  const classes = manifest.classes;
  const C = classes.length;
  const arch = manifest.architecture;
  const factor = timePoolFactor(arch);
  const frameSeconds = frameDuration(manifest.features);
  // By default the crops the model was trained on: its detection window with its context.
  const modelCrop = manifest.inference ? manifest.inference.windowSeconds + 2 * manifest.inference.contextSeconds : 5.12;
  const cropFrames = Math.max(factor, Math.round((options.cropSeconds ?? modelCrop) / frameSeconds / factor) * factor);
  const batchSize = options.batchSize ?? 16;
  const activeClasses = options.classWeights.filter((w) => w > 0).length;
  if (activeClasses === 0) throw new Error('fine-tuning: no class has training targets');
  const basePost: PostprocessConfig = manifest.postprocess;
  const rng = new SeededRng(options.seed ^ 0x68e31da4);

  const variables = new Map<string, tf.Variable>();
  const run = ++loopCounter;
  for (const [name, t] of options.initial) variables.set(name, tf.tidy(() => tf.variable(t.clone(), isTrainableWeight(name) && !isFrozen(name, options.freeze), `finetune${run}/${name}`)));
  const adam = createAdamState(variables);
  const adamConfig = { ...DEFAULT_ADAM, learningRate: options.learningRate ?? 1e-3 };
  // Inference-mode BatchNorm and the class mask, on the same data-parallel path as training from scratch.
  const mode: ShardMode = { batchNorm: 'frozen', classWeights: options.classWeights };
  const gradients = await GradientPool.start(defaultTrainingThreads(batchSize), tf.getBackend() as BackendName, arch);

  const evaluate = async () => {
    const perFile = await predictFiles(variables, { architecture: arch }, options.validation, C, manifest.normalization, 8, windowFrames(manifest.inference, frameSeconds));
    const tuned = tuneOnHeldBack(perFile, options.validationReference, classes, basePost, frameSeconds);
    const scores: Scores = scoreProbabilities(perFile, options.validationReference, classes, tuned, frameSeconds, 'all-files');
    return { errorRate: scores.errorRate, fMeasure: scores.fMeasure, validationLoss: probabilityLoss(perFile, options.validation, options.classWeights) };
  };
  const snapshot = () => new Map([...variables].map(([n, v]) => [n, v.clone() as tf.Tensor]));
  // Picking an epoch on a handful of held-back files follows their noise (measured: with 4 of them the parent's
  // weights always won and fine-tuning did nothing); below MIN_HELD_BACK_FOR_SELECTION the last epoch is kept.
  const selectEpoch = options.validation.length >= MIN_HELD_BACK_FOR_SELECTION;
  const better = (a: { errorRate: number; validationLoss: number }, b: { errorRate: number; validationLoss: number }) =>
    !selectEpoch || a.errorRate < b.errorRate - 1e-9 || (Math.abs(a.errorRate - b.errorRate) <= 1e-9 && a.validationLoss < b.validationLoss - 1e-6);

  let initial = { errorRate: Number.NaN, fMeasure: Number.NaN, validationLoss: Number.NaN };
  let bestScore = initial;
  let best = new Map<string, tf.Tensor>();
  let bestEpoch = 0;
  const history: FinetuneEpoch[] = [];
  let cancelled = false;
  let sinceBest = 0;
  const started = performance.now();
  const repeats = Math.max(1, Math.ceil((options.cropsPerEpoch ?? 64) / Math.max(1, options.train.length)));
  const pool = Array.from({ length: repeats }, () => options.train).flat();
  const spans = pool.map((f) => activeSpan(f, C));
  try {
    initial = await evaluate();
    bestScore = initial;
    best = snapshot();
    for (let epoch = 1; epoch <= options.epochs && !cancelled; epoch++) {
      const epochStart = performance.now();
      const crops = sampleEpochCrops(pool, spans, { frames: cropFrames, randomShare: 0.25 }, rng.next);
      let lossSum = 0;
      for (let b = 0; b < crops.length; b += batchSize) {
        await yieldToEventLoop();
        if (options.signal?.aborted) {
          cancelled = true;
          break;
        }
        const group = crops.slice(b, b + batchSize);
        const batch = buildBatch(pool, group, cropFrames, factor, C, manifest.normalization);
        const shape = { frames: cropFrames, bands: manifest.features.melBands, steps: cropFrames / factor, classes: C, mode };
        const step = await gradients.adamStep(variables, batch, group.length, shape, new Array(gradients.threads).fill(0), adam, adamConfig);
        lossSum += step.loss * group.length;
      }
      if (cancelled) break;
      const scores = await evaluate();
      const improved = better(scores, bestScore);
      if (improved) {
        tf.dispose([...best.values()]);
        best = snapshot();
        bestScore = scores;
        bestEpoch = epoch;
        sinceBest = 0;
      } else sinceBest++;
      const record: FinetuneEpoch = { epoch, loss: lossSum / crops.length, ...scores, seconds: (performance.now() - epochStart) / 1000, improved };
      history.push(record);
      options.onEpoch?.(record);
      if (options.patience !== undefined && sinceBest >= options.patience) break;
      if (options.maxSeconds !== undefined && (performance.now() - started) / 1000 > options.maxSeconds) break;
      if (options.signal?.aborted) cancelled = true;
    }
  } finally {
    await gradients.close();
    for (const v of variables.values()) v.dispose();
    for (const t of [...adam.m.values(), ...adam.v.values()]) t.dispose();
  }
  return { best, bestEpoch, initial, history, cancelled };
}
