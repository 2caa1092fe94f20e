import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from '../../src-main/engine/features/config';
import type { CrnnConfig, ModelManifest } from '../../src-main/engine/model/manifest';
import { createRng as rng } from '../../src-main/engine/random';

export { rng };

export const FIXTURE_CLASSES = ['babycry', 'glassbreak', 'gunshot'];

/** Names and shapes of the CRNN weights, independently of the model code (manifest.ts contract). */
export function weightShapes(arch: CrnnConfig, melBands: number, classes: number): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [];
  let cin = 1;
  let freq = melBands;
  arch.convBlocks.forEach((b, i) => {
    out.push({ name: `conv${i}/kernel`, shape: [3, 3, cin, b.filters] });
    for (const p of ['gamma', 'beta', 'mean', 'variance']) out.push({ name: `bn${i}/${p}`, shape: [b.filters] });
    cin = b.filters;
    freq = Math.floor(freq / b.poolFreq);
  });
  const h = arch.gruUnits;
  for (const d of ['gru_fw', 'gru_bw']) {
    out.push({ name: `${d}/kernel`, shape: [freq * cin, 3 * h] }, { name: `${d}/recurrent`, shape: [h, 3 * h] });
    out.push({ name: `${d}/bias`, shape: [3 * h] }, { name: `${d}/recurrent_bias`, shape: [3 * h] });
  }
  out.push({ name: 'dense/kernel', shape: [2 * h, classes] }, { name: 'dense/bias', shape: [classes] });
  return out;
}

/** Random weights with non-trivial BatchNorm statistics and biases, so every parameter matters. */
export function randomWeights(arch: CrnnConfig, melBands: number, classes: number, seed: number): Map<string, Float32Array> {
  const r = rng(seed);
  const weights = new Map<string, Float32Array>();
  for (const { name, shape } of weightShapes(arch, melBands, classes)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const fanIn = name.startsWith('conv') ? 9 * shape[2] : shape[0];
    for (let i = 0; i < size; i++) {
      if (name.endsWith('/variance')) data[i] = 0.5 + r();
      else if (name.endsWith('/gamma')) data[i] = 0.5 + r();
      else if (name.endsWith('/mean') || name.endsWith('/beta') || name.endsWith('bias')) data[i] = (r() - 0.5) * 0.4;
      else data[i] = ((r() * 2 - 1) * Math.sqrt(3)) / Math.sqrt(fanIn);
    }
    weights.set(name, data);
  }
  return weights;
}

export interface FixtureModelOptions {
  arch?: CrnnConfig;
  features?: Partial<FeatureConfig>;
  weights?: Map<string, Float32Array>;
  seed?: number;
  normalization?: { mean: number[]; std: number[] };
  postprocess?: Partial<ModelManifest['postprocess']>;
  classes?: string[];
  training?: Partial<ModelManifest['training']>;
}

export const SMALL_ARCH: CrnnConfig = {
  convBlocks: [
    { filters: 8, poolTime: 2, poolFreq: 4 },
    { filters: 8, poolTime: 1, poolFreq: 4 },
  ],
  gruUnits: 8,
  dropout: 0,
};

/** Writes model.json + weights.bin into dir; returns the manifest. */
export async function writeFixtureModel(dir: string, options: FixtureModelOptions = {}): Promise<{ manifest: ModelManifest; weights: Map<string, Float32Array> }> {
  const arch = options.arch ?? SMALL_ARCH;
  const features: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, ...options.features };
  const classes = options.classes ?? FIXTURE_CLASSES;
  const weights = options.weights ?? randomWeights(arch, features.melBands, classes.length, options.seed ?? 1);
  const entries: ModelManifest['weights'] = [];
  const shapes = weightShapes(arch, features.melBands, classes.length);
  const total = shapes.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
  const bin = new Float32Array(total);
  let offset = 0;
  for (const { name, shape } of shapes) {
    const data = weights.get(name)!;
    bin.set(data, offset);
    entries.push({ name, shape, offset });
    offset += data.length;
  }
  const manifest: ModelManifest = {
    format: 'earmark-crnn',
    version: 1,
    classes,
    features,
    normalization: options.normalization ?? { mean: new Array(features.melBands).fill(0), std: new Array(features.melBands).fill(1) },
    architecture: arch,
    postprocess: {
      thresholds: Object.fromEntries(classes.map((c) => [c, 0.5])),
      medianFilterFrames: 1,
      minEventSeconds: 0,
      mergeGapSeconds: 0,
      oneEventPerFile: false,
      ...options.postprocess,
    },
    weights: entries,
    training: { createdAt: '2024-01-01T00:00:00.000Z', ...options.training },
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
  await writeFile(join(dir, 'weights.bin'), new Uint8Array(bin.buffer));
  return { manifest, weights };
}

/**
 * A "loud energy" detector: one conv filter passing the band value through, max over all bands,
 * a memoryless GRU (z = 0, n = tanh(x)) and a dense layer firing babycry when both directions see energy.
 */
export function energyDetector(melBands: number): { arch: CrnnConfig; weights: Map<string, Float32Array> } {
  const arch: CrnnConfig = { convBlocks: [{ filters: 1, poolTime: 2, poolFreq: melBands }], gruUnits: 1, dropout: 0 };
  const weights = new Map<string, Float32Array>();
  for (const { name, shape } of weightShapes(arch, melBands, 3)) weights.set(name, new Float32Array(shape.reduce((a, b) => a * b, 1)));
  weights.get('conv0/kernel')![4] = 1; // centre tap of the 3x3
  weights.set('bn0/gamma', Float32Array.of(1));
  weights.set('bn0/variance', Float32Array.of(1 - 1e-3));
  for (const d of ['gru_fw', 'gru_bw']) {
    weights.set(`${d}/kernel`, Float32Array.of(0, 0, 1));
    weights.set(`${d}/bias`, Float32Array.of(-20, 0, 0));
  }
  weights.set('dense/kernel', Float32Array.of(5, 0, 0, 5, 0, 0));
  weights.set('dense/bias', Float32Array.of(-5, -10, -10));
  return { arch, weights };
}

