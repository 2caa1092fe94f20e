import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelManifest } from '../model/manifest';

export interface ModelFiles {
  dir: string;
  manifest: ModelManifest;
  /** Weight values by name, shapes as in the manifest. */
  weights: Map<string, Float32Array>;
}

/** Reads model.json and weights.bin of a model directory without any tensor library. */
export async function readModelFiles(dir: string): Promise<ModelFiles> {
  const manifestPath = join(dir, 'model.json');
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as ModelManifest;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `no model at "${dir}" (model.json not found)` : `cannot read "${manifestPath}": ${(error as Error).message}`);
  }
  if (manifest.format !== 'earmark-crnn') throw new Error(`"${manifestPath}" is not an earmark-crnn model (format: ${String(manifest.format)})`);
  const binPath = join(dir, 'weights.bin');
  const bin = await readFile(binPath);
  // Copy into an aligned buffer: Buffer pools may hand out unaligned offsets.
  const all = new Float32Array(bin.byteLength / 4);
  new Uint8Array(all.buffer).set(bin.subarray(0, all.length * 4));
  const weights = new Map<string, Float32Array>();
  for (const entry of manifest.weights) {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    if (entry.offset < 0 || entry.offset + size > all.length) {
      throw new Error(`"${binPath}" is too short for weight "${entry.name}" (needs ${entry.offset + size} floats, has ${all.length})`);
    }
    weights.set(entry.name, all.subarray(entry.offset, entry.offset + size));
  }
  return { dir, manifest, weights };
}
