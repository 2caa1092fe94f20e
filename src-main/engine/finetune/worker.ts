import { parentPort, workerData } from 'node:worker_threads';
import { FinetuneDataError } from './errors';
import { runFinetune, type FinetuneOptions, type FinetuneProgress, type FinetuneResult } from './run';

/** Options that cross the thread boundary (no functions, no signal). */
export type FinetuneWorkerOptions = Omit<FinetuneOptions, 'signal' | 'onProgress' | 'extract'>;

export type WorkerRequest = { type: 'cancel' };
export type WorkerMessage =
  | { type: 'progress'; progress: FinetuneProgress }
  | { type: 'done'; result: FinetuneResult }
  | { type: 'error'; error: { name: string; message: string; missing?: string[] } };

// Runs one fine-tuning in this worker thread, posting progress; a 'cancel' message aborts it.
if (parentPort) {
  const port = parentPort;
  const controller = new AbortController();
  port.on('message', (msg: WorkerRequest) => {
    if (msg?.type === 'cancel') controller.abort();
  });
  const options = (workerData as { options: FinetuneWorkerOptions }).options;
  const post = (msg: WorkerMessage) => port.postMessage(msg);
  try {
    const result = await runFinetune({ ...options, signal: controller.signal, onProgress: (progress) => post({ type: 'progress', progress }) });
    post({ type: 'done', result });
  } catch (error) {
    const e = error as Error;
    post({ type: 'error', error: { name: e.name, message: e.message, missing: error instanceof FinetuneDataError ? error.missing : undefined } });
  }
  port.close();
}
