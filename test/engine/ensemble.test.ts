import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src-main/engine/audio/wav';
import { createFrameScorer } from '../../src-main/engine/inference';
import { modelWeightShapes } from '../../src-main/engine/model/ensemble';
import { loadModel, runCrnnOnFeatures } from '../../src-main/engine/model/io';
import type { CrnnConfig } from '../../src-main/engine/model/manifest';
import { buildEnsemble, ensembleMismatch, parseEnsembleSource } from '../../src-main/engine/train/ensemble';
import { rng, writeFixtureModel } from './onnx-fixtures';

const BANDS = 16;
const ARCH_A: CrnnConfig = { convBlocks: [{ filters: 6, poolTime: 2, poolFreq: 4 }, { filters: 5, poolTime: 1, poolFreq: 2 }], gruUnits: 6, dropout: 0 };
// Another shape with the same time pooling (2), so the two outputs align step for step.
const ARCH_B: CrnnConfig = { convBlocks: [{ filters: 4, poolTime: 1, poolFreq: 2 }, { filters: 7, poolTime: 2, poolFreq: 4 }], gruUnits: 5, dropout: 0 };

let dir: string;
let modelA: string;
let modelB: string;
let mixDir: string;
let ensembleDir: string;

function normalization(seed: number) {
  const r = rng(seed);
  return { mean: Array.from({ length: BANDS }, () => -8 + 2 * r()), std: Array.from({ length: BANDS }, () => 0.5 + r()) };
}

/** Raw log-mel frames in the range real recordings give. */
function features(frames: number, seed: number) {
  const r = rng(seed);
  return { data: Float32Array.from({ length: frames * BANDS }, () => -10 + 6 * r()), frames, bands: BANDS };
}

/** An `earmark mix` folder with a validation split of six short mixtures (tone bursts in noise). */
async function writeValidationMix(root: string): Promise<void> {
  const audio = join(root, 'validation', 'audio');
  await mkdir(audio, { recursive: true });
  await mkdir(join(root, 'validation', 'meta'), { recursive: true });
  const lines: string[] = [];
  const r = rng(5);
  const names = ['babycry', 'glassbreak', 'gunshot'].flatMap((c) => [`validation_${c}_0000.wav`, `validation_${c}_0001.wav`]);
  for (const [i, name] of names.entries()) {
    const x = Float32Array.from({ length: 16000 * 4 }, () => (r() - 0.5) * 0.01);
    if (i % 2 === 0) {
      for (let n = 16000; n < 24000; n++) x[n] += 0.4 * Math.sin((2 * Math.PI * (500 + 1000 * i) * n) / 16000);
      lines.push(`${name}\t1.0\t1.5\t${name.split('_')[1]}`);
    } else lines.push(name);
    await writeFile(join(audio, name), encodeWav(x, 16000));
  }
  await writeFile(join(root, 'validation', 'meta', 'event_list_validation.txt'), `${lines.join('\n')}\n`);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'earmark-ensemble-'));
  process.env.EARMARK_CACHE_DIR = join(dir, 'cache');
  modelA = join(dir, 'a');
  modelB = join(dir, 'b');
  await writeFixtureModel(modelA, { arch: ARCH_A, features: { melBands: BANDS }, seed: 3, normalization: normalization(1) });
  await writeFixtureModel(modelB, { arch: ARCH_B, features: { melBands: BANDS }, seed: 4, normalization: normalization(2), training: { corpusSplits: ['train', 'validation'] } });
  mixDir = join(dir, 'mix');
  await writeValidationMix(mixDir);
  ensembleDir = join(dir, 'ab');
  await buildEnsemble({ models: [{ dir: modelA }, { dir: modelB }], outDir: ensembleDir, dataDir: mixDir });
});
afterAll(async () => {
  delete process.env.EARMARK_CACHE_DIR;
  await rm(dir, { recursive: true, force: true });
});

describe('ensemble models', () => {
  it('store every network: the first under plain names, the others under member prefixes with their own band statistics', async () => {
    const model = await loadModel(ensembleDir);
    try {
      expect(model.manifest.architecture).toEqual(ARCH_A);
      expect(model.manifest.ensemble).toEqual([{ architecture: ARCH_B, normalization: normalization(2) }]);
      expect(model.manifest.normalization).toEqual(normalization(1));
      const names = modelWeightShapes(model.manifest, { melBands: BANDS, classes: 3 }).map((w) => w.name);
      expect([...model.weights.keys()]).toEqual(names);
      expect(names).toContain('conv0/kernel');
      expect(names).toContain('member1/conv0/kernel');
      expect(model.manifest.training.members?.map((m) => m.dir)).toEqual([modelA, modelB]);
      // Which corpus splits each network heard goes with it, so that scoring can tell unseen material apart.
      expect(model.manifest.training.members?.map((m) => m.corpusSplits)).toEqual([undefined, ['train', 'validation']]);
      expect(model.manifest.training.scores?.validationErrorRate).toBeGreaterThanOrEqual(0);
      for (const c of model.manifest.classes) expect(model.manifest.postprocess.thresholds[c]).toBeGreaterThan(0);
    } finally {
      tf.dispose([...model.weights.values()]);
    }
  });

  it("average the members' frame probabilities, each member seeing features normalised its own way", async () => {
    const x = features(40, 9);
    const [a, b, ab] = await Promise.all([loadModel(modelA), loadModel(modelB), loadModel(ensembleDir)]);
    const pa = await runCrnnOnFeatures(a, x);
    const pb = await runCrnnOnFeatures(b, x);
    const pab = await runCrnnOnFeatures(ab, x);
    for (const m of [a, b, ab]) tf.dispose([...m.weights.values()]);
    expect(pab.length).toBe(pa.length);
    let worst = 0;
    let spread = 0;
    for (let i = 0; i < pab.length; i++) {
      worst = Math.max(worst, Math.abs(pab[i] - (pa[i] + pb[i]) / 2));
      spread = Math.max(spread, Math.abs(pa[i] - pb[i]));
    }
    expect(worst).toBeLessThan(1e-5);
    expect(spread).toBeGreaterThan(0.01); // the members differ, so the mean is not either one
  });

  it('run the same in the ONNX graph as in TensorFlow.js', async () => {
    const x = features(300, 11);
    const onnx = await createFrameScorer(ensembleDir, { backend: 'onnx', windowSeconds: 2, contextSeconds: 0.5 });
    const tfjs = await createFrameScorer(ensembleDir, { backend: 'tfjs', tfBackend: 'cpu', windowSeconds: 2, contextSeconds: 0.5 });
    const po = await onnx.score(x);
    const pt = await tfjs.score(x);
    await onnx.dispose();
    await tfjs.dispose();
    expect(po.length).toBe(300 * 3);
    let worst = 0;
    for (let i = 0; i < po.length; i++) worst = Math.max(worst, Math.abs(po[i] - pt[i]));
    expect(worst).toBeLessThan(1e-5);
  });

  it('combine only models with the same classes, features and windows', async () => {
    const a = (await loadModel(modelA)).manifest;
    expect(ensembleMismatch([{ dir: 'a', manifest: a }, { dir: 'b', manifest: { ...a, classes: ['dog', 'cat', 'cow'] } }])).toMatch(/"b" has classes dog,cat,cow/);
    expect(ensembleMismatch([{ dir: 'a', manifest: a }, { dir: 'b', manifest: { ...a, features: { ...a.features, hopLength: a.features.hopLength * 2 } } }])).toMatch(/other features/);
    expect(ensembleMismatch([{ dir: 'a', manifest: a }, { dir: 'b', manifest: { ...a, inference: { windowSeconds: 3, contextSeconds: 1 } } }])).toMatch(/windows/);
    expect(ensembleMismatch([{ dir: 'a', manifest: a }, { dir: 'b', manifest: a }])).toBeUndefined();
    await expect(buildEnsemble({ models: [{ dir: modelA }], outDir: join(dir, 'one'), dataDir: mixDir })).rejects.toThrow(/at least two networks/);
  });

  it('take chosen networks of an ensemble: the first one taken sets the band statistics, the others keep their own', async () => {
    const out = join(dir, 'b-then-a');
    await buildEnsemble({ models: [{ dir: ensembleDir, networks: [2] }, { dir: modelA }], outDir: out, dataDir: mixDir });
    const [ba, ab] = await Promise.all([loadModel(out), loadModel(ensembleDir)]);
    try {
      expect(ba.manifest.architecture).toEqual(ARCH_B);
      expect(ba.manifest.normalization).toEqual(normalization(2));
      expect(ba.manifest.ensemble).toEqual([{ architecture: ARCH_A, normalization: normalization(1) }]);
      expect(ba.manifest.training.members?.map((m) => [m.dir, m.networks])).toEqual([[ensembleDir, [2]], [modelA, undefined]]);
      expect(Array.from(ba.weights.get('conv0/kernel')!.dataSync())).toEqual(Array.from(ab.weights.get('member1/conv0/kernel')!.dataSync()));
      expect(Array.from(ba.weights.get('member1/conv0/kernel')!.dataSync())).toEqual(Array.from(ab.weights.get('conv0/kernel')!.dataSync()));
    } finally {
      for (const m of [ba, ab]) tf.dispose([...m.weights.values()]);
    }
    await expect(buildEnsemble({ models: [{ dir: ensembleDir, networks: [1, 3] }], outDir: join(dir, 'bad'), dataDir: mixDir })).rejects.toThrow(`"${ensembleDir}" has 2 networks, not a network 3`);
    await expect(buildEnsemble({ models: [{ dir: ensembleDir, networks: [1] }], outDir: join(dir, 'bad'), dataDir: mixDir })).rejects.toThrow(/at least two networks/);
  });

  it('read DIR#1,3 as some networks of a model, and refuse other text after #', () => {
    expect(parseEnsembleSource('models/ens#1,3')).toEqual({ dir: 'models/ens', networks: [1, 3] });
    expect(parseEnsembleSource('models/plain')).toEqual({ dir: 'models/plain' });
    for (const bad of ['m#', 'm#0', 'm#1,,2', 'm#a']) expect(() => parseEnsembleSource(bad)).toThrow(/after # give network numbers from 1, e\.g\. m#1,3/);
  });

  it('refuse to load when members pool time by different factors', async () => {
    const odd = join(dir, 'odd');
    const { manifest } = await writeFixtureModel(odd, { arch: ARCH_A, features: { melBands: BANDS }, seed: 3 });
    await writeFile(join(odd, 'model.json'), JSON.stringify({ ...manifest, ensemble: [{ architecture: { ...ARCH_B, convBlocks: [{ filters: 4, poolTime: 4, poolFreq: 2 }] } }] }));
    await expect(loadModel(odd)).rejects.toThrow(/pool time by different factors \(2, 4\)/);
  });
});
