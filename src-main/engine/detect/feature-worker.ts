import { parentPort } from 'node:worker_threads';
import { AudioDecodeError } from '../audio/errors';
import type { FeatureConfig } from '../features/config';
import { fileFeatureChunks, type FileFeatureStats } from './file-features';

/** Main -> worker. */
export interface WorkerJob {
  type: 'job';
  id: number;
  path: string;
  features: FeatureConfig;
  blockSeconds: number;
}

/** Worker -> main. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'chunk'; id: number; data: Float32Array; frames: number; bands: number }
  | { type: 'end'; id: number; stats: FileFeatureStats }
  | { type: 'error'; id: number; reason: string; message: string };

const port = parentPort;
if (port) {
  port.on('message', async (job: WorkerJob) => {
    try {
      const gen = fileFeatureChunks(job.path, job.features, job.blockSeconds);
      for (;;) {
        const next = await gen.next();
        if (next.done) {
          port.postMessage({ type: 'end', id: job.id, stats: next.value } satisfies WorkerReply);
          break;
        }
        const { data, frames, bands } = next.value;
        // Own buffer, transferred rather than copied.
        const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
        port.postMessage({ type: 'chunk', id: job.id, data: own, frames, bands } satisfies WorkerReply, [own.buffer as ArrayBuffer]);
      }
    } catch (error) {
      const reason = error instanceof AudioDecodeError ? error.reason : 'error';
      const message = error instanceof AudioDecodeError ? error.message : `"${job.path}": ${(error as Error)?.message ?? String(error)}`;
      port.postMessage({ type: 'error', id: job.id, reason, message } satisfies WorkerReply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}
