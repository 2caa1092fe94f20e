import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../model/backend';
import { GradientPool } from './gradient-pool';
import { DEFAULT_FEATURE_CONFIG, frameDuration, type FeatureConfig } from '../features/config';
import { initCrnnWeights, isTrainableWeight, SeededRng } from '../model/crnn';
import { loadModel, saveModel, type ManifestWithoutWeights } from '../model/io';
import { modelNetwork, type ModelNetwork } from '../model/ensemble';
import { timePoolFactor, windowForCrop, type BandNormalization, type CrnnConfig, type PostprocessConfig } from '../model/manifest';
import { createAdamState, DEFAULT_ADAM, type AdamState } from './adam';
import { checkpointDir, checkpointExists, loadCheckpoint, saveCheckpoint, type EpochRecord, type LoadedCheckpoint, type TrainingState } from './checkpoint';
import { activeSpan, buildBatch, DEFAULT_AUGMENTATION, sampleEpochCrops, type Augmentation } from './crops';
import type { SplitName } from '../mix/split';
import { bandStatistics, loadSplit, TrainingDataError, type FeatureExtractor, type SplitData } from './dataset';
import { windowFrames } from '../inference/windowed';
import { tuneFinalPostprocess } from './final-tuning';
import { predictFiles, scoreProbabilities, tunePostprocess, type Scores } from './validate';
import { loadMelCorpus, type MelCorpus } from './corpus-sources';
import { CorpusMixer, DEFAULT_CORPUS_MIXING, type CorpusMixing } from './corpus-mixer';
import { WeightAverage } from './weight-average';
import { batchFromMixedCrops, mixedCropStatistics, type LossWeighting } from './corpus-batch';

export const DEFAULT_CRNN_CONFIG: CrnnConfig = {
  convBlocks: [
    { filters: 16, poolTime: 2, poolFreq: 4 },
    { filters: 32, poolTime: 2, poolFreq: 4 },
    { filters: 32, poolTime: 2, poolFreq: 2 },
  ],
  gruUnits: 32,
  dropout: 0.1,
};

/** The default CRNN with other filter counts (one per conv block, same pooling) and GRU size. */
export function sizedCrnnConfig(filters: readonly number[], gruUnits: number): CrnnConfig {
  const blocks = DEFAULT_CRNN_CONFIG.convBlocks;
  if (filters.length !== blocks.length) throw new Error(`the CRNN has ${blocks.length} conv blocks, got ${filters.length} filter counts`);
  return { ...DEFAULT_CRNN_CONFIG, convBlocks: blocks.map((b, i) => ({ ...b, filters: filters[i] })), gruUnits };
}

/**
 * Thresholds are tuned with every event kept, as `detect` and the studio report them on recordings of any
 * length; the DCASE 2017 Task 2 one-event-per-mixture rule is applied only where that benchmark is scored.
 */
export const DEFAULT_POSTPROCESS: Omit<PostprocessConfig, 'thresholds'> = {
  medianFilterFrames: 11,
  minEventSeconds: 0.1,
  mergeGapSeconds: 1,
  oneEventPerFile: false,
};

import { MERGE_GAPS, ONSET_SHIFTS } from './search-grids';
export { FINAL_SEARCH, MEDIAN_GRID, MERGE_GAPS, ONSET_SHIFTS } from './search-grids';

export interface TrainOptions {
  dataDir: string;
  outDir: string;
  /** Default: the classes of DIR/manifest.json. */
  classes?: string[];
  epochs: number;
  seed: number;
  resume: boolean;
  batchSize: number;
  cropSeconds: number;
  patience: number;
  architecture?: CrnnConfig;
  features?: FeatureConfig;
  learningRate?: number;
  /** Share of event-file crops placed anywhere rather than around the event. */
  randomCropShare?: number;
  /** Crop augmentation (level, extra background, band shift and mask); false turns it off. */
  augmentation?: Augmentation | false;
  /** Stop after the epoch that would otherwise overrun this many seconds of training in total. */
  maxSeconds?: number;
  /**
   * Event-free recordings (the validation split of an `earmark mix --events-per-minute 0` folder) and a
   * false-alarm budget per class and hour: the final post-processing keeps within it where it can.
   */
  ambience?: { dir: string; perHour: number };
  /**
   * Decay per step of an exponential moving average of the weights (weight-average.ts): validation, the saved
   * model and the final tuning then use the average. Each epoch also scores the current weights, for comparison.
   */
  weightAverageDecay?: number;
  /** With `corpus`: extra loss weight on the pooled steps around each event onset (onsetLossWeights); 0 or absent: none. */
  onsetWeight?: number;
  /** With `corpus`: per class, extra loss weight on the pooled steps where it is active (weighPositiveSteps); absent classes: none. */
  positiveWeights?: Record<string, number>;
  /**
   * Start a new run (not `resume`) from one network of a trained model instead of random weights: its
   * architecture, weights and band statistics; `member` is 1-based (1: the model's own network).
   */
  initFrom?: { dir: string; member: number };
  /** Threads computing each batch's gradients (data-parallel shards); default defaultTrainingThreads(). */
  threads?: number;
  /** Recorded in the manifest. */
  commandLine?: string;
  backend?: string;
  extract?: FeatureExtractor;
  /** Preloaded splits (tests); skips reading dataDir. */
  data?: { train: SplitData; validation: SplitData };
  /**
   * Train on fresh mixtures drawn every epoch from this corpus's train split (corpus-mixer.ts) instead of the
   * fixed mixtures of dataDir's train split; dataDir still gives the validation split. `splits` pools more of
   * the corpus's splits into training (default: train only); with validation among them, the validation
   * error rate is measured on sources the model has heard.
   */
  corpus?: { dir: string; cropsPerEpoch: number; splits?: readonly SplitName[]; mixing?: CorpusMixing; sources?: MelCorpus };
  onLog?: (line: string) => void;
  onBatch?: (p: { epoch: number; batch: number; batches: number; loss: number; epochSeconds: number }) => void;
  onEpoch?: (record: EpochRecord, improved: boolean) => void;
}

export interface TrainResult {
  manifest: ManifestWithoutWeights;
  history: EpochRecord[];
  bestEpoch: number;
  validation: Scores;
  stoppedEarly: boolean;
  resumedFromEpoch: number;
}

async function readDataClasses(dataDir: string): Promise<string[]> {
  const path = join(dataDir, 'manifest.json');
  let raw: { classes?: unknown; arguments?: { classes?: unknown } };
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new TrainingDataError(dataDir, `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found (not an earmark mix directory?)' : (error as Error).message}`);
  }
  const classes = raw.classes ?? raw.arguments?.classes;
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === 'string')) throw new TrainingDataError(dataDir, `${path} lists no classes`);
  return classes as string[];
}

function toVariables(weights: Map<string, tf.Tensor>): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const [name, t] of weights) {
    out.set(name, tf.variable(t, isTrainableWeight(name)));
    t.dispose();
  }
  return out;
}

const BN_MOMENTUM = 0.95;

/**
 * Whether an epoch's validation scores beat the best so far: lower class-average ER, except that a model that
 * detects nothing (F undefined) never replaces one that detects something. Its ER of exactly 1 can beat a noisy
 * detector, but it is useless as a detector.
 */
export function isImprovement(scores: { errorRate: number; fMeasure: number }, best: { errorRate: number; fMeasure: number } | undefined): boolean {
  if (!best) return true;
  const detects = !Number.isNaN(scores.fMeasure) && scores.fMeasure !== null;
  const bestDetects = !Number.isNaN(best.fMeasure) && best.fMeasure !== null;
  if (detects !== bestDetects) return detects;
  return scores.errorRate < best.errorRate - 1e-9;
}

/**
 * Gradient threads by default: one per core (at most 4) on the single-threaded wasm and cpu backends, one on
 * native TensorFlow, which already uses every core. Never more than the batch has crops.
 */
export function defaultTrainingThreads(batchSize: number, backend = tf.getBackend()): number {
  return backend === 'tensorflow' ? 1 : Math.max(1, Math.min(4, availableParallelism(), batchSize));
}

/** The state with no best epoch yet (for a run resumed on other validation data); history and weights are kept. */
export function restartBest(state: TrainingState): TrainingState {
  return { ...state, bestEpoch: 0, bestErrorRate: Number.POSITIVE_INFINITY, epochsWithoutImprovement: 0 };
}

/** A model that cannot seed a training run with these classes and features. */
export class InitialModelError extends Error {
  constructor(dir: string, reason: string) {
    super(`cannot start training from "${dir}": ${reason}`);
    this.name = 'InitialModelError';
  }
}

/** One network of a trained model, as the starting point of a new run (TrainOptions.initFrom). */
async function initialNetwork(from: { dir: string; member: number }, classes: string[], features: FeatureConfig): Promise<ModelNetwork<tf.Tensor>> {
  const model = await loadModel(from.dir);
  try {
    if (model.manifest.classes.join(',') !== classes.join(',')) throw new InitialModelError(from.dir, `it detects ${model.manifest.classes.join(',')}, this run trains ${classes.join(',')}`);
    if (JSON.stringify(model.manifest.features) !== JSON.stringify(features)) throw new InitialModelError(from.dir, 'it was trained on other features than this run computes (check --background-tc)');
    const network = modelNetwork(model.manifest, model.weights, from.member, { melBands: features.melBands, classes: classes.length });
    if ('missing' in network) throw new InitialModelError(from.dir, `it ${network.missing}`);
    // Its own copies: the loaded model's tensors are all released below.
    return { ...network, weights: new Map([...network.weights].map(([name, t]) => [name, t.clone()])) };
  } finally {
    for (const t of model.weights.values()) t.dispose();
  }
}

/** Trains the CRNN on an `earmark mix` directory; see TrainOptions. Writes OUT (best model) and OUT/checkpoints/last. */
export async function trainCrnn(options: TrainOptions): Promise<TrainResult> {
  const log = options.onLog ?? (() => {});
  const features = options.features ?? { ...DEFAULT_FEATURE_CONFIG };
  const frameSeconds = frameDuration(features);
  let architecture = options.architecture ?? DEFAULT_CRNN_CONFIG;
  const classes = options.classes ?? (options.data ? [] : await readDataClasses(options.dataDir));
  if (classes.length === 0) throw new Error('no classes to train');
  const unknownWeighted = Object.keys(options.positiveWeights ?? {}).filter((c) => !classes.includes(c));
  if (unknownWeighted.length > 0) throw new Error(`positive weight for ${unknownWeighted.join(', ')}: not among the classes trained (${classes.join(', ')})`);
  const corpus = options.corpus;
  // The fixed mixtures' batches (buildBatch) carry no loss weights: asked for there, they would do nothing.
  if (!corpus && ((options.onsetWeight ?? 0) > 0 || Object.values(options.positiveWeights ?? {}).some((w) => w > 0))) throw new Error('onset and positive loss weights need fresh mixtures from a corpus (--corpus)');
  const emptyTrain: SplitData = { split: 'train', files: [], reference: { files: [], events: [] } };
  const data = options.data ?? {
    train: corpus ? emptyTrain : await loadSplit(options.dataDir, 'train', classes, features, { extract: options.extract, onFile: (d, n) => d % 100 === 0 && log(`features train ${d}/${n}`) }),
    validation: await loadSplit(options.dataDir, 'validation', classes, features, { extract: options.extract, onFile: (d, n) => d % 100 === 0 && log(`features validation ${d}/${n}`) }),
  };
  const corpusSplits = corpus?.splits ?? ['train'];
  if (corpusSplits.includes('validation')) log('corpus: training on the validation split\'s sources too; validation error rates are on heard sources');
  const mixer = corpus
    ? new CorpusMixer(corpus.sources ?? (await loadMelCorpus(corpus.dir, corpusSplits, classes, features, (d, n) => d % 100 === 0 && log(`corpus ${corpusSplits.join('+')} sources ${d}/${n}`))), classes, features, corpus.mixing ?? DEFAULT_CORPUS_MIXING)
    : undefined;
  if (!mixer && data.train.files.length === 0) throw new TrainingDataError(options.dataDir, 'the train split has no files of the selected classes');
  if (data.validation.files.length === 0) throw new TrainingDataError(options.dataDir, 'the validation split has no files of the selected classes');

  const ckptDir = checkpointDir(options.outDir);
  let variables: Map<string, tf.Variable>;
  let adam: AdamState;
  let state: TrainingState;
  let resumedFromEpoch = 0;
  let resumedAverage: LoadedCheckpoint['average'];
  let keptNormalization: BandNormalization | undefined;
  if (options.resume && (await checkpointExists(ckptDir))) {
    const ckpt = await loadCheckpoint(ckptDir);
    architecture = ckpt.manifest.architecture;
    if (ckpt.manifest.classes.join(',') !== classes.join(',')) throw new Error(`--resume: checkpoint classes ${ckpt.manifest.classes.join(',')} differ from ${classes.join(',')}`);
    variables = toVariables(ckpt.weights);
    adam = createAdamState(variables);
    adam.step = ckpt.adam.step;
    for (const [name, m] of ckpt.adam.m) adam.m.get(name)?.assign(tf.tensor(m, variables.get(name)!.shape));
    for (const [name, v] of ckpt.adam.v) adam.v.get(name)?.assign(tf.tensor(v, variables.get(name)!.shape));
    state = ckpt.state;
    resumedAverage = ckpt.average;
    // The weights learned on the checkpoint's input statistics: recomputing them (from --seed, or after a change
    // to the mixing) would shift every input band under them.
    keptNormalization = ckpt.manifest.normalization;
    resumedFromEpoch = state.epoch;
    log(`resuming after epoch ${state.epoch} (best ER ${state.bestErrorRate.toFixed(3)} at epoch ${state.bestEpoch})`);
    const checkpointData = ckpt.manifest.training?.data;
    if (checkpointData !== undefined && resolve(checkpointData) !== resolve(options.dataDir)) {
      // Error rates on other validation mixtures are not comparable: the first resumed epoch becomes the best so far.
      state = restartBest(state);
      log(`validation data changed (${checkpointData} -> ${options.dataDir}): the best epoch restarts`);
    }
  } else {
    if (options.initFrom) {
      const start = await initialNetwork(options.initFrom, classes, features);
      architecture = start.architecture;
      keptNormalization = start.normalization;
      variables = toVariables(start.weights);
      log(`starting from network ${options.initFrom.member} of ${options.initFrom.dir}`);
    } else {
      variables = toVariables(initCrnnWeights(architecture, { melBands: features.melBands, classes: classes.length }, options.seed));
    }
    adam = createAdamState(variables);
    state = { epoch: 0, rngState: new SeededRng(options.seed ^ 0x9e3779b9).state, adamStep: 0, bestEpoch: 0, bestErrorRate: Number.POSITIVE_INFINITY, epochsWithoutImprovement: 0, history: [], elapsedSeconds: 0 };
  }
  const factor = timePoolFactor(architecture);
  const cropFrames = Math.max(factor, Math.round(options.cropSeconds / frameSeconds / factor) * factor);
  // Band statistics of the training input: of the fixed mixtures, or of mixtures drawn from their own seed.
  const normalization = keptNormalization ?? (mixer ? mixedCropStatistics(mixer, cropFrames, 256, new SeededRng(options.seed ^ 0x5bd1e995).next) : bandStatistics(data.train.files, features.melBands));
  const inference = windowForCrop(cropFrames * frameSeconds);
  const windows = windowFrames(inference, frameSeconds);
  const rng = new SeededRng(state.rngState);
  const spans = data.train.files.map((f) => activeSpan(f, classes.length));
  const augmentation = options.augmentation === false ? undefined : (options.augmentation ?? DEFAULT_AUGMENTATION);
  const backgroundFiles = spans.flatMap((s, i) => (s ? [] : [i]));
  const basePostprocess: PostprocessConfig = { ...DEFAULT_POSTPROCESS, thresholds: Object.fromEntries(classes.map((c) => [c, 0.5])) };
  const augmentationNote = augmentation ? { augmentation: JSON.stringify(augmentation) } : {};
  void augmentationNote;
  const manifestBase = (postprocess: PostprocessConfig, extra: Partial<ManifestWithoutWeights['training']> = {}): ManifestWithoutWeights => ({
    format: 'earmark-crnn',
    version: 1,
    classes,
    features,
    normalization,
    architecture,
    postprocess,
    inference,
    training: {
      createdAt: new Date().toISOString(),
      data: options.dataDir,
      ...(corpus ? { corpus: corpus.dir, ...(corpus.splits ? { corpusSplits: [...corpus.splits] } : {}), mixing: { ...(corpus.mixing ?? DEFAULT_CORPUS_MIXING) } } : {}),
      ...(options.ambience ? { ambience: options.ambience.dir, falseAlarmsPerHour: options.ambience.perHour } : {}),
      command: options.commandLine,
      seed: options.seed,
      trainFiles: data.train.files.length,
      validationFiles: data.validation.files.length,
      ...extra,
    },
  });
  const weighting: LossWeighting = { onsetWeight: options.onsetWeight, ...(options.positiveWeights ? { positiveWeights: classes.map((c) => options.positiveWeights![c] ?? 0) } : {}) };
  const adamConfig = { ...DEFAULT_ADAM, learningRate: options.learningRate ?? DEFAULT_ADAM.learningRate };
  // A resumed run keeps its average; one that had none starts it from the checkpoint's weights.
  const average = options.weightAverageDecay === undefined ? undefined : new WeightAverage(variables, options.weightAverageDecay, resumedAverage?.updates ?? 0);
  if (average && resumedAverage) average.load(resumedAverage.values);
  if (average) log(`weight average: decay ${average.decay} per step${resumedAverage ? `, resumed after ${average.updateCount} updates` : ''}`);
  const evaluated = average?.weights ?? variables;
  /** Validation scores of some weights, with the post-processing tuned for them on validation. */
  const validate = async (weights: Map<string, tf.Tensor>) => {
    const perFile = await predictFiles(weights, { architecture }, data.validation.files, classes.length, normalization, 8, windows);
    const tuned = tunePostprocess(perFile, data.validation.reference, classes, basePostprocess, frameSeconds, { mergeGaps: MERGE_GAPS, onsetShifts: ONSET_SHIFTS });
    return { tuned, scores: scoreProbabilities(perFile, data.validation.reference, classes, tuned, frameSeconds) };
  };
  let stoppedEarly = false;
  const pool = await GradientPool.start(options.threads ?? defaultTrainingThreads(options.batchSize), tf.getBackend() as BackendName, architecture, log);
  try {
    while (state.epoch < options.epochs) {
      const epoch = state.epoch + 1;
      const started = performance.now();
      const crops = mixer ? [] : sampleEpochCrops(data.train.files, spans, { frames: cropFrames, randomShare: options.randomCropShare ?? 0.25 }, rng.next);
      const epochCrops = mixer ? corpus!.cropsPerEpoch : crops.length;
      const batches = Math.ceil(epochCrops / options.batchSize);
      let lossSum = 0;
      for (let b = 0; b < batches; b++) {
        const size = Math.min(options.batchSize, epochCrops - b * options.batchSize);
        const group = mixer ? [] : crops.slice(b * options.batchSize, (b + 1) * options.batchSize);
        const batch = mixer
          ? batchFromMixedCrops(Array.from({ length: size }, () => mixer.crop(cropFrames, rng.next)), cropFrames, factor, classes.length, normalization, weighting)
          : buildBatch(data.train.files, group, cropFrames, factor, classes.length, normalization, augmentation && { aug: augmentation, rng: rng.next, backgroundFiles });
        const dropoutSeed = Math.floor(rng.next() * 2 ** 32);
        const shape = { frames: cropFrames, bands: features.melBands, steps: cropFrames / factor, classes: classes.length };
        const seeds = Array.from({ length: pool.threads }, (_, p) => (dropoutSeed + p * 0x9e3779b9) >>> 0);
        const step = await pool.adamStep(variables, batch, size, shape, seeds, adam, adamConfig);
        tf.tidy(() => {
          step.stats.forEach((s, i) => {
            const mean = variables.get(`bn${i}/mean`)!;
            const variance = variables.get(`bn${i}/variance`)!;
            mean.assign(tf.add(tf.mul(mean, BN_MOMENTUM), tf.mul(tf.tensor1d(s.mean), 1 - BN_MOMENTUM)));
            variance.assign(tf.add(tf.mul(variance, BN_MOMENTUM), tf.mul(tf.tensor1d(s.variance), 1 - BN_MOMENTUM)));
          });
        });
        average?.update(variables);
        const lossValue = step.loss;
        lossSum += lossValue * size;
        options.onBatch?.({ epoch, batch: b + 1, batches, loss: lossValue, epochSeconds: (performance.now() - started) / 1000 });
      }
      const trainLoss = lossSum / epochCrops;

      const { tuned, scores } = await validate(evaluated);
      const current = average ? (await validate(variables)).scores : undefined;
      const seconds = (performance.now() - started) / 1000;
      const record: EpochRecord = { epoch, loss: trainLoss, errorRate: scores.errorRate, fMeasure: scores.fMeasure, seconds, ...(current ? { currentErrorRate: current.errorRate } : {}) };
      const improved = isImprovement(scores, state.bestEpoch === 0 ? undefined : state.history.find((h) => h.epoch === state.bestEpoch));
      state = {
        ...state,
        epoch,
        rngState: rng.state,
        adamStep: adam.step,
        history: [...state.history, record],
        elapsedSeconds: state.elapsedSeconds + seconds,
        bestEpoch: improved ? epoch : state.bestEpoch,
        bestErrorRate: improved ? scores.errorRate : state.bestErrorRate,
        epochsWithoutImprovement: improved ? 0 : state.epochsWithoutImprovement + 1,
      };
      if (improved) {
        await saveModel(options.outDir, manifestBase(tuned, { epochs: epoch, bestEpoch: epoch, scores: { validationErrorRate: scores.errorRate, validationFMeasure: scores.fMeasure } }), evaluated, {});
      }
      await saveCheckpoint(ckptDir, manifestBase(basePostprocess), variables, adam, state, average && { decay: average.decay, updates: average.updateCount, weights: average.weights });
      options.onEpoch?.(record, improved);
      if (state.epochsWithoutImprovement >= options.patience) {
        log(`early stop: no improvement for ${options.patience} epochs`);
        stoppedEarly = true;
        break;
      }
      if (options.maxSeconds !== undefined && state.elapsedSeconds + seconds > options.maxSeconds) {
        log(`time budget: stopping after epoch ${epoch} (${Math.round(state.elapsedSeconds)} s of ${options.maxSeconds} s used)`);
        stoppedEarly = true;
        break;
      }
    }
  } finally {
    await pool.close();
  }

  // Final post-processing, tuned on validation with the best weights (FINAL_SEARCH).
  const best = await loadModel(options.outDir);
  for (const v of variables.values()) v.dispose();
  average?.dispose();
  for (const t of [...adam.m.values(), ...adam.v.values()]) t.dispose();
  const { postprocess, validation, scoreFields } = await tuneFinalPostprocess({
    weights: best.weights,
    networks: { architecture },
    classes,
    features,
    normalization,
    windows,
    frameSeconds,
    validation: data.validation,
    ambience: options.ambience,
    basePostprocess,
    extract: options.extract,
    log,
  });
  const manifest = manifestBase(postprocess, { epochs: state.epoch, bestEpoch: state.bestEpoch, scores: scoreFields });
  await saveModel(options.outDir, manifest, best.weights);
  for (const t of best.weights.values()) t.dispose();
  return { manifest, history: state.history, bestEpoch: state.bestEpoch, validation, stoppedEarly, resumedFromEpoch };
}
