import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, extname, relative, resolve, sep } from 'node:path';

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

/**
 * Walks with byte paths, so a folder or file whose name is not UTF-8 is still found. Every entry with an
 * audio extension is kept whatever it is (dangling link, link loop, FIFO, device, undecodable name):
 * decoding then reports why it cannot be read, rather than the scan dropping it unseen.
 * Linked folders are followed, each real folder once.
 */
async function walk(root: string, dir: Buffer, out: InputFile[], visited: Set<string>): Promise<void> {
  const real = (await realpath(dir, { encoding: 'buffer' })).toString('latin1');
  if (visited.has(real)) return;
  visited.add(real);
  // Sorted, so that a folder reached by two paths is always named by the same one.
  const entries = (await readdir(dir, { withFileTypes: true, encoding: 'buffer' })).sort((a, b) => Buffer.compare(a.name, b.name));
  for (const entry of entries) {
    const name = entry.name.toString('utf8');
    if (name.startsWith('.')) continue;
    const full = Buffer.concat([dir, Buffer.from(sep), entry.name]);
    const s = await stat(full).catch(() => undefined);
    if (s?.isDirectory()) await walk(root, full, out, visited);
    else if (isAudio(name)) {
      const path = full.toString('utf8');
      out.push({ path, name: relative(root, path).split(sep).join('/'), root, size: s?.size ?? 0, mtimeMs: s?.mtimeMs ?? 0 });
    }
  }
}

/**
 * The audio files named by the arguments, in a deterministic order: arguments in the order given,
 * each folder's audio files (recursive, by extension, hidden entries skipped) sorted by relative path.
 * Entries that look like audio but cannot be read are included, for decoding to report.
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
      await walk(input, Buffer.from(input), found, new Set());
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

/** Reads a non-negative integer variable; undefined when unset. */
function envIndex(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text.trim())) throw new RangeError(`${name}="${text}" is not a non-negative integer`);
  return Number(text);
}

/**
 * The shard of this task from the scheduler's environment (`--shard auto`):
 * - a Slurm job array: task ID and count, relative to SLURM_ARRAY_TASK_MIN (and _STEP), so `--array=0-3`
 *   and `--array=1-4` both make shards 1..4 of 4;
 * - a Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based), with `shards` = the Job's completions.
 * With `shards` given, a Slurm task ID is read as a 0-based shard number too: that is how one task of a
 * `--array=0-(N-1)` job is resubmitted alone (`sbatch --array=2`, whose own count is 1).
 */
export function shardFromEnvironment(env: NodeJS.ProcessEnv, shards?: number): Shard {
  const check = (index: number, count: number, from: string): Shard => {
    if (index < 1 || index > count) throw new RangeError(`${from} gives shard ${index} of ${count}, outside 1..${count}`);
    return { index, count };
  };
  const taskId = envIndex(env, 'SLURM_ARRAY_TASK_ID');
  if (taskId !== undefined) {
    if (shards !== undefined) return check(taskId + 1, shards, `SLURM_ARRAY_TASK_ID=${taskId} with --shards ${shards}`);
    const count = envIndex(env, 'SLURM_ARRAY_TASK_COUNT');
    if (count === undefined) throw new RangeError('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; give --shards N');
    const min = envIndex(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
    const step = envIndex(env, 'SLURM_ARRAY_TASK_STEP') || 1;
    if ((taskId - min) % step !== 0) throw new RangeError(`SLURM_ARRAY_TASK_ID=${taskId} is not on the array's steps (min ${min}, step ${step}); give --shards N`);
    return check((taskId - min) / step + 1, count, `the Slurm array (task ${taskId}, min ${min}, count ${count})`);
  }
  const completion = envIndex(env, 'JOB_COMPLETION_INDEX');
  if (completion !== undefined) {
    if (shards === undefined) throw new RangeError('JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job): give --shards N, N = the Job\'s completions');
    return check(completion + 1, shards, `JOB_COMPLETION_INDEX=${completion} with --shards ${shards}`);
  }
  throw new RangeError(
    'auto needs a scheduler: run inside a Slurm job array (sbatch --array=0-3) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with --shards N); elsewhere give --shard I/N',
  );
}
