import { createHash } from 'node:crypto';
import { hashFile } from '../engine/store';

/**
 * A stand-in content hash for a file listed before it is hashed (hashing an hour of FLAC takes
 * about a second): fixed by the file's path, size and modification time, never a real file's sha256.
 */
export function placeholderHash(absPath: string, size: number, mtimeMs: number): string {
  return createHash('sha256').update(`earmark placeholder hash\0${absPath}\0${size}\0${mtimeMs}`).digest('hex');
}

interface HashJob {
  file: string;
  done: (contentHash: string) => void;
}

/**
 * Hashes files one at a time, in the order added, behind whatever the user asked for: a batch
 * starts `startDelayMs` after its first file is added, so that opening a folder draws its first
 * file before an hour of FLAC is read for its sha256 (the two would share the CPU and the disk).
 */
export class BackgroundHasher {
  private readonly queue: HashJob[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly onError: (file: string, error: unknown) => void,
    private readonly startDelayMs = 0,
  ) {}

  add(file: string, done: (contentHash: string) => void): void {
    if (this.stopped) return;
    this.queue.push({ file, done });
    this.running ??= this.delay()
      .then(() => this.drain())
      .finally(() => (this.running = null));
  }

  /** Resolves once every file added so far is hashed (or failed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Drops what is queued; the file being hashed finishes without reporting. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    this.wake?.();
    await this.running;
  }

  private delay(): Promise<void> {
    if (this.startDelayMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), this.startDelayMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  private async drain(): Promise<void> {
    for (let job = this.queue.shift(); job; job = this.queue.shift()) {
      try {
        const contentHash = await hashFile(job.file);
        if (!this.stopped) job.done(contentHash);
      } catch (error) {
        if (!this.stopped) this.onError(job.file, error);
      }
    }
  }
}
