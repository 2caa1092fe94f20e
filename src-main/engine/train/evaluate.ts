import { frameDuration } from '../features/config';
import { loadModel } from '../model/io';
import { loadSplit, type FeatureExtractor, type SplitName } from './dataset';
import { windowFrames } from '../inference/windowed';
import { predictFiles, scoreProbabilities, type ScoringProtocol, type Scores } from './validate';

/**
 * Scores a saved model on one split of an `earmark mix` folder with its stored post-processing and the
 * DCASE 2017 Task 2 preset (class-wise average ER and F). Used once on the test split after training.
 */
export async function evaluateModelOnSplit(
  modelDir: string,
  dataDir: string,
  split: SplitName,
  options: { extract?: FeatureExtractor; protocols?: ScoringProtocol[] } = {},
): Promise<Record<ScoringProtocol, Scores> & { files: number }> {
  const model = await loadModel(modelDir);
  const { manifest, weights } = model;
  try {
    const data = await loadSplit(dataDir, split, manifest.classes, manifest.features, { extract: options.extract });
    const perFile = await predictFiles(weights, manifest, data.files, manifest.classes.length, manifest.normalization, 8, windowFrames(manifest.inference, frameDuration(manifest.features)));
    const score = (p: ScoringProtocol) => scoreProbabilities(perFile, data.reference, manifest.classes, manifest.postprocess, frameDuration(manifest.features), p);
    return { 'per-class-mixtures': score('per-class-mixtures'), 'all-files': score('all-files'), files: data.files.length };
  } finally {
    for (const t of weights.values()) t.dispose();
  }
}
