import type { ModelRow, RecordingRow, Store } from '../engine/store';
import type { Detector, DetectorFactory } from './detector';
import type { JobHandle } from './jobs';

export interface DetectionJobInput {
  store: Store;
  job: JobHandle;
  model: ModelRow;
  recordings: readonly RecordingRow[];
  factory: DetectorFactory;
  onBackend(name: string): void;
  /** Called after each file's events were written (or its failure recorded). */
  onRecording(recordingId: number): void;
}

/** Keeps events inside the file and drops degenerate ones (a detector bug must not poison the store). */
function clip(events: Awaited<ReturnType<Detector['detect']>>, duration: number | null) {
  const end = duration ?? Infinity;
  return events
    .map((e) => ({ label: e.label, onset: Math.max(0, e.onset), offset: Math.min(end, e.offset), confidence: e.confidence }))
    .filter((e) => Number.isFinite(e.onset) && Number.isFinite(e.offset) && e.onset < e.offset);
}

/**
 * Detects each recording in turn, recording results per file as they finish (a crash loses at most
 * the file in progress). A failing file is reported and the batch goes on; cancel stops between files.
 */
export async function runDetectionJob(input: DetectionJobInput): Promise<void> {
  const { store, job, model, recordings } = input;
  const total = recordings.length;
  let detector: Detector | null = null;
  let runId: number | null = null;
  try {
    job.progress(0, total, total > 0 ? 'loading model' : null);
    if (total === 0) {
      job.finish('done', 'nothing to detect: every selected recording has been detected already (use force to re-detect)');
      return;
    }
    detector = await input.factory(model);
    input.onBackend(detector.backend);
    runId = store.startDetectionRun(recordings[0].projectId, model.id).id;
    let done = 0;
    for (const recording of recordings) {
      if (job.signal.aborted) break;
      job.progress(done, total, recording.relPath);
      try {
        const events = await detector.detect(recording.absPath, job.signal, (message) => job.fileWarning(recording.id, recording.relPath, message));
        if (job.signal.aborted) break;
        store.recordDetection(runId, recording.id, clip(events, recording.durationSeconds));
      } catch (error) {
        if (job.signal.aborted) break;
        const message = (error as Error)?.message ?? String(error);
        store.recordDetectionFailure(runId, recording.id, message);
        job.fileError(recording.id, recording.relPath, message);
      }
      input.onRecording(recording.id);
      done++;
      job.progress(done, total, null);
    }
    const cancelled = job.signal.aborted;
    store.finishDetectionRun(runId, cancelled ? 'cancelled' : 'completed');
    runId = null;
    job.finish(cancelled ? 'cancelled' : 'done', cancelled ? `cancelled after ${done} of ${total} files` : null);
  } catch (error) {
    if (runId !== null) {
      try {
        store.finishDetectionRun(runId, 'failed');
      } catch {
        /* the store may be closing */
      }
    }
    job.finish('failed', (error as Error)?.message ?? String(error));
  } finally {
    await detector?.dispose().catch(() => undefined);
  }
}
