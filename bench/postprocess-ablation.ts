import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { frameDuration } from '../src-main/engine/features/config';
import { selectBackend } from '../src-main/engine/model/backend';
import { loadModel } from '../src-main/engine/model/io';
import type { PostprocessConfig } from '../src-main/engine/model/manifest';
import type { TuneOptions } from '../src-main/engine/postprocess';
import { loadSplit, type SplitName } from '../src-main/engine/train/dataset';
import { FINAL_SEARCH, MEDIAN_GRID, MERGE_GAPS } from '../src-main/engine/train/trainer';
import { windowFrames } from '../src-main/engine/inference/windowed';
import { predictFiles, scoreProbabilities, tunePostprocess } from '../src-main/engine/train/validate';
import { ACCURACY_CORPUS, ACCURACY_MODEL, makeTask2Mix } from './accuracy';
import type { BenchRow, BenchSection } from './lib';

/** Each post-processing step, added one at a time; every variant is tuned on validation and scored once on test. */
const STEPS: [string, Omit<TuneOptions, 'thresholds'>][] = [
  ['thresholds only (median 11, merge gap 1 s)', {}],
  ['+ median filter length', { medianFilterFrames: MEDIAN_GRID }],
  ['+ per class', { medianFilterFrames: MEDIAN_GRID, perClassMedian: true }],
  ['+ merge gap per class', { medianFilterFrames: MEDIAN_GRID, perClassMedian: true, mergeGaps: MERGE_GAPS }],
  ['+ hysteresis per class', { medianFilterFrames: MEDIAN_GRID, perClassMedian: true, mergeGaps: MERGE_GAPS, releases: [1, 0.5] }],
  ['+ onset correction per class (the shipped search)', FINAL_SEARCH],
];

/**
 * Post-processing ablation of the bundled model: frame probabilities of the validation and the test mixtures
 * (Task 2, 30 s) computed once, then each search variant tuned on validation and scored on test (Task 2
 * protocol, every event kept).
 */
export const postprocessAblationSection: BenchSection = {
  name: 'postprocess-ablation',
  async run() {
    if (!existsSync(join(ACCURACY_MODEL, 'model.json'))) return { skipped: `no model at ${ACCURACY_MODEL}` };
    if (!existsSync(join(ACCURACY_CORPUS, 'events'))) return { skipped: `corpus not found at ${ACCURACY_CORPUS} (set EARMARK_CORPUS)` };
    await selectBackend(undefined, () => {});
    const mixDir = await makeTask2Mix(['validation', 'test']);
    const { manifest, weights } = await loadModel(ACCURACY_MODEL);
    const frameSeconds = frameDuration(manifest.features);
    const probabilities = async (split: SplitName) => {
      const data = await loadSplit(mixDir, split, manifest.classes, manifest.features);
      const perFile = await predictFiles(weights, manifest, data.files, manifest.classes.length, manifest.normalization, 8, windowFrames(manifest.inference, frameSeconds));
      return { perFile, reference: data.reference };
    };
    const validation = await probabilities('validation');
    const test = await probabilities('test');
    const base: PostprocessConfig = { medianFilterFrames: 11, minEventSeconds: 0.1, mergeGapSeconds: 1, oneEventPerFile: false, thresholds: {} };
    const rows: BenchRow[] = [];
    for (const [name, search] of STEPS) {
      const tuned = tunePostprocess(validation.perFile, validation.reference, manifest.classes, base, frameSeconds, search);
      const scores = scoreProbabilities(test.perFile, test.reference, manifest.classes, tuned, frameSeconds);
      rows.push({ section: 'postprocess-ablation', metric: `${name}: test ER`, value: scores.errorRate, unit: '', notes: `F ${(100 * scores.fMeasure).toFixed(1)} %; ${Object.entries(scores.classWise).map(([c, s]) => `${c} ${s.errorRate.toFixed(2)}`).join(', ')}` });
    }
    for (const t of weights.values()) t.dispose();
    return rows;
  },
};
