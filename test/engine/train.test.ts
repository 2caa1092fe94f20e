import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src-main/engine/model/backend';
import { loadModel } from '../../src-main/engine/model/io';
import { positiveWeights, trainCommand, trainingSplits } from '../../src-main/cli/commands/train';
import { checkpointDir, loadCheckpoint } from '../../src-main/engine/train/checkpoint';
import { activeSpan, augmentCrop, buildBatch, sampleEpochCrops, type Augmentation } from '../../src-main/engine/train/crops';
import { isImprovement, trainCrnn, type TrainOptions } from '../../src-main/engine/train/trainer';
import { createRng } from '../../src-main/engine/model/crnn';
import { syntheticSplit } from './train-synthetic';
import { TINY_ARCHITECTURE, TINY_FEATURES } from './train-tiny';

const classes = ['a', 'b', 'c'];
const data = { train: syntheticSplit('train', 36, classes, 1), validation: syntheticSplit('validation', 12, classes, 2) };
let dir: string;

function options(outDir: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    dataDir: 'synthetic',
    outDir,
    classes,
    epochs: 2,
    seed: 3,
    resume: false,
    batchSize: 6,
    cropSeconds: 1.28,
    patience: 10,
    learningRate: 0.01,
    architecture: TINY_ARCHITECTURE,
    features: TINY_FEATURES,
    data,
    ...extra,
  };
}

beforeAll(async () => {
  await selectBackend('wasm', () => {});
  dir = await mkdtemp(join(tmpdir(), 'earmark-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('crops', () => {
  it('places event-file crops around the event and builds pooled mean targets', () => {
    const files = data.train.files;
    const spans = files.map((f) => activeSpan(f, classes.length));
    const crops = sampleEpochCrops(files, spans, { frames: 64, randomShare: 0 }, createRng(1));
    expect(crops.map((c) => c.file).sort((a, b) => a - b)).toEqual(files.map((_, i) => i));
    for (const crop of crops) {
      const span = spans[crop.file];
      if (span) {
        expect(crop.start).toBeLessThanOrEqual(span[0]);
        expect(crop.start + 64).toBeGreaterThan(span[1]);
      }
      expect(crop.start + 64).toBeLessThanOrEqual(files[crop.file].features.frames);
    }
    const batch = buildBatch(files, crops.slice(0, 2), 64, 4, classes.length, { mean: new Array(16).fill(0), std: new Array(16).fill(1) });
    const file = files[crops[0].file];
    for (let s = 0; s < 16; s++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let k = 0; k < 4; k++) sum += file.targets[(crops[0].start + s * 4 + k) * 3 + c];
        expect(batch.targets[s * 3 + c]).toBeCloseTo(sum / 4, 6);
      }
    }
    expect(batch.inputs[5]).toBeCloseTo(file.features.data[crops[0].start * 16 + 5], 6);
  });
});

describe('isImprovement', () => {
  it('prefers lower ER, but never an empty output over a detecting model', () => {
    expect(isImprovement({ errorRate: 0.5, fMeasure: 0.7 }, undefined)).toBe(true);
    expect(isImprovement({ errorRate: 0.4, fMeasure: 0.7 }, { errorRate: 0.5, fMeasure: 0.6 })).toBe(true);
    expect(isImprovement({ errorRate: 0.6, fMeasure: 0.9 }, { errorRate: 0.5, fMeasure: 0.6 })).toBe(false);
    expect(isImprovement({ errorRate: 1, fMeasure: Number.NaN }, { errorRate: 1.2, fMeasure: 0.3 })).toBe(false);
    expect(isImprovement({ errorRate: 1.3, fMeasure: 0.2 }, { errorRate: 1, fMeasure: Number.NaN })).toBe(true);
  });
});

describe('augmentCrop', () => {
  const off: Augmentation = { gainDb: 0, backgroundMixProbability: 0, backgroundMixDb: [0, 0], bandShiftProbability: 0, maxBandShift: 0, bandMaskProbability: 0, maxMaskBands: 0 };
  const crop = () => Float32Array.from({ length: 4 * 3 }, (_, i) => i);

  it('adds a background as a power sum (0 dB: log(e^a + e^b))', () => {
    const c = crop();
    const bg = new Float32Array(12).fill(5);
    augmentCrop(c, 4, 3, bg, [0, 0, 0], { ...off, backgroundMixProbability: 1 }, createRng(1));
    crop().forEach((a, i) => expect(c[i]).toBeCloseTo(Math.log(Math.exp(a) + Math.exp(5)), 5));
  });

  it('shifts bands by a whole number, repeating the edge band', () => {
    const c = crop();
    augmentCrop(c, 4, 3, undefined, [0, 0, 0], { ...off, bandShiftProbability: 1, maxBandShift: 1 }, () => 0.99);
    expect(Array.from(c.subarray(0, 3))).toEqual([0, 0, 1]);
  });

  it('changes the level by at most gainDb, equally in every cell', () => {
    const c = crop();
    augmentCrop(c, 4, 3, undefined, [0, 0, 0], { ...off, gainDb: 6 }, createRng(3));
    const d = c[0] - 0;
    expect(Math.abs(d)).toBeLessThanOrEqual((6 * Math.log(10)) / 10 + 1e-6);
    crop().forEach((a, i) => expect(c[i] - a).toBeCloseTo(d, 5));
  });
});

describe('trainCrnn', () => {
  it('decreases the loss over 2 epochs, saves a loadable best model with tuned thresholds and a checkpoint', async () => {
    const out = join(dir, 'two');
    const result = await trainCrnn(options(out));
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(result.history[1].loss).toBeLessThan(result.history[0].loss);
    const model = await loadModel(out);
    expect(model.manifest.classes).toEqual(classes);
    expect(model.manifest.training.bestEpoch).toBe(result.bestEpoch);
    expect(model.manifest.training.trainFiles).toBe(36);
    expect(Object.keys(model.manifest.postprocess.thresholds)).toEqual(classes);
    expect(model.manifest.training.scores?.validationErrorRate).toBeCloseTo(result.validation.errorRate, 10);
    const ckpt = await loadCheckpoint(checkpointDir(out));
    expect(ckpt.state.epoch).toBe(2);
    expect(ckpt.adam.step).toBe(2 * Math.ceil(36 / 6));
  });

  it('resume continues after the checkpoint epoch, with the same result as an uninterrupted run', async () => {
    const out = join(dir, 'resume');
    await trainCrnn(options(out, { epochs: 1 }));
    const resumed = await trainCrnn(options(out, { epochs: 3, resume: true }));
    expect(resumed.resumedFromEpoch).toBe(1);
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    const straight = await trainCrnn(options(join(dir, 'straight'), { epochs: 3 }));
    expect(resumed.history[2].loss).toBeCloseTo(straight.history[2].loss, 4);
  });

  it('resumed on other validation data, restarts the best epoch: error rates on other mixtures are not comparable', async () => {
    const out = join(dir, 'revalidated');
    const first = await trainCrnn(options(out, { epochs: 2 }));
    // The same mixtures with every label moved to the next class: the model's detections all turn wrong.
    const moved = (label: string) => classes[(classes.indexOf(label) + 1) % classes.length];
    const relabelled = {
      ...data.validation,
      files: data.validation.files.map((f) => ({ ...f, events: f.events.map((e) => ({ ...e, label: moved(e.label) })) })),
      reference: { ...data.validation.reference, events: data.validation.reference.events.map((e) => ({ ...e, label: moved(e.label) })) },
    };
    const lines: string[] = [];
    const resumed = await trainCrnn(options(out, { epochs: 3, resume: true, dataDir: 'synthetic-relabelled', data: { ...data, validation: relabelled }, onLog: (l) => lines.push(l) }));
    // Worse than the old best, and still the best: compared with the old one it would not have been saved.
    expect(resumed.history[2].errorRate).toBeGreaterThan(first.history[first.bestEpoch - 1].errorRate);
    expect(resumed.bestEpoch).toBe(3);
    expect((await loadModel(out)).manifest.training.bestEpoch).toBe(3);
    expect(lines).toContain('validation data changed (synthetic -> synthetic-relabelled): the best epoch restarts');
    // Resumed on the same data, the best is kept.
    const again = await trainCrnn(options(join(dir, 'revalidated-same'), { epochs: 1 }));
    const same = await trainCrnn(options(join(dir, 'revalidated-same'), { epochs: 2, resume: true, onLog: (l) => lines.push(l) }));
    expect(same.bestEpoch).toBe(same.history[1].errorRate < again.history[0].errorRate - 1e-9 ? 2 : 1);
    expect(lines.filter((l) => l.includes('the best epoch restarts'))).toHaveLength(1);
  });

  it('resumes on the checkpoint\'s input statistics, whatever the training material says now', async () => {
    const out = join(dir, 'renormalised');
    await trainCrnn(options(out, { epochs: 1 }));
    const before = (await loadCheckpoint(checkpointDir(out))).manifest.normalization;
    const otherTrain = syntheticSplit('train', 36, classes, 9);
    await trainCrnn(options(out, { epochs: 2, resume: true, seed: 8, data: { ...data, train: otherTrain } }));
    const after = (await loadCheckpoint(checkpointDir(out))).manifest.normalization;
    expect(Array.from(after.mean)).toEqual(Array.from(before.mean));
    expect(Array.from(after.std)).toEqual(Array.from(before.std));
    // The other material does have other statistics: a fresh run on it would not have these.
    const fresh = join(dir, 'renormalised-fresh');
    await trainCrnn(options(fresh, { epochs: 1, data: { ...data, train: otherTrain } }));
    expect(Array.from((await loadCheckpoint(checkpointDir(fresh))).manifest.normalization.mean)).not.toEqual(Array.from(before.mean));
  });

  it('with a weight average, saves the averaged weights, scores the current ones too, and resumes the average', async () => {
    const out = join(dir, 'average');
    const first = await trainCrnn(options(out, { epochs: 1, weightAverageDecay: 0.9 }));
    expect(first.history[0].currentErrorRate).toEqual(expect.any(Number));
    const ckpt = await loadCheckpoint(checkpointDir(out));
    expect(ckpt.average?.updates).toBe(Math.ceil(36 / 6));
    expect(ckpt.average?.decay).toBe(0.9);
    // The average lags the current weights, and the saved best model is the average.
    const saved = await loadModel(out);
    const name = 'conv0/kernel';
    const current = ckpt.weights.get(name)!.dataSync();
    const averaged = ckpt.average!.values.get(name)!;
    expect(Math.max(...averaged.map((v, i) => Math.abs(v - current[i])))).toBeGreaterThan(1e-4);
    expect(Array.from(saved.weights.get(name)!.dataSync())).toEqual(Array.from(averaged));

    const resumed = await trainCrnn(options(out, { epochs: 2, resume: true, weightAverageDecay: 0.9 }));
    const straight = await trainCrnn(options(join(dir, 'average-straight'), { epochs: 2, weightAverageDecay: 0.9 }));
    expect(resumed.history[1].errorRate).toBeCloseTo(straight.history[1].errorRate, 6);
    const resumedAverage = (await loadCheckpoint(checkpointDir(out))).average!.values.get(name)!;
    const straightAverage = (await loadCheckpoint(checkpointDir(join(dir, 'average-straight')))).average!.values.get(name)!;
    expect(Math.max(...resumedAverage.map((v, i) => Math.abs(v - straightAverage[i])))).toBeLessThan(1e-5);
  });

  it('starts a new run from a trained model\'s network: its size, weights and input statistics', async () => {
    const source = join(dir, 'init-source');
    await trainCrnn(options(source, { epochs: 1 }));
    const sourceModel = await loadModel(source);
    // Other material and another requested size: the source network decides both. A learning rate of 0
    // leaves the trained weights as they are (only BatchNorm's running statistics move).
    const otherTrain = syntheticSplit('train', 36, classes, 9);
    const wider = { ...TINY_ARCHITECTURE, gruUnits: 12 };
    const lines: string[] = [];
    const out = join(dir, 'init-run');
    const run = await trainCrnn(options(out, { epochs: 1, learningRate: 0, architecture: wider, data: { ...data, train: otherTrain }, initFrom: { dir: source, member: 1 }, onLog: (l) => lines.push(l) }));
    expect(lines).toContain(`starting from network 1 of ${source}`);
    expect(run.resumedFromEpoch).toBe(0);
    expect(run.manifest.architecture).toEqual(TINY_ARCHITECTURE);
    expect(Array.from(run.manifest.normalization.mean)).toEqual(Array.from(sourceModel.manifest.normalization.mean));
    const ckpt = await loadCheckpoint(checkpointDir(out));
    for (const name of ['conv0/kernel', 'gru_fw/kernel', 'gru_bw/recurrent', 'dense/kernel']) {
      expect(Array.from(ckpt.weights.get(name)!.dataSync())).toEqual(Array.from(sourceModel.weights.get(name)!.dataSync()));
    }

    await expect(trainCrnn(options(join(dir, 'init-bad'), { initFrom: { dir: source, member: 2 } }))).rejects.toThrow(`cannot start training from "${source}": it has 1 network, not a network 2`);
    await expect(trainCrnn(options(join(dir, 'init-bad'), { classes: ['a', 'b'], initFrom: { dir: source, member: 1 } }))).rejects.toThrow('it detects a,b,c, this run trains a,b');
    await expect(trainCrnn(options(join(dir, 'init-bad'), { features: { ...TINY_FEATURES, melBands: 24 }, initFrom: { dir: source, member: 1 } }))).rejects.toThrow('other features');
    await expect(trainCrnn(options(join(dir, 'init-bad'), { positiveWeights: { gunshots: 2 } }))).rejects.toThrow('positive weight for gunshots: not among the classes trained (a, b, c)');
    await expect(trainCrnn(options(join(dir, 'init-bad'), { positiveWeights: { b: 2 } }))).rejects.toThrow('positive loss weights need fresh mixtures from a corpus (--corpus)');
    for (const t of sourceModel.weights.values()) t.dispose();
  });

  it('leaves no tensor behind: validation of every epoch (both weight sets) and the final tuning release theirs', async () => {
    const before = tf.memory().numTensors;
    await trainCrnn(options(join(dir, 'no-leak'), { epochs: 2, weightAverageDecay: 0.9 }));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a training process killed mid-epoch leaves the last good model loadable', async () => {
    const out = join(dir, 'killed');
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'train-kill-child.ts'), out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let epochs = 0;
    await new Promise<void>((done, fail) => {
      child.stdout.on('data', (chunk: Buffer) => {
        epochs += (chunk.toString().match(/epoch \d+/g) ?? []).length;
        if (epochs >= 2) done();
      });
      child.on('exit', (code) => fail(new Error(`child exited early (${code})`)));
    });
    // Kill at varying points of the next epochs, including during saves.
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const model = await loadModel(out);
    expect(model.manifest.training.bestEpoch).toBeGreaterThanOrEqual(1);
    expect((await stat(join(out, 'weights.bin'))).size).toBe(model.manifest.weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0) * 4);
  });
});

describe('earmark train', () => {
  it('reports a missing --data as a usage error and a non-mix folder clearly', async () => {
    const lines: string[] = [];
    const io = { stdout: (t: string) => lines.push(t), stderr: (t: string) => lines.push(t), isTTY: false };
    expect(await trainCommand.run(['--out', join(dir, 'x')], io)).toBe(2);
    expect(lines.join('')).toMatch(/--data DIR is required/);
    lines.length = 0;
    expect(await trainCommand.run(['--data', dir, '--out', join(dir, 'x'), '--backend', 'cpu'], io)).toBe(2); // invalid input: the README's exit-code rule
    expect(lines.join('')).toMatch(/manifest\.json: not found/);
    void readFile;
  });

  it('reads --positive-weight as weights by class, and refuses a malformed one', () => {
    expect(positiveWeights(['gunshot=2', ' babycry=0.5'])).toEqual({ gunshot: 2, babycry: 0.5 });
    for (const bad of ['gunshot', 'gunshot=-1', 'gunshot=x', '=2']) expect(() => positiveWeights([bad])).toThrow(`--positive-weight takes class=W with W >= 0, got "${bad}"`);
  });

  it('reads --corpus-splits as train and validation only, never the test split', () => {
    expect(trainingSplits(['train', ' validation', 'train'])).toEqual(['train', 'validation']);
    expect(() => trainingSplits(['train', 'test'])).toThrow('--corpus-splits takes train and validation, got "test" (the test split is kept for scoring)');
    expect(() => trainingSplits(['valid'])).toThrow('--corpus-splits takes train and validation, got "valid"');
  });
});
