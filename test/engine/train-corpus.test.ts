import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src-main/engine/audio/wav';
import { selectBackend } from '../../src-main/engine/model/backend';
import { loadModel } from '../../src-main/engine/model/io';
import { loadMelCorpus } from '../../src-main/engine/train/corpus-sources';
import { trainCrnn } from '../../src-main/engine/train/trainer';
import { syntheticSplit } from './train-synthetic';
import { TINY_ARCHITECTURE, TINY_FEATURES } from './train-tiny';

const RATE = 16000;
const classes = ['a', 'b', 'c'];
let dir: string;

beforeAll(async () => {
  await selectBackend('wasm', () => {});
  dir = mkdtempSync(join(tmpdir(), 'earmark-train-corpus-'));
  const write = (rel: string, samples: Float32Array) => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), encodeWav(samples, RATE, { bitDepth: 16 }));
  };
  classes.forEach((c, k) => {
    for (let i = 0; i < 3; i++) write(`corpus/events/${c}/${c}_${i}.wav`, Float32Array.from({ length: RATE / 2 }, (_, n) => 0.3 * Math.sin((2 * Math.PI * (500 + 1500 * k) * n) / RATE)));
  });
  for (let i = 0; i < 3; i++) write(`corpus/backgrounds/hum_${String(i).padStart(2, '0')}.wav`, Float32Array.from({ length: 4 * RATE }, (_, n) => 0.01 * Math.sin(n * (0.3 + i * 0.1))));
  // An event-free recording in the `earmark mix` layout, for the false-alarm budget.
  write('ambience/validation/audio/validation_ambience_0000.wav', Float32Array.from({ length: 20 * RATE }, (_, n) => 0.01 * Math.sin(n * 0.37)));
  mkdirSync(join(dir, 'ambience/validation/meta'), { recursive: true });
  writeFileSync(join(dir, 'ambience/validation/meta/event_list_validation.txt'), 'validation_ambience_0000.wav\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('training on fresh corpus mixtures', () => {
  it('draws every epoch from the corpus train split and records how', async () => {
    const features = { ...TINY_FEATURES, background: { timeConstantSeconds: 2 } };
    const sources = await loadMelCorpus(join(dir, 'corpus'), 'train', classes, features);
    const batches: number[] = [];
    const result = await trainCrnn({
      dataDir: 'synthetic',
      outDir: join(dir, 'model'),
      classes,
      epochs: 2,
      seed: 4,
      resume: false,
      batchSize: 4,
      cropSeconds: 1.28,
      patience: 5,
      architecture: TINY_ARCHITECTURE,
      features,
      data: { train: { split: 'train', files: [], reference: { files: [], events: [] } }, validation: syntheticSplit('validation', 6, classes, 2) },
      corpus: { dir: join(dir, 'corpus'), cropsPerEpoch: 10, sources },
      ambience: { dir: join(dir, 'ambience'), perHour: 2 },
      onBatch: (p) => batches.push(p.batch),
    });
    // 10 crops in batches of 4: 3 batches per epoch, the last one of 2.
    expect(batches).toEqual([1, 2, 3, 1, 2, 3]);
    expect(result.history).toHaveLength(2);
    expect(Number.isFinite(result.history[1].loss)).toBe(true);
    const { manifest } = await loadModel(join(dir, 'model'));
    expect(manifest.training.corpus).toBe(join(dir, 'corpus'));
    expect(manifest.training.mixing).toMatchObject({ ebrDb: [-9, 9] });
    expect(manifest.features.background).toEqual({ timeConstantSeconds: 2 });
    expect(manifest.postprocess.oneEventPerFile).toBe(false);
    expect(manifest.training).toMatchObject({ ambience: join(dir, 'ambience'), falseAlarmsPerHour: 2 });
    // Detection windows match the 1.28 s training crops.
    expect(manifest.inference).toEqual({ windowSeconds: 0.96, contextSeconds: 0.16 });
    // Band statistics come from the mixtures the model trains on: background-subtracted features sit near zero.
    expect(Math.max(...manifest.normalization.mean.map(Math.abs))).toBeLessThan(3);
  });
});
