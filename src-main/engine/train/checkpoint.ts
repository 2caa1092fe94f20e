import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModel, saveModel, type ManifestWithoutWeights } from '../model/io';
import type { ModelManifest } from '../model/manifest';
import type { AdamState } from './adam';

export const ADAM_FILE = 'adam.bin';
export const STATE_FILE = 'state.json';
export const AVERAGE_FILE = 'average.bin';

export interface EpochRecord {
  epoch: number;
  loss: number;
  errorRate: number;
  fMeasure: number;
  seconds: number;
  /** With a weight average: the validation ER of the current (not averaged) weights, for comparison. */
  currentErrorRate?: number;
}

/** Everything besides weights and Adam moments that a resumed run needs. */
export interface TrainingState {
  /** Last completed epoch (1-based). */
  epoch: number;
  rngState: number;
  adamStep: number;
  bestEpoch: number;
  bestErrorRate: number;
  epochsWithoutImprovement: number;
  history: EpochRecord[];
  /** Seconds of training so far, over all runs. */
  elapsedSeconds: number;
}

export function checkpointDir(outDir: string): string {
  return join(outDir, 'checkpoints', 'last');
}

/** The averaged weights of a run (WeightAverage), as kept in a checkpoint. */
export interface CheckpointAverage {
  decay: number;
  updates: number;
  weights: Map<string, tf.Tensor>;
}

async function packTensors(tensors: tf.Tensor[]): Promise<Uint8Array> {
  const parts = await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
  const packed = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    packed.set(p, offset);
    offset += p.length;
  }
  return new Uint8Array(packed.buffer);
}

/** Writes the checkpoint atomically (same swap as saveModel): weights, Adam moments, weight average, training state. */
export async function saveCheckpoint(dir: string, manifest: ManifestWithoutWeights, weights: Map<string, tf.Tensor>, adam: AdamState, state: TrainingState, average?: CheckpointAverage): Promise<void> {
  const names = [...adam.m.keys()];
  const adamIndex = { names, step: adam.step };
  const averageNames = average ? [...average.weights.keys()] : [];
  const averageIndex = average ? { average: { names: averageNames, decay: average.decay, updates: average.updates } } : {};
  await saveModel(dir, manifest, weights, {
    [ADAM_FILE]: await packTensors(names.flatMap((name) => [adam.m.get(name)!, adam.v.get(name)!])),
    ...(average ? { [AVERAGE_FILE]: await packTensors(averageNames.map((name) => average.weights.get(name)!)) } : {}),
    [STATE_FILE]: `${JSON.stringify({ ...state, adam: adamIndex, ...averageIndex }, null, 2)}\n`,
  });
}

export interface LoadedCheckpoint {
  manifest: ModelManifest;
  weights: Map<string, tf.Tensor>;
  state: TrainingState;
  /** Adam moments by weight name, in checkpoint order. */
  adam: { step: number; m: Map<string, Float32Array>; v: Map<string, Float32Array> };
  /** The weight average, when the run kept one. */
  average?: { decay: number; updates: number; values: Map<string, Float32Array> };
}

async function readFloats(path: string): Promise<Float32Array> {
  const bin = await readFile(path);
  const all = new Float32Array(bin.byteLength / 4);
  new Uint8Array(all.buffer).set(bin);
  return all;
}

export async function checkpointExists(dir: string): Promise<boolean> {
  return stat(join(dir, STATE_FILE)).then(() => true, () => false);
}

export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const { manifest, weights } = await loadModel(dir);
  const raw = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as TrainingState & {
    adam: { names: string[]; step: number };
    average?: { names: string[]; decay: number; updates: number };
  };
  const all = await readFloats(join(dir, ADAM_FILE));
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  let offset = 0;
  for (const name of raw.adam.names) {
    const size = weights.get(name)?.size;
    if (size === undefined) throw new Error(`checkpoint "${dir}": Adam state names unknown weight "${name}"`);
    m.set(name, all.slice(offset, offset + size));
    offset += size;
    v.set(name, all.slice(offset, offset + size));
    offset += size;
  }
  if (offset !== all.length) throw new Error(`checkpoint "${dir}": ${ADAM_FILE} has ${all.length} values, expected ${offset}`);
  const { adam, average: averageIndex, ...state } = raw;
  let average: LoadedCheckpoint['average'];
  if (averageIndex) {
    const packed = await readFloats(join(dir, AVERAGE_FILE));
    const values = new Map<string, Float32Array>();
    let at = 0;
    for (const name of averageIndex.names) {
      const size = weights.get(name)?.size;
      if (size === undefined) throw new Error(`checkpoint "${dir}": the weight average names unknown weight "${name}"`);
      values.set(name, packed.slice(at, at + size));
      at += size;
    }
    if (at !== packed.length) throw new Error(`checkpoint "${dir}": ${AVERAGE_FILE} has ${packed.length} values, expected ${at}`);
    average = { decay: averageIndex.decay, updates: averageIndex.updates, values };
  }
  return { manifest, weights, state, adam: { step: adam.step, m, v }, ...(average ? { average } : {}) };
}
