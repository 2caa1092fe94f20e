import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extendModelClasses } from '../../src-main/engine/finetune/extend';
import { FinetuneDataError } from '../../src-main/engine/finetune/errors';
import { exampleFromRecording, finetuneClasses, reviewedMaterial } from '../../src-main/engine/finetune/material';
import { runFinetune, type FinetuneProgress } from '../../src-main/engine/finetune/run';
import { holdOutSplit } from '../../src-main/engine/finetune/split';
import { MIN_HELD_BACK_FOR_TUNING, worseThanParent } from '../../src-main/engine/finetune/scores';
import { finetuneMembers } from '../../src-main/engine/finetune/members-loop';
import { finetuneLoop, MIN_HELD_BACK_FOR_SELECTION } from '../../src-main/engine/finetune/train-loop';
import { eventFreeStretches, augmentWithMixtures } from '../../src-main/engine/finetune/augment';
import { selectBackend } from '../../src-main/engine/model/backend';
import { initCrnnWeights } from '../../src-main/engine/model/crnn';
import { loadModel, runCrnnOnFeatures } from '../../src-main/engine/model/io';
import type { ModelManifest } from '../../src-main/engine/model/manifest';
import { openStore } from '../../src-main/engine/store';
import type { FeatureExtractor } from '../../src-main/engine/train/dataset';
import { syntheticSplit } from './train-synthetic';
import { extractor, reviewedClips, synthClip, TINY_ARCH, TINY_FEATURES, tinyProject, type TinyProject } from '../fixtures/finetune/setup';

let extract: FeatureExtractor;
beforeAll(async () => {
  await selectBackend(undefined, () => {});
  extract = await extractor();
});

describe('finetune material', () => {
  let p: TinyProject;
  beforeAll(async () => {
    p = await tinyProject([
      { name: 'a.wav', events: [{ label: 'beep', onset: 1, offset: 2 }], reviewed: true },
      { name: 'b.wav', events: [{ label: 'chirp', onset: 0.5, offset: 1.5 }], reviewed: true },
      { name: 'c.wav', events: [], reviewed: true, predicted: [{ label: 'whistle', onset: 2, offset: 3 }] },
      { name: 'd.wav', events: [], reviewed: false, predicted: [{ label: 'beep', onset: 1, offset: 2 }] },
      { name: 'e.wav', events: [{ label: 'whistle', onset: 1, offset: 2 }], reviewed: false },
    ]);
  });
  afterAll(() => p.cleanup());

  it('uses reviewed recordings only, with their verified events (a reviewed prediction included)', () => {
    const store = openStore(p.dbPath);
    try {
      const material = reviewedMaterial(store, p.projectId);
      expect(material.map((m) => m.recording.relPath).sort()).toEqual(['a.wav', 'b.wav', 'c.wav']);
      const byName = Object.fromEntries(material.map((m) => [m.recording.relPath, m.events.map((e) => [e.label, e.onset, e.offset, e.source])]));
      expect(byName['a.wav']).toEqual([['beep', 1, 2, 'human']]);
      // Marking c reviewed confirmed its prediction: it is a verified positive now.
      expect(byName['c.wav']).toEqual([['whistle', 2, 3, 'predicted']]);
      expect(finetuneClasses(['beep', 'whistle'], material)).toEqual({ classes: ['beep', 'whistle', 'chirp'], added: ['chirp'] });
    } finally {
      store.close();
    }
  });

  it('marks frames inside verified events positive and every other frame of the file negative', async () => {
    const store = openStore(p.dbPath);
    try {
      const item = reviewedMaterial(store, p.projectId).find((m) => m.recording.relPath === 'a.wav')!;
      const ex = await exampleFromRecording(item, ['beep', 'whistle', 'chirp'], TINY_FEATURES, { extract });
      const frameSeconds = TINY_FEATURES.hopLength / TINY_FEATURES.sampleRate;
      expect(ex.features.frames).toBe(Math.floor((4 * 8000) / 160) + 1);
      for (let f = 0; f < ex.features.frames; f++) {
        const inside = f * frameSeconds < 2 - 1e-9 && (f + 1) * frameSeconds > 1 + 1e-9;
        expect([ex.targets[f * 3], ex.targets[f * 3 + 1], ex.targets[f * 3 + 2]], `frame ${f}`).toEqual([inside ? 1 : 0, 0, 0]);
      }
    } finally {
      store.close();
    }
  });

  it('holds back about a fifth, at least one file per class with two or more positives', () => {
    const items = reviewedClips(20, ['beep', 'whistle', 'chirp']).map((c, i) => ({
      recording: { id: i + 1, relPath: c.name } as never,
      events: c.events.map((e) => ({ ...e }) as never),
    }));
    const split = holdOutSplit(items, { seed: 4 });
    expect(split.train.length + split.validation.length).toBe(20);
    expect(split.validation.length).toBeGreaterThanOrEqual(3);
    expect(split.validation.length).toBeLessThanOrEqual(5);
    const held = new Set(split.validation.flatMap((m) => m.events.map((e: { label: string }) => e.label)));
    expect([...held].sort()).toEqual(['beep', 'chirp', 'whistle']);
    expect(holdOutSplit(items, { seed: 4 }).validation.map((m) => m.recording.id)).toEqual(split.validation.map((m) => m.recording.id));
  });

  it('finds event-free background stretches and mixes event excerpts into them', async () => {
    const sr = 8000;
    expect(eventFreeStretches([{ filename: 'x', onset: 1, offset: 2, label: 'beep' }], 4 * sr, sr, 0.5 * sr)).toEqual([
      [2.5 * sr, 4 * sr],
      [0, 0.5 * sr],
    ]);
    const samples = synthClip(6, [{ label: 'beep', onset: 1, offset: 2 }], 7);
    const ex = { recordingId: 1, filename: 'x.wav', features: await extract(samples, TINY_FEATURES), targets: new Float32Array(0), events: [{ filename: 'x.wav', onset: 1, offset: 2, label: 'beep' }], samples };
    const mixed = await augmentWithMixtures([ex], ['beep'], TINY_FEATURES, extract, { perFile: 2, seed: 1, lengthSeconds: 3 });
    expect(mixed).toHaveLength(2);
    for (const m of mixed) {
      expect(m.events).toHaveLength(1);
      expect(m.events[0].offset - m.events[0].onset).toBeCloseTo(1, 3);
      const positive = Array.from(m.targets).filter((t) => t === 1).length;
      expect(positive).toBeGreaterThanOrEqual(50);
      expect(positive).toBeLessThanOrEqual(52);
    }
  });
});

describe('class extension', () => {
  it('keeps the old classes probabilities identical and starts the new class low', async () => {
    const weights = initCrnnWeights(TINY_ARCH, { melBands: 16, classes: 2 }, 9);
    const features = await extract(synthClip(3, [{ label: 'beep', onset: 1, offset: 2 }], 2), TINY_FEATURES);
    const manifest = {
      format: 'earmark-crnn' as const,
      version: 1 as const,
      classes: ['beep', 'whistle'],
      features: TINY_FEATURES,
      normalization: { mean: new Array(16).fill(-4), std: new Array(16).fill(2) },
      architecture: TINY_ARCH,
      postprocess: { thresholds: { beep: 0.4, whistle: 0.6 }, medianFilterFrames: 1, minEventSeconds: 0, mergeGapSeconds: 0, oneEventPerFile: false },
      training: { createdAt: 'x' },
      weights: [],
    };
    const before = await runCrnnOnFeatures({ manifest, weights }, features);
    const ext = extendModelClasses({ manifest, weights }, ['chirp'], { seed: 1 });
    const after = await runCrnnOnFeatures({ manifest: { ...ext.manifest, weights: [] }, weights: ext.weights }, features);
    expect(ext.manifest.classes).toEqual(['beep', 'whistle', 'chirp']);
    expect(ext.manifest.postprocess.thresholds).toEqual({ beep: 0.4, whistle: 0.6, chirp: 0.5 });
    expect(ext.weights.get('dense/kernel')!.shape).toEqual([16, 3]);
    for (let f = 0; f < features.frames; f++) {
      expect(after[f * 3]).toBe(before[f * 2]);
      expect(after[f * 3 + 1]).toBe(before[f * 2 + 1]);
      expect(after[f * 3 + 2]).toBeLessThan(0.1);
    }
    // The parent's tensors are untouched.
    expect(weights.get('dense/kernel')!.shape).toEqual([16, 2]);
    expect(() => extendModelClasses({ manifest, weights }, ['beep'], { seed: 1 })).toThrow(/already has: beep/);
    tf.dispose([...weights.values(), ...ext.weights.values()]);
  });
});

/** Fine-tuning loop options on tiny synthetic beep/whistle data (12 files to train on, 6 held back). */
function tinyLoopOptions(initial: Map<string, tf.Tensor>, manifestExtra: Partial<ModelManifest> = {}) {
  const classes = ['beep', 'whistle'];
  const train = syntheticSplit('train', 12, classes, 1, 128, 16, 0.02);
  const validation = syntheticSplit('validation', 6, classes, 2, 128, 16, 0.02);
  const manifest = {
    format: 'earmark-crnn' as const,
    version: 1 as const,
    classes,
    features: { ...TINY_FEATURES, hopLength: 160 },
    normalization: { mean: new Array(16).fill(0.3), std: new Array(16).fill(1) },
    architecture: TINY_ARCH,
    postprocess: { thresholds: { beep: 0.5, whistle: 0.5 }, medianFilterFrames: 1, minEventSeconds: 0.05, mergeGapSeconds: 0.1, oneEventPerFile: true },
    training: { createdAt: 'x' },
    ...manifestExtra,
  };
  return { manifest, initial, train: train.files, validation: validation.files, validationReference: validation.reference, seed: 1, learningRate: 0.01, cropSeconds: 1.28, cropsPerEpoch: 48, freeze: 'none' as const, classWeights: [1, 1] };
}

describe('fine-tuning loop', () => {
  it('lowers the validation loss on tiny data, stops on abort, and leaves no tensor behind', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const classes = ['beep', 'whistle'];
    const initial = initCrnnWeights(TINY_ARCH, { melBands: 16, classes: 2 }, 5);
    const options = tinyLoopOptions(initial);
    const result = await finetuneLoop({ ...options, epochs: 4 });
    expect(result.history).toHaveLength(4);
    const last = result.history.at(-1)!;
    expect(last.validationLoss).toBeLessThan(result.initial.validationLoss * 0.8);
    expect(result.history[0].loss).toBeGreaterThan(last.loss);
    // Six held-back files are too few to choose an epoch on: the last one is kept.
    expect(result.bestEpoch).toBe(4);
    expect(result.history.every((e) => e.improved)).toBe(true);
    tf.dispose([...result.best.values()]);

    // With enough held-back files the best epoch (ER, then validation loss; epoch 0 included) is kept.
    const moreHeldBack = syntheticSplit('validation', MIN_HELD_BACK_FOR_SELECTION, classes, 2, 128, 16, 0.02);
    const chosen = await finetuneLoop({ ...options, validation: moreHeldBack.files, validationReference: moreHeldBack.reference, epochs: 3 });
    const candidates = [{ epoch: 0, ...chosen.initial }, ...chosen.history];
    const bestOf = candidates.reduce((a, b) => (b.errorRate < a.errorRate - 1e-9 || (Math.abs(b.errorRate - a.errorRate) <= 1e-9 && b.validationLoss < a.validationLoss - 1e-6) ? b : a));
    expect(chosen.bestEpoch).toBe(bestOf.epoch);
    tf.dispose([...chosen.best.values()]);

    const controller = new AbortController();
    controller.abort();
    const aborted = await finetuneLoop({ ...options, epochs: 4, signal: controller.signal });
    expect(aborted.cancelled).toBe(true);
    expect(aborted.history).toHaveLength(0);
    tf.dispose([...aborted.best.values(), ...initial.values()]);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('fine-tuning an ensemble', () => {
  it('trains every network, numbering epochs on, and returns every network under its stored names', async () => {
    const other = { mean: new Array(16).fill(0.1), std: new Array(16).fill(2) };
    const initial = new Map([...initCrnnWeights(TINY_ARCH, { melBands: 16, classes: 2 }, 5)]);
    for (const [name, t] of initCrnnWeights({ ...TINY_ARCH, gruUnits: 4 }, { melBands: 16, classes: 2 }, 6)) initial.set(`member1/${name}`, t);
    const options = tinyLoopOptions(initial, { ensemble: [{ architecture: { ...TINY_ARCH, gruUnits: 4 }, normalization: other }] });
    const epochs: number[] = [];
    const result = await finetuneMembers({ ...options, epochs: 2, onEpoch: (e) => epochs.push(e.epoch) });
    expect(epochs).toEqual([1, 2, 3, 4]);
    expect(result.history.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect([...result.best.keys()].sort()).toEqual([...initial.keys()].sort());
    for (const name of ['conv0/kernel', 'member1/conv0/kernel', 'member1/dense/kernel']) {
      const before = initial.get(name)!.dataSync();
      const after = result.best.get(name)!.dataSync();
      expect(after.some((v, i) => Math.abs(v - before[i]) > 1e-4), name).toBe(true);
    }
    expect(result.best.get('member1/gru_fw/recurrent')!.shape).toEqual([4, 12]);
    tf.dispose([...result.best.values(), ...initial.values()]);
  });

  it('extends every network with the new class, leaving the old outputs exact', () => {
    const manifest = {
      format: 'earmark-crnn' as const,
      version: 1 as const,
      classes: ['beep'],
      features: { ...TINY_FEATURES },
      normalization: { mean: new Array(16).fill(0), std: new Array(16).fill(1) },
      architecture: TINY_ARCH,
      ensemble: [{ architecture: TINY_ARCH }],
      postprocess: { thresholds: { beep: 0.5 }, medianFilterFrames: 1, minEventSeconds: 0.05, mergeGapSeconds: 0.1, oneEventPerFile: false },
      training: { createdAt: 'x' },
    };
    const weights = new Map([...initCrnnWeights(TINY_ARCH, { melBands: 16, classes: 1 }, 1)]);
    for (const [name, t] of initCrnnWeights(TINY_ARCH, { melBands: 16, classes: 1 }, 2)) weights.set(`member1/${name}`, t);
    const extended = extendModelClasses({ manifest, weights }, ['whistle'], { seed: 3 });
    expect(extended.manifest.ensemble).toEqual(manifest.ensemble);
    for (const prefix of ['', 'member1/']) {
      const kernel = extended.weights.get(`${prefix}dense/kernel`)!;
      expect(kernel.shape).toEqual([2 * TINY_ARCH.gruUnits, 2]);
      const old = weights.get(`${prefix}dense/kernel`)!.dataSync();
      const now = kernel.dataSync();
      for (let r = 0; r < 2 * TINY_ARCH.gruUnits; r++) expect(now[r * 2]).toBe(old[r]);
      expect(Array.from(extended.weights.get(`${prefix}dense/bias`)!.dataSync())).toEqual([weights.get(`${prefix}dense/bias`)!.dataSync()[0], -3]);
    }
    // Each network draws its own new column.
    const col = (prefix: string) => Array.from(extended.weights.get(`${prefix}dense/kernel`)!.dataSync()).filter((_, i) => i % 2 === 1);
    expect(col('')).not.toEqual(col('member1/'));
    tf.dispose([...extended.weights.values(), ...weights.values()]);
  });
});

describe('runFinetune', () => {
  let p: TinyProject;
  beforeAll(async () => {
    p = await tinyProject([
      ...reviewedClips(10, ['beep', 'whistle', 'chirp']),
      { name: 'u1.wav', events: [], reviewed: false, predicted: [{ label: 'beep', onset: 1, offset: 2 }] },
    ]);
  });
  afterAll(() => p.cleanup());

  it('trains a new model version, records the run and its material, and activates it', async () => {
    const parentWeights = readFileSync(join(p.modelDir, 'weights.bin'));
    const epochs: FinetuneProgress[] = [];
    const result = await runFinetune({ dbPath: p.dbPath, epochs: 2, seed: 3, extract, cropSeconds: 1.28, cropsPerEpoch: 16, learningRate: 0.005, onProgress: (e) => e.type === 'epoch' && epochs.push(e) });
    if (result.status !== 'completed') throw new Error('expected a completed run');
    expect(epochs).toHaveLength(2);
    expect(result.addedClasses).toEqual(['chirp']);
    expect(result.model.classes).toEqual(['beep', 'whistle', 'chirp']);
    expect(result.trainFiles + result.validationFiles).toBe(10);
    expect(result.augmentedMixtures).toBe(result.trainFiles);
    expect(existsSync(join(result.model.dirPath, 'model.json'))).toBe(true);
    expect(result.model.dirPath.startsWith(join(p.dir, 'models', 'ft-'))).toBe(true);
    expect(readFileSync(join(p.modelDir, 'weights.bin')).equals(parentWeights)).toBe(true);
    const loaded = await loadModel(result.model.dirPath);
    expect(loaded.manifest.classes).toEqual(['beep', 'whistle', 'chirp']);
    expect(Object.keys(loaded.manifest.postprocess.thresholds).sort()).toEqual(['beep', 'chirp', 'whistle']);
    // Too few held-back files to re-tune on: the parent's thresholds stay, the new class gets the default one.
    expect(result.validationFiles).toBeLessThan(MIN_HELD_BACK_FOR_TUNING);
    const parentPost = (JSON.parse(readFileSync(join(p.modelDir, 'model.json'), 'utf8')) as { postprocess: { thresholds: Record<string, number> } }).postprocess;
    expect(loaded.manifest.postprocess.thresholds).toMatchObject(parentPost.thresholds);
    tf.dispose([...loaded.weights.values()]);

    const store = openStore(p.dbPath);
    try {
      expect(store.getActiveModel()?.id).toBe(result.model.id);
      const model = store.getModel(result.model.id);
      expect(model.parentModelId).toBe(p.parentModelId);
      expect((model.scores.after as { errorRate: number }).errorRate).toBeCloseTo(result.after.errorRate, 10);
      const run = store.getTrainingRun(result.runId);
      expect(run.status).toBe('completed');
      expect(run.resultModelId).toBe(result.model.id);
      expect(run.metrics).toHaveLength(2);
      expect(Object.keys(run.metrics[0]).sort()).toEqual(['epoch', 'errorRate', 'fMeasure', 'improved', 'loss', 'seconds', 'validationLoss']);
      const reviewedIds = store.listRecordings(p.projectId, { status: 'reviewed' }).map((r) => r.id).sort((a, b) => a - b);
      expect(store.trainingRunRecordings(result.runId).map((r) => r.recordingId)).toEqual(reviewedIds);
      const verified = store.listEvents({ projectId: p.projectId }).filter((e) => e.verified);
      expect(store.trainingRunEvents(result.runId)).toEqual(verified.map((e) => ({ eventId: e.id, version: e.version })).sort((a, b) => a.eventId - b.eventId));
      // The unreviewed file's prediction is not in the material.
      expect(verified.every((e) => e.recordingId !== p.recordings['u1.wav'])).toBe(true);
      expect(store.checkConsistency()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('cancels: the run is marked cancelled and the previous model stays active', async () => {
    const store = openStore(p.dbPath);
    const activeBefore = store.getActiveModel()!.id;
    const modelsBefore = store.listModels().length;
    store.close();
    const controller = new AbortController();
    const result = await runFinetune({
      dbPath: p.dbPath,
      epochs: 5,
      extract,
      cropSeconds: 1.28,
      cropsPerEpoch: 16,
      augmentPerFile: 0,
      signal: controller.signal,
      onProgress: (e) => e.type === 'epoch' && controller.abort(),
    });
    expect(result.status).toBe('cancelled');
    expect(result.history).toHaveLength(1);
    const after = openStore(p.dbPath);
    try {
      expect(after.getActiveModel()!.id).toBe(activeBefore);
      expect(after.listModels()).toHaveLength(modelsBefore);
      expect(after.getTrainingRun(result.runId).status).toBe('cancelled');
      expect(after.checkConsistency()).toEqual([]);
    } finally {
      after.close();
    }
  });
});

describe('too little data', () => {
  it('names every shortfall instead of training a bad model', async () => {
    const p = await tinyProject([
      { name: 'a.wav', events: [{ label: 'chirp', onset: 1, offset: 2 }], reviewed: true },
      { name: 'b.wav', events: [], reviewed: true },
      { name: 'c.wav', events: [{ label: 'beep', onset: 1, offset: 2 }], reviewed: false },
    ]);
    try {
      const error = await runFinetune({ dbPath: p.dbPath, epochs: 1, extract }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FinetuneDataError);
      const missing = (error as FinetuneDataError).missing;
      expect(missing).toEqual([
        '2 reviewed recording(s); at least 4 are needed (mark more files reviewed)',
        'new class "chirp": verified events in 1 reviewed recording(s); at least 2 are needed (one to train on, one to validate)',
      ]);
      const strict = await runFinetune({ dbPath: p.dbPath, epochs: 1, extract, minReviewedFiles: 2, requireAllClasses: true }).catch((e: unknown) => e);
      expect((strict as FinetuneDataError).missing).toEqual([
        'new class "chirp": verified events in 1 reviewed recording(s); at least 2 are needed (one to train on, one to validate)',
        'class "beep": no verified event in any reviewed recording',
        'class "whistle": no verified event in any reviewed recording',
      ]);
      const store = openStore(p.dbPath);
      try {
        expect(store.listTrainingRuns(p.projectId)).toEqual([]);
        expect(store.getActiveModel()!.id).toBe(p.parentModelId);
      } finally {
        store.close();
      }
    } finally {
      p.cleanup();
    }
  });
});

describe('activation after fine-tuning', () => {
  it('keeps the parent active when the new model is worse on enough held-back files', () => {
    const at = (errorRate: number) => ({ errorRate });
    expect(worseThanParent(at(0.5), at(0.6), MIN_HELD_BACK_FOR_TUNING)).toBe(true);
    expect(worseThanParent(at(0.5), at(0.5), MIN_HELD_BACK_FOR_TUNING)).toBe(false);
    expect(worseThanParent(at(0.5), at(0.4), 20)).toBe(false);
    // Too few held-back files to judge: the run's own result stands.
    expect(worseThanParent(at(0.5), at(0.9), MIN_HELD_BACK_FOR_TUNING - 1)).toBe(false);
  });
});

describe('threshold re-tuning on the held-back files', () => {
  it('tunes classes present there and keeps the parent threshold for absent ones', async () => {
    const { tuneOnHeldBack } = await import('../../src-main/engine/finetune/scores');
    const frames = 100;
    const classes = ['beep', 'whistle'];
    // beep: 0.3 inside its event (frames 20-40), 0.1 elsewhere; whistle: 0.05 everywhere.
    const probs = new Float32Array(frames * 2);
    for (let f = 0; f < frames; f++) {
      probs[f * 2] = f >= 20 && f < 40 ? 0.3 : 0.1;
      probs[f * 2 + 1] = 0.05;
    }
    const base = { thresholds: { beep: 0.5, whistle: 0.42 }, medianFilterFrames: 1, minEventSeconds: 0, mergeGapSeconds: 0, oneEventPerFile: false };
    const reference = { files: ['x.wav'], events: [{ filename: 'x.wav', onset: 0.4, offset: 0.8, label: 'beep' }] };
    const tuned = tuneOnHeldBack([{ filename: 'x.wav', probs, frames }], reference, classes, base, 0.02);
    expect(tuned.thresholds.whistle).toBe(0.42);
    expect(tuned.thresholds.beep).toBeGreaterThan(0.1);
    expect(tuned.thresholds.beep).toBeLessThanOrEqual(0.3);
  });
});
