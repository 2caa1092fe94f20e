import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModel, saveModel, type ManifestWithoutWeights } from '../model/io';
import type { ModelManifest } from '../model/manifest';
import type { AdamState } from './adam';

export const ADAM_FILE = 'adam.bin';
export const STATE_FILE = 'state.json';

export interface EpochRecord {
  epoch: number;
  loss: number;
  errorRate: number;
  fMeasure: number;
  seconds: number;
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

/** Writes the checkpoint atomically (same swap as saveModel): weights, Adam moments, training state. */
export async function saveCheckpoint(dir: string, manifest: ManifestWithoutWeights, weights: Map<string, tf.Tensor>, adam: AdamState, state: TrainingState): Promise<void> {
  const names = [...adam.m.keys()];
  const parts: Float32Array[] = [];
  for (const name of names) {
    parts.push((await adam.m.get(name)!.data()) as Float32Array);
    parts.push((await adam.v.get(name)!.data()) as Float32Array);
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const packed = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    packed.set(p, offset);
    offset += p.length;
  }
  const adamIndex = { names, step: adam.step };
  await saveModel(dir, manifest, weights, {
    [ADAM_FILE]: new Uint8Array(packed.buffer),
    [STATE_FILE]: `${JSON.stringify({ ...state, adam: adamIndex }, null, 2)}\n`,
  });
}

export interface LoadedCheckpoint {
  manifest: ModelManifest;
  weights: Map<string, tf.Tensor>;
  state: TrainingState;
  /** Adam moments by weight name, in checkpoint order. */
  adam: { step: number; m: Map<string, Float32Array>; v: Map<string, Float32Array> };
}

export async function checkpointExists(dir: string): Promise<boolean> {
  return stat(join(dir, STATE_FILE)).then(() => true, () => false);
}

export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const { manifest, weights } = await loadModel(dir);
  const raw = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as TrainingState & { adam: { names: string[]; step: number } };
  const bin = await readFile(join(dir, ADAM_FILE));
  const all = new Float32Array(bin.byteLength / 4);
  new Uint8Array(all.buffer).set(bin);
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
  const { adam, ...state } = raw;
  return { manifest, weights, state, adam: { step: adam.step, m, v } };
}
