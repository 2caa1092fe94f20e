import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { AUDIO_EXTENSIONS } from '../engine/detect/files';

/** The extensions `detect` reads: the studio lists the same files. */
const AUDIO_EXTENSION_SET: ReadonlySet<string> = new Set(AUDIO_EXTENSIONS);

export function hasAudioExtension(file: string): boolean {
  return AUDIO_EXTENSION_SET.has(path.extname(file).toLowerCase());
}
const MAX_DEPTH = 16;
const MAX_FILES = 50_000;

export function isAudioFileName(name: string): boolean {
  return !name.startsWith('.') && hasAudioExtension(name);
}

/** Audio files under `root` (recursive, hidden folders skipped), sorted, as absolute paths. */
export async function findAudioFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    if (depth > MAX_DEPTH || found.length >= MAX_FILES) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, depth + 1);
      else if (entry.isFile() && isAudioFileName(entry.name) && found.length < MAX_FILES) found.push(full);
    }
  }
  await walk(root, 0);
  return found;
}

/** Runs `fn` over items with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

export function mimeTypeFor(file: string): string {
  switch (path.extname(file).toLowerCase()) {
    case '.wav':
    case '.wave':
      return 'audio/wav';
    case '.flac':
      return 'audio/flac';
    case '.mp3':
      return 'audio/mpeg';
    case '.ogg':
    case '.oga':
      return 'audio/ogg';
    default:
      return 'application/octet-stream';
  }
}
