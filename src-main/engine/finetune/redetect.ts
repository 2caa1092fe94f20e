import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { detectFiles, type DetectOptions } from '../detect';
import { readModelFiles } from '../onnx/model-files';
import type { RecordingRow, Store } from '../store';

export type RedetectOptions = Pick<DetectOptions, 'backend' | 'jobs' | 'threads' | 'onProgress' | 'log'>;

export interface RedetectSummary {
  modelId: number;
  detectionRunId: number;
  /** Recordings whose predictions were replaced. */
  detected: number;
  failed: { recordingId: number; relPath: string; message: string }[];
  /** Reviewed recordings, left alone. */
  skippedReviewed: number;
}

/**
 * Re-runs detection with `modelDir` on the project's unreviewed recordings and stores the results as one
 * detection run: each file's unverified predictions are replaced; human and verified events, and reviewed
 * recordings, are never touched. The model is registered when the database lacks it.
 */
export async function redetectUnreviewed(store: Store, projectId: number, modelDir: string, options: RedetectOptions = {}): Promise<RedetectSummary> {
  const dir = resolve(modelDir);
  const { manifest } = await readModelFiles(dir);
  const model = store.listModels().find((m) => resolve(m.dirPath) === dir) ?? store.addModel({ name: basename(dir), dirPath: dir, classes: manifest.classes });
  const all = store.listRecordings(projectId);
  const todo = all.filter((r) => r.status !== 'reviewed');
  const run = store.startDetectionRun(projectId, model.id);
  const failed: RedetectSummary['failed'] = [];
  let detected = 0;
  const byPath = new Map<string, RecordingRow>();
  for (const r of todo) {
    if (existsSync(r.absPath)) byPath.set(resolve(r.absPath), r);
    else {
      const message = `"${r.absPath}" does not exist`;
      store.recordDetectionFailure(run.id, r.id, message);
      failed.push({ recordingId: r.id, relPath: r.relPath, message });
    }
  }
  let status: 'completed' | 'failed' = 'failed';
  try {
    if (byPath.size > 0) {
      const summary = await detectFiles({
        ...options,
        inputs: [...byPath.keys()],
        modelDir: dir,
        force: true,
        onFile: (result) => {
          const recording = byPath.get(resolve(result.file.path));
          if (!recording) return;
          // The last frame may reach up to one hop past the end of the audio; the store rejects that.
          const end = recording.durationSeconds ?? Number.POSITIVE_INFINITY;
          const events = result.events.filter((e) => e.onset < end).map(({ label, onset, offset, confidence }) => ({ label, onset, offset: Math.min(offset, end), confidence }));
          store.recordDetection(run.id, recording.id, events);
          detected++;
        },
        onFailure: (failure) => {
          const recording = byPath.get(resolve(failure.file.path));
          if (!recording) return;
          store.recordDetectionFailure(run.id, recording.id, failure.message);
          failed.push({ recordingId: recording.id, relPath: recording.relPath, message: failure.message });
        },
      });
      for (const { file, message } of summary.sinkFailures) {
        const recording = byPath.get(resolve(file.path));
        if (recording) failed.push({ recordingId: recording.id, relPath: recording.relPath, message: `not stored in the database: ${message}` });
      }
    }
    status = 'completed';
  } finally {
    store.finishDetectionRun(run.id, status);
  }
  return { modelId: model.id, detectionRunId: run.id, detected, failed, skippedReviewed: all.length - todo.length };
}
