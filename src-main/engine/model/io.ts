import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { FeatureConfig } from '../features/config';
import { padFrames, upsampleSteps } from './crnn';
import { ensembleProbabilities } from './ensemble-forward';
import { ensembleProblem, modelWeightShapes } from './ensemble';
import { timePoolFactor, type BandNormalization, type CrnnConfig, type ModelManifest, type WeightEntry } from './manifest';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
/** Files that belong to one saved model and are replaced, not carried over, by saveModel. */
const MODEL_OWN_FILES = new Set([MODEL_FILE, WEIGHTS_FILE, 'model.onnx']);

/** A model directory that cannot be used, with the file and the reason. */
export class ModelLoadError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`cannot load model "${path}": ${reason}`);
    this.name = 'ModelLoadError';
  }
}

export type ManifestWithoutWeights = Omit<ModelManifest, 'weights'>;

export interface LoadedModel {
  manifest: ModelManifest;
  weights: Map<string, tf.Tensor>;
}

async function writeSynced(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

/** Flattens named weights in manifest order into one float32 buffer with its index. */
export async function packWeights(weights: Map<string, tf.Tensor>, order: string[]): Promise<{ entries: WeightEntry[]; data: Float32Array }> {
  const entries: WeightEntry[] = [];
  let total = 0;
  for (const name of order) {
    const t = weights.get(name);
    if (!t) throw new Error(`weight "${name}" is missing`);
    entries.push({ name, shape: [...t.shape], offset: total });
    total += t.size;
  }
  const data = new Float32Array(total);
  for (const entry of entries) data.set((await weights.get(entry.name)!.data()) as Float32Array, entry.offset);
  return { entries, data };
}

/**
 * Writes model.json + weights.bin (+ any extra files) into a fresh temporary directory beside `dir`, fsyncs,
 * then swaps it in with renames, so an interrupted save leaves either the old or the new model, never a mix.
 * Other entries of an existing `dir` (checkpoints) are moved into the new directory; a stale model.onnx is not.
 */
export async function saveModel(dir: string, manifest: ManifestWithoutWeights, weights: Map<string, tf.Tensor>, extraFiles: Record<string, Uint8Array | string> = {}): Promise<ModelManifest> {
  const order = modelWeightShapes(manifest, { melBands: manifest.features.melBands, classes: manifest.classes.length }).map((w) => w.name);
  const { entries, data } = await packWeights(weights, order);
  const full: ModelManifest = { ...manifest, weights: entries };
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const stamp = `${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const tmp = join(parent, `.${basename(dir)}.tmp-${stamp}`);
  const old = join(parent, `.${basename(dir)}.old-${stamp}`);
  await mkdir(tmp);
  try {
    await writeSynced(join(tmp, WEIGHTS_FILE), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    for (const [name, content] of Object.entries(extraFiles)) await writeSynced(join(tmp, name), content);
    // model.json last: its presence marks a complete directory.
    await writeSynced(join(tmp, MODEL_FILE), `${JSON.stringify(full, null, 2)}\n`);
    await syncDir(tmp);
    const exists = await stat(dir).then(() => true, () => false);
    if (exists) {
      // Anything else in the directory (e.g. training checkpoints) moves into the new one.
      for (const entry of await readdir(dir)) {
        if (!MODEL_OWN_FILES.has(entry) && !(entry in extraFiles)) await rename(join(dir, entry), join(tmp, entry));
      }
      await rename(dir, old);
    }
    await rename(tmp, dir);
    await syncDir(parent);
    if (exists) await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  return full;
}

/** Restores a model directory left half-swapped by a save killed between its two renames. */
export async function recoverInterruptedSave(dir: string): Promise<void> {
  const exists = await stat(join(dir, MODEL_FILE)).then(() => true, () => false);
  if (exists) return;
  const parent = dirname(dir);
  const prefix = `.${basename(dir)}.old-`;
  const candidates = (await readdir(parent).catch(() => [] as string[])).filter((n) => n.startsWith(prefix)).sort();
  const last = candidates.at(-1);
  if (last) await rename(join(parent, last), dir).catch(() => undefined);
}

function isBandNormalization(value: unknown, bands: number): value is BandNormalization {
  const n = value as Partial<BandNormalization> | null | undefined;
  return !!n && Array.isArray(n.mean) && Array.isArray(n.std) && n.mean.length === bands && n.std.length === bands;
}

function validateManifest(path: string, raw: unknown): ModelManifest {
  if (typeof raw !== 'object' || raw === null) throw new ModelLoadError(path, 'model.json is not a JSON object');
  const m = raw as Partial<ModelManifest>;
  if (m.format !== 'earmark-crnn') throw new ModelLoadError(path, `unknown format ${JSON.stringify(m.format)} (expected "earmark-crnn")`);
  if (m.version !== 1) throw new ModelLoadError(path, `unsupported version ${JSON.stringify(m.version)} (this build reads version 1)`);
  if (!Array.isArray(m.classes) || m.classes.length === 0 || !m.classes.every((c) => typeof c === 'string')) throw new ModelLoadError(path, 'classes must be a non-empty list of labels');
  const f = m.features as FeatureConfig | undefined;
  if (!f || !Number.isInteger(f.melBands) || f.melBands < 1) throw new ModelLoadError(path, 'features.melBands is missing or invalid');
  const a = m.architecture;
  if (!a || !Array.isArray(a.convBlocks) || a.convBlocks.length === 0 || !Number.isInteger(a.gruUnits)) throw new ModelLoadError(path, 'architecture is missing or invalid');
  if (m.ensemble !== undefined) {
    if (!Array.isArray(m.ensemble)) throw new ModelLoadError(path, 'ensemble must be a list of members');
    m.ensemble.forEach((member, i) => {
      const { architecture: e, normalization: own } = (member ?? {}) as { architecture?: CrnnConfig; normalization?: unknown };
      if (!e || !Array.isArray(e.convBlocks) || e.convBlocks.length === 0 || !Number.isInteger(e.gruUnits)) throw new ModelLoadError(path, `ensemble member ${i + 1}: architecture is missing or invalid`);
      if (own !== undefined && !isBandNormalization(own, f.melBands)) throw new ModelLoadError(path, `ensemble member ${i + 1}: normalization must have mean and std of length ${f.melBands}`);
    });
    const problem = ensembleProblem(m as ModelManifest);
    if (problem) throw new ModelLoadError(path, problem);
  }
  if (!isBandNormalization(m.normalization, f.melBands)) throw new ModelLoadError(path, `normalization must have mean and std of length ${f.melBands}`);
  if (!m.postprocess || typeof m.postprocess.thresholds !== 'object') throw new ModelLoadError(path, 'postprocess is missing');
  if (!Array.isArray(m.weights)) throw new ModelLoadError(path, 'weights index is missing');
  return m as ModelManifest;
}

/** Reads and validates a model directory; weights become tensors on the current tfjs backend. */
export async function loadModel(dir: string): Promise<LoadedModel> {
  await recoverInterruptedSave(dir);
  const manifestPath = join(dir, MODEL_FILE);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    throw new ModelLoadError(dir, (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${MODEL_FILE} not found` : (error as Error).message);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModelLoadError(manifestPath, `invalid JSON: ${(error as Error).message}`);
  }
  const manifest = validateManifest(manifestPath, raw);
  const binPath = join(dir, WEIGHTS_FILE);
  let bin: Buffer;
  try {
    bin = await readFile(binPath);
  } catch (error) {
    throw new ModelLoadError(dir, (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${WEIGHTS_FILE} not found` : (error as Error).message);
  }
  if (bin.byteLength % 4 !== 0) throw new ModelLoadError(binPath, `size ${bin.byteLength} bytes is not a whole number of float32 values`);
  const all = new Float32Array(bin.byteLength / 4);
  new Uint8Array(all.buffer).set(bin);
  const expected = modelWeightShapes(manifest, { melBands: manifest.features.melBands, classes: manifest.classes.length });
  const index = new Map(manifest.weights.map((w) => [w.name, w]));
  const weights = new Map<string, tf.Tensor>();
  try {
    for (const { name, shape } of expected) {
      const entry = index.get(name);
      if (!entry) throw new ModelLoadError(manifestPath, `weight "${name}" is missing from the weights index`);
      if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
        throw new ModelLoadError(manifestPath, `weight "${name}" has shape [${entry.shape.join(', ')}], the architecture needs [${shape.join(', ')}]`);
      }
      const size = shape.reduce((p, d) => p * d, 1);
      if (!Number.isInteger(entry.offset) || entry.offset < 0 || entry.offset + size > all.length) {
        throw new ModelLoadError(binPath, `too short for weight "${name}" (needs ${entry.offset + size} floats, has ${all.length})`);
      }
      weights.set(name, tf.tensor(all.slice(entry.offset, entry.offset + size), shape));
    }
  } catch (error) {
    for (const t of weights.values()) t.dispose();
    throw error;
  }
  return { manifest, weights };
}

/** Normalises log-mel frames ([frames x bands], row-major) with the model's per-band mean and std. */
export function normalizeLogMel(logmel: Float32Array, frames: number, bands: number, normalization: BandNormalization): Float32Array {
  const out = new Float32Array(frames * bands);
  const inv = normalization.std.map((s) => 1 / s);
  for (let f = 0; f < frames; f++) {
    const row = f * bands;
    for (let b = 0; b < bands; b++) out[row + b] = (logmel[row + b] - normalization.mean[b]) * inv[b];
  }
  return out;
}

/**
 * tfjs inference on one file's log-mel: normalise, zero-pad to the pool factor, forward, repeat each pooled step
 * and truncate, giving frame probabilities [frames x classes] aligned with the input frames.
 */
export async function runCrnnOnFeatures(model: LoadedModel, logmel: { data: Float32Array; frames: number; bands: number }): Promise<Float32Array> {
  const { manifest, weights } = model;
  if (logmel.bands !== manifest.features.melBands) throw new Error(`features have ${logmel.bands} mel bands, the model expects ${manifest.features.melBands}`);
  const classes = manifest.classes.length;
  if (logmel.frames === 0) return new Float32Array(0);
  const factor = timePoolFactor(manifest.architecture);
  const padded = padFrames(logmel.frames, factor);
  const input = new Float32Array(padded * logmel.bands);
  input.set(normalizeLogMel(logmel.data, logmel.frames, logmel.bands, manifest.normalization));
  const probs = tf.tidy(() => ensembleProbabilities(weights, manifest, classes, tf.tensor3d(input, [1, padded, logmel.bands])));
  const steps = (await probs.data()) as Float32Array;
  probs.dispose();
  return upsampleSteps(steps, padded / factor, classes, factor, logmel.frames);
}
