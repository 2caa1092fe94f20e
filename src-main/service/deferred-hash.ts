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

/** Hashes files one at a time, in the order added, behind whatever the user asked for. */
export class BackgroundHasher {
  private readonly queue: HashJob[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly onError: (file: string, error: unknown) => void) {}

  add(file: string, done: (contentHash: string) => void): void {
    if (this.stopped) return;
    this.queue.push({ file, done });
    this.running ??= this.drain().finally(() => (this.running = null));
  }

  /** Resolves once every file added so far is hashed (or failed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Drops what is queued; the file being hashed finishes without reporting. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await this.running;
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
