import type { CrnnWeights } from '../model/crnn';
import type { ModelNetworks } from '../model/ensemble';
import type { BandNormalization, PostprocessConfig } from '../model/manifest';
import type { FeatureConfig } from '../features/config';
import type { WindowFrames } from '../inference/windowed';
import { loadSplit, TrainingDataError, type FeatureExtractor, type SplitData } from './dataset';
import { predictFiles, scoreProbabilities, tunePostprocess, type Scores } from './validate';
import { FINAL_SEARCH } from './search-grids';

export interface FinalTuningInput {
  weights: CrnnWeights;
  networks: ModelNetworks;
  classes: string[];
  features: FeatureConfig;
  normalization: BandNormalization;
  windows: WindowFrames;
  frameSeconds: number;
  validation: SplitData;
  /** Event-free recordings whose false alarms per class and hour the post-processing must keep within perHour. */
  ambience?: { dir: string; perHour: number };
  basePostprocess: PostprocessConfig;
  extract?: FeatureExtractor;
  log?: (line: string) => void;
}

export interface FinalTuning {
  postprocess: PostprocessConfig;
  validation: Scores;
  /** Validation scores as stored in the manifest (`training.scores`): class average and per class. */
  scoreFields: Record<string, number>;
}

/** The shipped post-processing of a finished model: FINAL_SEARCH on validation (and the false-alarm budget on ambience). */
export async function tuneFinalPostprocess(input: FinalTuningInput): Promise<FinalTuning> {
  const { weights, networks, classes, normalization, windows, frameSeconds, validation: data } = input;
  const perFile = await predictFiles(weights, networks, data.files, classes.length, normalization, 8, windows);
  const quiet = input.ambience && (await loadSplit(input.ambience.dir, 'validation', classes, input.features, { extract: input.extract, allFiles: true }));
  if (quiet && quiet.reference.events.length > 0) throw new TrainingDataError(input.ambience!.dir, 'the ambience recordings hold target events; make them with --events-per-minute 0');
  const falseAlarms = quiet && { recordings: await predictFiles(weights, networks, quiet.files, classes.length, normalization, 8, windows), perHour: input.ambience!.perHour };
  if (quiet) input.log?.(`false-alarm budget: ${input.ambience!.perHour} per class and hour on ${quiet.files.length} event-free recordings`);
  const postprocess = tunePostprocess(perFile, data.reference, classes, input.basePostprocess, frameSeconds, { ...FINAL_SEARCH, falseAlarms });
  const validation = scoreProbabilities(perFile, data.reference, classes, postprocess, frameSeconds);
  const scoreFields: Record<string, number> = { validationErrorRate: validation.errorRate, validationFMeasure: validation.fMeasure };
  for (const [c, s] of Object.entries(validation.classWise)) {
    scoreFields[`validationErrorRate.${c}`] = s.errorRate;
    scoreFields[`validationFMeasure.${c}`] = s.fMeasure;
  }
  return { postprocess, validation, scoreFields };
}
