import { startEngineWorker } from '../workers/entry';
import { FinetuneDataError } from './errors';
import type { FinetuneProgress, FinetuneResult } from './run';
import type { FinetuneWorkerOptions, WorkerMessage, WorkerRequest } from './worker';

export interface StartFinetuneWorkerOptions extends FinetuneWorkerOptions {
  /** Aborting cancels the run: the worker stops between batches, the previous model stays active. */
  signal?: AbortSignal;
  onProgress?: (progress: FinetuneProgress) => void;
}

/**
 * Runs runFinetune in a worker thread, so the caller's event loop (the app's main process) stays free.
 * Resolves with the run's result (also for a cancelled run); rejects with FinetuneDataError or an Error
 * carrying the worker's message.
 */
export function startFinetuneWorker(options: StartFinetuneWorkerOptions): Promise<FinetuneResult> {
  const { signal, onProgress, ...plain } = options;
  return new Promise((resolvePromise, reject) => {
    const worker = startEngineWorker('finetune-worker', { options: plain });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', cancel);
      fn();
    };
    const cancel = () => worker.postMessage({ type: 'cancel' } satisfies WorkerRequest);
    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'progress') onProgress?.(msg.progress);
      else if (msg.type === 'done') settle(() => resolvePromise(msg.result));
      else {
        const { name, message, missing } = msg.error;
        settle(() => reject(missing ? new FinetuneDataError(missing) : Object.assign(new Error(message), { name })));
      }
    });
    worker.on('error', (error) => settle(() => reject(new Error(`fine-tuning worker crashed: ${error.message}`))));
    worker.on('exit', (code) => settle(() => reject(new Error(`fine-tuning worker exited (code ${code}) without a result`))));
  });
}
