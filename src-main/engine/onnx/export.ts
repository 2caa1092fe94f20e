import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { crnnToOnnx } from './crnn-graph';
import { readModelFiles } from './model-files';

/** Writes `model.onnx` next to `model.json` (or to outPath); returns the path written. */
export async function exportOnnx(modelDir: string, outPath = join(modelDir, 'model.onnx')): Promise<string> {
  const { manifest, weights } = await readModelFiles(modelDir);
  const bytes = crnnToOnnx(manifest, weights);
  // Write then rename, so a concurrent reader never sees half a file.
  const tmp = `${outPath}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, outPath);
  return outPath;
}

async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

export function onnxCacheDir(): string {
  return process.env.EARMARK_CACHE_DIR ? join(process.env.EARMARK_CACHE_DIR, 'onnx') : join(homedir(), '.cache', 'earmark', 'onnx');
}

/**
 * An up-to-date ONNX file for a model directory: its own model.onnx when that is newer than
 * model.json and weights.bin, otherwise one exported into the cache, keyed by a hash of both files
 * (so a retrained model never runs with stale weights, and a read-only model dir still works).
 */
export async function ensureOnnxModel(modelDir: string): Promise<{ path: string; exported: boolean }> {
  const own = join(modelDir, 'model.onnx');
  const [onnxTime, jsonTime, binTime] = await Promise.all([mtime(own), mtime(join(modelDir, 'model.json')), mtime(join(modelDir, 'weights.bin'))]);
  if (jsonTime === undefined) throw new Error(`no model at "${modelDir}" (model.json not found)`);
  if (onnxTime !== undefined && onnxTime >= jsonTime && onnxTime >= (binTime ?? 0)) return { path: own, exported: false };
  const hash = createHash('sha256');
  hash.update(await readFile(join(modelDir, 'model.json')));
  hash.update(await readFile(join(modelDir, 'weights.bin')));
  const dir = onnxCacheDir();
  const path = join(dir, `${hash.digest('hex').slice(0, 32)}.onnx`);
  if ((await mtime(path)) !== undefined) return { path, exported: false };
  await mkdir(dir, { recursive: true });
  await exportOnnx(modelDir, path);
  return { path, exported: true };
}
