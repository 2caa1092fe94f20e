import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';

export const AUDIO_EXTENSIONS: readonly string[] = ['.wav', '.wave', '.flac', '.mp3', '.ogg', '.oga'];

export interface InputFile {
  /** Path to open. */
  path: string;
  /** Name in the output: relative to the folder argument ('/' separators), or the file argument as given. */
  name: string;
  /** The folder it was found under (for a file argument: its own folder). */
  root: string;
  size: number;
  mtimeMs: number;
}

export class InputPathError extends Error {
  override name = 'InputPathError';
}

const isAudio = (file: string) => AUDIO_EXTENSIONS.includes(extname(file).toLowerCase());

/** Code-unit order: the same on every machine and locale. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function walk(root: string, dir: string, out: InputFile[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, full, out);
    else if ((entry.isFile() || entry.isSymbolicLink()) && isAudio(entry.name)) {
      const s = await stat(full).catch(() => undefined);
      if (!s?.isFile()) continue;
      out.push({ path: full, name: relative(root, full).split(sep).join('/'), root, size: s.size, mtimeMs: s.mtimeMs });
    }
  }
}

/**
 * The audio files named by the arguments, in a deterministic order: arguments in the order given,
 * each folder's audio files (recursive, by extension, hidden entries skipped) sorted by relative path.
 * A file argument is taken whatever its extension. A path met twice is kept once.
 */
export async function collectAudioFiles(inputs: readonly string[]): Promise<InputFile[]> {
  const result: InputFile[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const s = await stat(input).catch(() => undefined);
    if (!s) throw new InputPathError(`"${input}" does not exist`);
    let found: InputFile[];
    if (s.isDirectory()) {
      found = [];
      await walk(input, input, found);
      found.sort((a, b) => byName(a.name, b.name));
    } else {
      found = [{ path: input, name: input, root: dirname(input), size: s.size, mtimeMs: s.mtimeMs }];
    }
    for (const f of found) {
      const key = resolve(f.path);
      if (seen.has(key)) continue;
      seen.add(key);
      result.push(f);
    }
  }
  return result;
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Parses "I/N" (1 <= I <= N). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new RangeError(`shard must look like I/N (e.g. 2/4), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new RangeError(`shard ${text}: need 1 <= I <= N`);
  return { index, count };
}

/** FNV-1a, 32 bit, over UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Which shard (1-based) a file belongs to: by a hash of its output name, so adding files never moves others. */
export function shardOf(name: string, count: number): number {
  return (fnv1a(name) % count) + 1;
}

export function selectShard<T extends { name: string }>(files: readonly T[], shard: Shard | undefined): T[] {
  if (!shard || shard.count === 1) return [...files];
  return files.filter((f) => shardOf(f.name, shard.count) === shard.index);
}
