import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SoundEvent } from '../annotations/types';
import type { PostprocessConfig } from '../model/manifest';
import type { InputFile, Shard } from './files';

/** What a finished file left behind: enough to write the output again without re-running it. */
export interface DoneFile {
  name: string;
  size: number;
  mtimeMs: number;
  durationSeconds: number;
  events: SoundEvent[];
}

/**
 * What made a run's results: the model (by content, with the folder it was read from) and every setting
 * that changes events. `earmark merge` compares it across parts; a re-run with another one starts over.
 */
export interface DetectProvenance {
  model: { dir: string; sha256: string };
  settings: { postprocess: PostprocessConfig; windowSeconds: number };
  /** The shard this output holds; absent for a whole batch. */
  shard?: Shard;
}

/** The state file as written (version 1; `model`, `settings` and `shard` were added later and are absent in old files). */
export interface DetectStateFile extends Partial<DetectProvenance> {
  format: 'earmark-detect-state';
  version: 1;
  /** Hash of model and settings; a different one invalidates every entry. */
  fingerprint: string;
  /** By absolute path. */
  files: Record<string, DoneFile>;
}

/** The model file hash plus the settings: what decides whether stored results are still valid. */
export function provenanceFingerprint(p: Pick<DetectProvenance, 'model' | 'settings'>): string {
  return createHash('sha256').update(p.model.sha256).update(JSON.stringify(p.settings)).digest('hex').slice(0, 32);
}

export const shardText = (shard: Shard | undefined): string => (shard && shard.count > 1 ? `shard ${shard.index}/${shard.count}` : 'all files');

/** Reads a state file; throws with the reason when it is missing or not one. */
export async function readStateFile(path: string): Promise<DetectStateFile> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as DetectStateFile;
  if (parsed?.format !== 'earmark-detect-state' || parsed.version !== 1) throw new Error(`${path}: not an earmark detect state file`);
  return parsed;
}

/**
 * Sidecar `OUT.state.json` remembering which files are done (by absolute path, size and mtime) and
 * their events, so a re-run skips them and still writes a complete output.
 */
export class DetectState {
  /** Starts dirty so that even a batch with nothing to run (an empty shard) leaves its provenance for `earmark merge`. */
  private dirty = true;
  private lastSave = 0;
  readonly fingerprint: string;

  private constructor(
    readonly path: string,
    readonly provenance: DetectProvenance,
    private readonly files: Record<string, DoneFile>,
    /** Why earlier results were discarded, if they were. */
    readonly discarded?: string,
    /** The shard (shardText) the file was last written for, when it holds results. */
    readonly previousShard?: string,
  ) {
    this.fingerprint = provenanceFingerprint(provenance);
  }

  static async open(path: string, provenance: DetectProvenance): Promise<DetectState> {
    let parsed: DetectStateFile;
    try {
      parsed = await readStateFile(path);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      return new DetectState(path, provenance, {}, missing ? undefined : 'state file unreadable or of an unknown format');
    }
    if (parsed.fingerprint !== provenanceFingerprint(provenance)) return new DetectState(path, provenance, {}, 'the model or post-processing changed');
    const files = parsed.files ?? {};
    return new DetectState(path, provenance, files, undefined, Object.keys(files).length > 0 ? shardText(parsed.shard) : undefined);
  }

  /** The stored result of a file, if it is unchanged since. */
  done(file: InputFile): DoneFile | undefined {
    const entry = this.files[resolve(file.path)];
    if (!entry || entry.size !== file.size || entry.mtimeMs !== file.mtimeMs) return undefined;
    return { ...entry, name: file.name };
  }

  record(file: InputFile, durationSeconds: number, events: SoundEvent[]): void {
    this.files[resolve(file.path)] = { name: file.name, size: file.size, mtimeMs: file.mtimeMs, durationSeconds, events };
    this.dirty = true;
  }

  /** Writes at most every `minIntervalMs` unless forced (rewriting a big state after every file would be quadratic). */
  async save(force = false, minIntervalMs = 2000): Promise<void> {
    if (!this.dirty || (!force && Date.now() - this.lastSave < minIntervalMs)) return;
    const state: DetectStateFile = { format: 'earmark-detect-state', version: 1, fingerprint: this.fingerprint, ...this.provenance, files: this.files };
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(state));
    await rename(tmp, this.path);
    this.dirty = false;
    this.lastSave = Date.now();
  }
}
