import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { AudioDecodeError } from './errors';
import { computePeaks } from './peaks';

/** What the peaks worker is started with. */
export interface PeaksWorkerData {
  file: string;
  peaksPerSecond: number;
}

/** Worker -> main: the whole file's peaks (buffers transferred), or why they could not be read. */
export type PeaksWorkerReply =
  | { type: 'done'; min: Float32Array; max: Float32Array; duration: number }
  | { type: 'error'; reason: string; detail: string };

/**
 * The whole-file pass is background work: on a machine with few cores it must not take CPU from the page
 * that draws the file. On Linux a priority set with pid 0 applies to the calling thread only (elsewhere
 * it would lower the whole process), so only there is this worker lowered.
 */
const BACKGROUND_NICE = 10;

const port = parentPort;
if (port) {
  const { file, peaksPerSecond } = workerData as PeaksWorkerData;
  if (process.platform === 'linux') {
    try {
      setPriority(BACKGROUND_NICE);
    } catch {
      // Not allowed here (some containers): the pass runs at normal priority.
    }
  }
  try {
    const peaks = await computePeaks(file, peaksPerSecond);
    port.postMessage({ type: 'done', min: peaks.min, max: peaks.max, duration: peaks.duration } satisfies PeaksWorkerReply, [
      peaks.min.buffer as ArrayBuffer,
      peaks.max.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    // The main side rebuilds the AudioDecodeError, which adds the file name again.
    const detail = message.replace(`cannot decode "${file}": `, '');
    port.postMessage({ type: 'error', reason: error instanceof AudioDecodeError ? error.reason : 'corrupt', detail } satisfies PeaksWorkerReply);
  }
}
