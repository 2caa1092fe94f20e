import { readFile, rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SoundEvent } from '../annotations/types';
import type { InputFile } from './files';

/** What a finished file left behind: enough to write the output again without re-running it. */
export interface DoneFile {
  name: string;
  size: number;
  mtimeMs: number;
  durationSeconds: number;
  events: SoundEvent[];
}

interface StateFile {
  format: 'earmark-detect-state';
  version: 1;
  /** Model weights + post-processing fingerprint; a different one invalidates every entry. */
  fingerprint: string;
  /** By absolute path. */
  files: Record<string, DoneFile>;
}

/**
 * Sidecar `OUT.state.json` remembering which files are done (by absolute path, size and mtime) and
 * their events, so a re-run skips them and still writes a complete output.
 */
export class DetectState {
  private dirty = false;
  private lastSave = 0;

  private constructor(
    readonly path: string,
    readonly fingerprint: string,
    private readonly files: Record<string, DoneFile>,
    /** Why earlier results were discarded, if they were. */
    readonly discarded?: string,
  ) {}

  static async open(path: string, fingerprint: string): Promise<DetectState> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return new DetectState(path, fingerprint, {});
    }
    try {
      const parsed = JSON.parse(text) as StateFile;
      if (parsed.format !== 'earmark-detect-state' || parsed.version !== 1) return new DetectState(path, fingerprint, {}, 'unknown state file format');
      if (parsed.fingerprint !== fingerprint) return new DetectState(path, fingerprint, {}, 'the model or post-processing changed');
      return new DetectState(path, fingerprint, parsed.files ?? {});
    } catch {
      return new DetectState(path, fingerprint, {}, 'state file unreadable');
    }
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
    const state: StateFile = { format: 'earmark-detect-state', version: 1, fingerprint: this.fingerprint, files: this.files };
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(state));
    await rename(tmp, this.path);
    this.dirty = false;
    this.lastSave = Date.now();
  }
}
