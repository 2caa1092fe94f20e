import type { Worker } from 'node:worker_threads';
import type { FeatureConfig } from '../features/config';
import type { FeatureMatrix } from '../inference/types';
import { FileFailure, type FeatureProvider, type FileFeatures } from './feature-source';
import type { WorkerJob, WorkerReply } from './feature-worker';
import { emptyFeatureStats, type FileFeatureStats } from './file-features';
import type { InputFile } from './files';
import { startEngineWorker } from '../workers/entry';

interface Job {
  id: number;
  file: InputFile;
  chunks: FeatureMatrix[];
  ended: boolean;
  failure?: FileFailure;
  stats: FileFeatureStats;
  wake?: () => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

/**
 * Decoding and log-mel in `jobs` worker threads, so they run in parallel with inference on the
 * main thread. Files are handed out in the order start() is called; each worker holds one file
 * at a time, so at most `jobs` files are decoded ahead of the consumer.
 */
export class WorkerFeatureProvider implements FeatureProvider {
  readonly description: string;
  private slots: Slot[] = [];
  private pending: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly config: FeatureConfig, private readonly jobs: number, private readonly blockSeconds = 10) {
    if (!Number.isInteger(jobs) || jobs < 1) throw new RangeError(`worker count must be a positive integer, got ${jobs}`);
    this.description = `decoding in ${jobs} worker thread${jobs > 1 ? 's' : ''}`;
  }

  private spawn(): Slot {
    const worker = startEngineWorker('feature-worker');
    const slot: Slot = { worker };
    worker.on('message', (msg: WorkerReply) => this.onMessage(slot, msg));
    const crash = (why: string) => {
      const job = slot.job;
      slot.job = undefined;
      this.slots = this.slots.filter((s) => s !== slot);
      if (job) this.finish(job, new FileFailure(job.file.path, 'error', `"${job.file.path}": feature worker ${why}`));
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (error) => crash(`crashed: ${error.message}`));
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) crash(`exited with code ${code}`);
    });
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private onMessage(slot: Slot, msg: WorkerReply): void {
    const job = slot.job;
    if (msg.type === 'ready' || !job || msg.id !== job.id) return;
    if (msg.type === 'chunk') {
      job.chunks.push({ data: msg.data, frames: msg.frames, bands: msg.bands });
      job.wake?.();
      return;
    }
    slot.job = undefined;
    if (msg.type === 'end') {
      job.stats = msg.stats;
      this.finish(job);
    } else {
      this.finish(job, new FileFailure(job.file.path, msg.reason, msg.message));
    }
    this.dispatch();
  }

  private finish(job: Job, failure?: FileFailure): void {
    job.ended = true;
    job.failure = failure;
    job.wake?.();
  }

  private dispatch(): void {
    while (this.pending.length > 0) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.jobs) slot = this.spawn();
      if (!slot) return;
      const job = this.pending.shift()!;
      slot.job = job;
      slot.worker.ref();
      const message: WorkerJob = { type: 'job', id: job.id, path: job.file.path, features: this.config, blockSeconds: this.blockSeconds };
      slot.worker.postMessage(message);
    }
    // Idle workers must not keep the process alive.
    for (const s of this.slots) if (!s.job) s.worker.unref();
  }

  start(file: InputFile): FileFeatures {
    if (this.closed) throw new Error('feature provider is closed');
    const job: Job = { id: this.nextId++, file, chunks: [], ended: false, stats: emptyFeatureStats() };
    this.pending.push(job);
    this.dispatch();
    return {
      chunks: (async function* () {
        for (;;) {
          if (job.chunks.length > 0) {
            yield job.chunks.shift()!;
            continue;
          }
          if (job.ended) {
            if (job.failure) throw job.failure;
            return;
          }
          await new Promise<void>((wake) => (job.wake = wake));
          job.wake = undefined;
        }
      })(),
      stats: () => job.stats,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
