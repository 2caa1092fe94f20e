import { stat } from 'node:fs/promises';
import path from 'node:path';
import { WorkerFeatureProvider } from '../engine/detect';
import { createFrameScorer } from '../engine/inference';
import { detectionPostprocess, probabilitiesToEvents } from '../engine/postprocess';
import type { DetectorFactory } from './detector';

/**
 * The engine's detector behind the service's per-file Detector: decoding and log-mel run in a
 * worker thread (the detect module's pool), the network on the fastest backend available,
 * then the model's own post-processing.
 */
export const engineDetectorFactory: DetectorFactory = async (model) => {
  const scorer = await createFrameScorer(model.dirPath, { backend: 'auto', threads: 1 });
  const provider = new WorkerFeatureProvider(scorer.manifest.features, 1);
  const post = detectionPostprocess(scorer.manifest.postprocess);
  return {
    backend: scorer.description,
    async detect(file, signal, onWarning) {
      if (signal.aborted) return [];
      const info = await stat(file);
      const features = provider.start({ path: file, name: path.basename(file), root: path.dirname(file), size: info.size, mtimeMs: info.mtimeMs });
      const { probs, frames } = await scorer.scoreStream(features.chunks);
      for (const warning of features.stats().warnings) onWarning?.(warning);
      return probabilitiesToEvents(probs, frames, scorer.classes, post, scorer.frameSeconds, path.basename(file), features.stats().durationSeconds).map((e) => ({
        label: e.label,
        onset: e.onset,
        offset: e.offset,
        confidence: e.confidence ?? null,
      }));
    },
    async dispose() {
      await provider.close();
      await scorer.dispose();
    },
  };
};
