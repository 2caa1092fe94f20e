import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { AnnotationSet } from '../annotations/types';
import { frameDuration } from '../features/config';
import { selectBackend, type BackendName } from '../model/backend';
import { modelMembers } from '../model/ensemble';
import { loadModel, saveModel, type ManifestWithoutWeights } from '../model/io';
import { openStore, writeTransaction, type ModelRow, type Store, type TrainingRecording } from '../store';
import { bandStatistics, type FeatureExtractor } from '../train/dataset';
import { windowFrames } from '../inference/windowed';
import { predictFiles } from '../train/validate';
import { augmentWithMixtures } from './augment';
import { FinetuneDataError } from './errors';
import { extendModelClasses, type FreezePolicy } from './extend';
import { changedRecordings, defaultExtractor, exampleFromRecording, finetuneClasses, positivesByClass, reviewedMaterial, type FinetuneExample } from './material';
import { recoverInterruptedRuns, runOwner } from './recover';
import { classesWithEvents, MIN_HELD_BACK_FOR_TUNING, summarize, tuneOnHeldBack, worseThanParent, type ScoreSummary } from './scores';
import { holdOutSplit } from './split';
import { finetuneMembers } from './members-loop';
import type { FinetuneEpoch } from './train-loop';
import { BUNDLED_MODEL_DIR as DEFAULT_MODEL_DIR } from '../model/bundled';

/** The bundled default model, used when the database has no active model and no --from is given. */
export { DEFAULT_MODEL_DIR };

export interface FinetuneOptions {
  dbPath: string;
  /** Default: the database's only project. */
  projectId?: number;
  /** Parent model directory. Default: the active model, else the bundled default. */
  fromModelDir?: string;
  /** Default 12. */
  epochs?: number;
  /** Default 1. */
  seed?: number;
  /** The new model's directory; must not exist. Default: `<modelsDir>/ft-<timestamp>`. */
  outDir?: string;
  /** Default: `models/` beside the database. */
  modelsDir?: string;
  backend?: BackendName;
  /** Adam learning rate (default 5e-4: lower than from-scratch training). */
  learningRate?: number;
  /** 'auto' (default): freeze the conv blocks when fewer than 40 files train. */
  freeze?: FreezePolicy | 'auto';
  /**
   * 'adapt': re-estimate the per-band input normalisation on the reviewed files (a cheap fix for a new
   * channel or microphone, which shifts whole mel bands); 'parent' (default): keep the parent's.
   */
  normalization?: 'parent' | 'adapt';
  /** Extra mixtures of the user's events into their own backgrounds, per training file (default 1). */
  augmentPerFile?: number;
  /** Share of reviewed files held back for validation (default 0.2). */
  holdOutShare?: number;
  /** Fewest reviewed recordings to fine-tune on (default 4). */
  minReviewedFiles?: number;
  /** Treat an old class without verified positives as an error instead of leaving its output untrained. */
  requireAllClasses?: boolean;
  batchSize?: number;
  cropSeconds?: number;
  cropsPerEpoch?: number;
  patience?: number;
  maxSeconds?: number;
  /** Make the new model active when it does not regress (default true). */
  activate?: boolean;
  /** Recorded in the manifest. */
  commandLine?: string;
  /** Feature extractor override (tests); default the features module's log-mel. */
  extract?: FeatureExtractor;
  signal?: AbortSignal;
  onProgress?: (progress: FinetuneProgress) => void;
}

export type FinetuneProgress =
  | { type: 'stage'; stage: 'material' | 'features' | 'training' | 'tuning' | 'saving'; message: string }
  | ({ type: 'epoch'; epochs: number } & FinetuneEpoch)
  | { type: 'warning'; message: string };

export interface ModelRef {
  id: number;
  name: string;
  dirPath: string;
}

export interface FinetuneCompleted {
  status: 'completed';
  runId: number;
  parent: ModelRef;
  model: ModelRef & { classes: string[]; active: boolean };
  addedClasses: string[];
  /** Old classes with no verified positive: their outputs were left out of the loss. */
  untrainedClasses: string[];
  trainFiles: number;
  validationFiles: number;
  augmentedMixtures: number;
  freeze: FreezePolicy;
  backend: string;
  /** On the held-back files: the parent with its own post-processing, and the new model with re-tuned thresholds. */
  before: ScoreSummary;
  after: ScoreSummary;
  /** Old classes whose held-back ER blew up (the model is then kept but not made active). */
  regressedClasses: string[];
  history: FinetuneEpoch[];
  bestEpoch: number;
  seconds: number;
  warnings: string[];
}

export interface FinetuneCancelled {
  status: 'cancelled';
  runId: number;
  parent: ModelRef;
  history: FinetuneEpoch[];
  seconds: number;
}

export type FinetuneResult = FinetuneCompleted | FinetuneCancelled;

/** Thrown inside runFinetune to unwind a cancelled run. */
class CancelledSignal extends Error {
  constructor(readonly history: FinetuneEpoch[] = []) {
    super('cancelled');
  }
}

function pickProject(store: Store, projectId: number | undefined): number {
  if (projectId !== undefined) return store.getProject(projectId).id;
  const projects = store.listProjects();
  if (projects.length === 1) return projects[0].id;
  if (projects.length === 0) throw new FinetuneDataError(['the database has no project']);
  throw new Error(`the database has ${projects.length} projects; choose one (${projects.map((p) => `${p.id}: ${p.name}`).join(', ')})`);
}

function parentDirectory(store: Store, fromModelDir: string | undefined): string {
  return resolve(fromModelDir ?? store.getActiveModel()?.dirPath ?? DEFAULT_MODEL_DIR);
}

/** The parent's row, registered (not activated, unless it is the first model) when the database lacks it. */
function parentRow(store: Store, dir: string, classes: string[]): ModelRow {
  return store.listModels().find((m) => resolve(m.dirPath) === dir) ?? store.addModel({ name: basename(dir), dirPath: dir, classes });
}

/** Every reason the material cannot train a trustworthy model, one line each (empty when it can). */
export function materialProblems(
  material: readonly TrainingRecording[],
  parentClasses: readonly string[],
  options: { minReviewedFiles: number; requireAllClasses: boolean },
): { problems: string[]; untrained: string[] } {
  const problems: string[] = [];
  if (material.length < options.minReviewedFiles) {
    problems.push(`${material.length} reviewed recording(s); at least ${options.minReviewedFiles} are needed (mark more files reviewed)`);
  }
  if (!material.some((m) => m.events.length > 0)) problems.push('no verified event in any reviewed recording: nothing to learn from');
  const { classes, added } = finetuneClasses(parentClasses, material);
  const positives = positivesByClass(material, classes);
  for (const c of added) {
    if (positives[c].length < 2) {
      problems.push(`new class "${c}": verified events in ${positives[c].length} reviewed recording(s); at least 2 are needed (one to train on, one to validate)`);
    }
  }
  const untrained = parentClasses.filter((c) => positives[c].length === 0);
  if (options.requireAllClasses) for (const c of untrained) problems.push(`class "${c}": no verified event in any reviewed recording`);
  return { problems, untrained };
}

function reference(items: readonly FinetuneExample[]): AnnotationSet {
  return { files: items.map((i) => i.filename), events: items.flatMap((i) => i.events) };
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

/**
 * Fine-tunes the project's model on its reviewed recordings: checks the material, holds back ~20 % for
 * validation, extends the model with new classes, trains, re-tunes thresholds on the held-back files,
 * saves a new model directory (atomically; the parent is never touched), and records the run, the
 * exact recordings and event versions used, and the model with its scores. The new model becomes
 * active only when training completed and no old class regressed. Cancelling (signal) leaves the
 * previous model active and the run marked cancelled.
 */
export async function runFinetune(options: FinetuneOptions): Promise<FinetuneResult> {
  const started = performance.now();
  const report = options.onProgress ?? (() => {});
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    report({ type: 'warning', message });
  };
  const seed = options.seed ?? 1;
  const epochs = options.epochs ?? 12;
  const store = openStore(options.dbPath);
  let parentWeights: tf.Tensor[] = [];
  try {
    recoverInterruptedRuns(store);
    const projectId = pickProject(store, options.projectId);
    const backend = await selectBackend(options.backend, (line) => report({ type: 'stage', stage: 'material', message: line }));
    const parentDir = parentDirectory(store, options.fromModelDir);
    const parentModel = await loadModel(parentDir);
    parentWeights = [...parentModel.weights.values()];
    const row = parentRow(store, parentDir, parentModel.manifest.classes);
    const parent: ModelRef = { id: row.id, name: row.name, dirPath: row.dirPath };
    const disposeParent = () => tf.dispose(parentWeights);

    report({ type: 'stage', stage: 'material', message: 'reading reviewed recordings' });
    const material = reviewedMaterial(store, projectId);
    const { problems, untrained } = materialProblems(material, parentModel.manifest.classes, {
      minReviewedFiles: options.minReviewedFiles ?? 4,
      requireAllClasses: options.requireAllClasses ?? false,
    });
    problems.push(...(await changedRecordings(material)));
    if (problems.length > 0) throw new FinetuneDataError(problems);
    for (const c of untrained) warn(`class "${c}" has no verified event in the reviewed recordings: its output is kept from the parent, not trained`);
    const { classes, added } = finetuneClasses(parentModel.manifest.classes, material);
    const split = holdOutSplit(material, { share: options.holdOutShare, seed });
    const heldClasses = new Set(split.validation.flatMap((m) => m.events.map((e) => e.label)));
    for (const c of classes) {
      if (!untrained.includes(c) && !heldClasses.has(c)) warn(`class "${c}" has no verified event in the held-back files: its threshold is not re-tuned and its score is not validated`);
    }
    const freeze: FreezePolicy = options.freeze === undefined || options.freeze === 'auto' ? (split.train.length < 40 ? 'conv' : 'none') : options.freeze;
    const augmentPerFile = options.augmentPerFile ?? 1;
    const params = {
      ...runOwner(),
      epochs,
      seed,
      backend,
      freeze,
      learningRate: options.learningRate ?? 5e-4,
      augmentPerFile,
      normalization: options.normalization ?? 'parent',
      parentModelDir: parent.dirPath,
      classes,
      addedClasses: added,
      untrainedClasses: untrained,
      trainRecordings: split.train.map((m) => m.recording.id),
      validationRecordings: split.validation.map((m) => m.recording.id),
    };
    const run = store.startTrainingRun({ projectId, parentModelId: parent.id, params, material });
    let extended: ReturnType<typeof extendModelClasses> | undefined;
    let best: Map<string, tf.Tensor> | undefined;
    try {
      const features = parentModel.manifest.features;
      const extract = options.extract ?? (await defaultExtractor());
      report({ type: 'stage', stage: 'features', message: `computing features of ${material.length} reviewed recordings` });
      const train: FinetuneExample[] = [];
      for (const item of split.train) train.push(await exampleFromRecording(item, classes, features, { extract, keepSamples: augmentPerFile > 0 }));
      const validation: FinetuneExample[] = [];
      for (const item of split.validation) validation.push(await exampleFromRecording(item, classes, features, { extract }));
      const augmented = augmentPerFile > 0 ? await augmentWithMixtures(train, classes, features, extract, { perFile: augmentPerFile, seed }) : [];
      for (const ex of train) ex.samples = undefined;
      if (options.signal?.aborted) throw new CancelledSignal();

      extended = extendModelClasses(parentModel, added, { seed });
      disposeParent();
      const manifest: ManifestWithoutWeights = params.normalization === 'adapt'
        ? // Every network of an ensemble then reads the new statistics.
          { ...extended.manifest, normalization: bandStatistics([...train, ...validation], features.melBands), ensemble: extended.manifest.ensemble?.map(({ architecture }) => ({ architecture })) }
        : extended.manifest;
      const frameSeconds = frameDuration(features);
      const heldBack = reference(validation);
      const classWeights = classes.map((c) => (untrained.includes(c) ? 0 : 1));

      // "Before" is the parent as it is: its own normalisation and post-processing.
      const parentProbs = await predictFiles(extended.weights, extended.manifest, validation, classes.length, extended.manifest.normalization, 8, windowFrames(manifest.inference, frameSeconds));
      const before = summarize(parentProbs, heldBack, classes, extended.manifest.postprocess, frameSeconds);

      const totalEpochs = epochs * modelMembers(manifest).length;
      report({ type: 'stage', stage: 'training', message: `fine-tuning on ${train.length} files (+${augmented.length} mixtures), ${validation.length} held back; freeze ${freeze}, backend ${backend}` });
      const loop = await finetuneMembers({
        manifest,
        initial: extended.weights,
        train: [...train, ...augmented],
        validation,
        validationReference: heldBack,
        epochs,
        seed,
        learningRate: params.learningRate,
        batchSize: options.batchSize,
        cropSeconds: options.cropSeconds,
        cropsPerEpoch: options.cropsPerEpoch,
        freeze,
        classWeights,
        patience: options.patience,
        maxSeconds: options.maxSeconds,
        signal: options.signal,
        onEpoch: (record) => {
          store.appendTrainingEpoch(run.id, { ...record });
          report({ type: 'epoch', epochs: totalEpochs, ...record });
        },
      });
      best = loop.best;
      if (loop.cancelled) throw new CancelledSignal(loop.history);

      report({ type: 'stage', stage: 'tuning', message: 're-tuning thresholds on the held-back files' });
      const bestProbs = await predictFiles(best, manifest, validation, classes.length, manifest.normalization, 8, windowFrames(manifest.inference, frameSeconds));
      // Thresholds tuned on a few files follow their noise (measured on the fine-tuning bench): below
      // MIN_HELD_BACK_FOR_TUNING held-back files the parent's post-processing is kept.
      const postprocess = validation.length < MIN_HELD_BACK_FOR_TUNING ? manifest.postprocess : tuneOnHeldBack(bestProbs, heldBack, classes, manifest.postprocess, frameSeconds);
      const after = summarize(bestProbs, heldBack, classes, postprocess, frameSeconds);
      const present = classesWithEvents(heldBack);
      const regressedClasses = parentModel.manifest.classes.filter((c) => {
        if (!present.has(c)) return false;
        const b = before.classWise[c]?.errorRate ?? 0;
        const a = after.classWise[c]?.errorRate ?? 0;
        return a > b + 0.5 && a >= 1;
      });
      for (const c of regressedClasses) warn(`old class "${c}" got worse on the held-back files (ER ${before.classWise[c].errorRate.toFixed(2)} -> ${after.classWise[c].errorRate.toFixed(2)}): the new model is kept but not made active`);
      const worse = worseThanParent(before, after, validation.length);
      if (worse) warn(`the new model's error rate on the ${validation.length} held-back files is ${after.errorRate.toFixed(3)}, the parent's ${before.errorRate.toFixed(3)}: the new model is kept but not made active`);

      const modelsDir = options.modelsDir ?? join(dirname(resolve(options.dbPath)), 'models');
      const outDir = resolve(options.outDir ?? join(modelsDir, `ft-${stamp()}`));
      if (existsSync(outDir)) throw new Error(`output model directory "${outDir}" already exists; fine-tuning never overwrites a model`);
      if (outDir === resolve(parent.dirPath)) throw new Error('output model directory is the parent model');
      report({ type: 'stage', stage: 'saving', message: `saving ${outDir}` });
      const scoreFields: Record<string, number> = { heldBackErrorRate: after.errorRate, heldBackFMeasure: after.fMeasure, parentHeldBackErrorRate: before.errorRate };
      for (const [c, s] of Object.entries(after.classWise)) scoreFields[`heldBackErrorRate.${c}`] = s.errorRate;
      const finalManifest: ManifestWithoutWeights = {
        ...manifest,
        postprocess,
        training: {
          createdAt: new Date().toISOString(),
          data: `${resolve(options.dbPath)} project ${projectId} (training run ${run.id})`,
          command: options.commandLine,
          epochs: loop.history.length,
          bestEpoch: loop.bestEpoch,
          seed,
          trainFiles: train.length,
          validationFiles: validation.length,
          scores: scoreFields,
          parent: parent.dirPath,
        },
      };
      await saveModel(outDir, finalManifest, best);
      const activate = (options.activate ?? true) && regressedClasses.length === 0 && !worse;
      const scores = { runId: run.id, heldBackFiles: validation.length, trainFiles: train.length, before: { ...before }, after: { ...after } };
      const model = writeTransaction(store.db, () => {
        const row = store.addModel({ name: basename(outDir), dirPath: outDir, parentModelId: parent.id, classes, scores, activate });
        store.finishTrainingRun(run.id, { status: 'completed', resultModelId: row.id });
        return row;
      });
      return {
        status: 'completed',
        runId: run.id,
        parent,
        model: { id: model.id, name: model.name, dirPath: model.dirPath, classes: model.classes, active: store.getModel(model.id).active },
        addedClasses: added,
        untrainedClasses: untrained,
        trainFiles: train.length,
        validationFiles: validation.length,
        augmentedMixtures: augmented.length,
        freeze,
        backend,
        before,
        after,
        regressedClasses,
        history: loop.history,
        bestEpoch: loop.bestEpoch,
        seconds: (performance.now() - started) / 1000,
        warnings,
      };
    } catch (error) {
      if (error instanceof CancelledSignal) {
        store.finishTrainingRun(run.id, { status: 'cancelled' });
        return { status: 'cancelled', runId: run.id, parent, history: error.history, seconds: (performance.now() - started) / 1000 };
      }
      store.finishTrainingRun(run.id, { status: 'failed', errorMessage: (error as Error).message || String(error) });
      throw error;
    } finally {
      if (extended) tf.dispose([...extended.weights.values()]);
      if (best) tf.dispose([...best.values()]);
      disposeParent();
    }
  } finally {
    tf.dispose(parentWeights);
    store.close();
  }
}
