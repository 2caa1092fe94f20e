import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import {
  eventsByFile,
  guessAnnotationFormat,
  PER_FILE_FORMATS,
  readAnnotationFile,
  writeAnnotationFile,
  type AnnotationFormat,
  type AnnotationSet,
} from '../annotations';
import { readStateFile, shardText, type DetectProvenance, type DoneFile } from '../detect/state';

/** Audacity and Raven hold one recording per file: an output of those is a folder of NAME + suffix files. */
const PER_FILE_SUFFIX: Partial<Record<AnnotationFormat, string>> = { audacity: '.txt', raven: '.selections.txt' };
const FOLDER_STATE_NAME = '.earmark-detect.state.json';

/** Refused parts: different models or settings, a recording in two parts, a part without its state file. */
export class MergeError extends Error {
  override name = 'MergeError';
}

export const isPerFileFormat = (format: AnnotationFormat) => PER_FILE_FORMATS.includes(format);

/** Where `earmark detect --out OUT` keeps its state: beside a file, inside a per-recording folder. */
export function detectStatePath(out: string, format: AnnotationFormat): string {
  return isPerFileFormat(format) ? join(out, FOLDER_STATE_NAME) : `${out}.state.json`;
}

/** Writes one file per recording into `outDir` (the per-file formats), named by the recording's output name. */
export async function writePerFileFolder(outDir: string, set: AnnotationSet, format: AnnotationFormat): Promise<void> {
  for (const [name, events] of eventsByFile(set)) {
    const path = join(outDir, name.replace(/^(\.\.\/)+|^\//, '') + PER_FILE_SUFFIX[format]);
    await mkdir(dirname(path), { recursive: true });
    await writeAnnotationFile(path, { files: [name], events }, format);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

async function readPerFileFolder(dir: string, format: AnnotationFormat): Promise<AnnotationSet> {
  const suffix = PER_FILE_SUFFIX[format]!;
  const sets: AnnotationSet[] = [];
  for (const path of (await listFiles(dir)).filter((p) => p.endsWith(suffix))) {
    const name = relative(dir, path).split(sep).join('/').slice(0, -suffix.length);
    sets.push(await readAnnotationFile(path, format, { filename: name }));
  }
  return { files: sets.flatMap((s) => s.files), events: sets.flatMap((s) => s.events) };
}

/** A part's format: a folder is a per-recording one (Raven by its file names, else Audacity); a file by extension and content. */
export async function guessPartFormat(path: string): Promise<AnnotationFormat> {
  if ((await stat(path)).isDirectory()) return (await listFiles(path)).some((p) => p.endsWith(PER_FILE_SUFFIX.raven!)) ? 'raven' : 'audacity';
  return guessAnnotationFormat(path, await readFile(path, 'utf8'));
}

export interface MergePart {
  path: string;
  set: AnnotationSet;
  provenance: DetectProvenance;
  /** The state file's entries, by recording name. */
  done: Map<string, DoneFile>;
}

/** Reads a detect output and the provenance its state file records. */
export async function readPart(path: string, format: AnnotationFormat): Promise<MergePart> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new MergeError(`${path}: no such part`);
  const folder = info.isDirectory();
  if (folder !== isPerFileFormat(format)) {
    throw new MergeError(`${path}: ${folder ? 'a folder' : 'not a folder'}, but --format ${format} parts are ${isPerFileFormat(format) ? 'folders (one file per recording)' : 'files'}`);
  }
  const statePath = detectStatePath(path, format);
  const state = await readStateFile(statePath).catch((error: Error) => {
    throw new MergeError(`${path}: no usable detect state file ${statePath} (${error.message.replace(`${statePath}: `, '')}); it records the model and settings that merge compares`);
  });
  if (!state.model || !state.settings) throw new MergeError(`${statePath} was written by an older earmark without the model and settings; run that detect again to record them`);
  const set = folder ? await readPerFileFolder(path, format) : await readAnnotationFile(path, format);
  return {
    path,
    set,
    provenance: { model: state.model, settings: state.settings, ...(state.shard ? { shard: state.shard } : {}) },
    done: new Map(Object.values(state.files ?? {}).map((f) => [f.name, f])),
  };
}

function checkSameProvenance(first: MergePart, part: MergePart): void {
  const [a, b] = [first.provenance, part.provenance];
  if (a.model.sha256 !== b.model.sha256) {
    throw new MergeError(
      `${part.path} was made with another model than ${first.path}: ${b.model.dir} (sha256 ${b.model.sha256.slice(0, 12)}) vs ${a.model.dir} (sha256 ${a.model.sha256.slice(0, 12)})`,
    );
  }
  for (const key of Object.keys(a.settings) as (keyof DetectProvenance['settings'])[]) {
    const [x, y] = [JSON.stringify(a.settings[key]), JSON.stringify(b.settings[key])];
    if (x !== y) throw new MergeError(`${part.path} was made with other settings than ${first.path}: ${key} ${y} vs ${x}`);
  }
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface MergeResult {
  set: AnnotationSet;
  /** Shards of the split that no part holds, e.g. "shard 3/4". */
  missingShards: string[];
}

/**
 * One annotation set from the parts of one sharded batch, recordings sorted by name (as `earmark detect`
 * orders one folder). Refuses parts of different models or settings, of different splits, and a
 * recording present in two parts.
 */
export function mergeParts(parts: readonly MergePart[]): MergeResult {
  if (parts.length === 0) throw new MergeError('no parts to merge');
  const owner = new Map<string, string>();
  const shardOwner = new Map<number, string>();
  const counts = new Set(parts.map((p) => p.provenance.shard?.count ?? 1));
  if (counts.size > 1) throw new MergeError(`the parts come from different splits: ${parts.map((p) => `${p.path} (${shardText(p.provenance.shard)})`).join(', ')}`);
  const groups = new Map<string, AnnotationSet['events']>();
  for (const part of parts) {
    checkSameProvenance(parts[0], part);
    const shard = part.provenance.shard;
    if (shard) {
      const other = shardOwner.get(shard.index);
      if (other) throw new MergeError(`${other} and ${part.path} both hold ${shardText(shard)}`);
      shardOwner.set(shard.index, part.path);
    }
    for (const [name, events] of eventsByFile(part.set)) {
      const other = owner.get(name);
      if (other) throw new MergeError(`recording "${name}" is in two parts: ${other} and ${part.path}`);
      owner.set(name, part.path);
      groups.set(name, events);
    }
  }
  const count = [...counts][0];
  const missingShards = count > 1 ? Array.from({ length: count }, (_, i) => i + 1).filter((i) => !shardOwner.has(i)).map((i) => shardText({ index: i, count })) : [];
  const files = [...groups.keys()].sort(byName);
  return { set: { files, events: files.flatMap((f) => groups.get(f)!) }, missingShards };
}
