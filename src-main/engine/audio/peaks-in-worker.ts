import { startEngineWorker } from '../workers/entry';
import { AudioDecodeError, type AudioDecodeFailure } from './errors';
import type { PeakArrays } from './peaks';
import type { PeaksWorkerData, PeaksWorkerReply } from './peaks-worker';

/**
 * The whole file's peaks computed in a worker thread, so a long file's full pass (tens of seconds
 * of decoding) never holds up the caller's event loop between the requests it serves.
 */
export function computePeaksInWorker(file: string, peaksPerSecond: number): Promise<PeakArrays & { duration: number }> {
  return new Promise((resolve, reject) => {
    const worker = startEngineWorker('peaks-worker', { file, peaksPerSecond } satisfies PeaksWorkerData);
    let settled = false;
    worker.once('message', (reply: PeaksWorkerReply) => {
      settled = true;
      if (reply.type === 'done') resolve({ peaksPerSecond, start: 0, min: reply.min, max: reply.max, duration: reply.duration });
      else reject(new AudioDecodeError(file, reply.reason as AudioDecodeFailure, reply.detail));
      void worker.terminate();
    });
    worker.once('error', (error) => {
      if (!settled) reject(error);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`peaks worker for "${file}" exited with code ${code}`));
      settled = true;
    });
  });
}
