export { createRng, hash32, rngFor, type Rng } from './prng';
export { SPLITS, SPLIT_SHARES, sourceGroup, splitItems, splitSources, type SourceSplit, type SplitAssignment, type SplitName } from './split';
export { audibleExtent, type AudibleExtent } from './trim';
export { EVENT_GAP_SECONDS, SCENE_CROSSFADE_SECONDS, SCENE_PIECE_SECONDS, eventsPerRecording, longRecordingName, mixtureName, planLongRecordings, planMixtures } from './plan';
export { backgroundExcerpt, loopCrossfadeLength, loopPeriod, renderBackground, renderMixture, renderPlan, rms, PEAK_LIMIT, type AudioOf, type EventPlacement, type RenderedMixture } from './render';
export { eventListText, mixAnnotations, formatSeconds, mixPaths, recipeEntry, type LongRecipeEntry, type RecipeEntry, type RecipeEvent, type Task2RecipeEntry } from './output';
export { DEFAULT_CLASSES, MixOutputConflictError, runMix, type ClassCount, type MixManifest, type MixOptions, type MixProgress, type MixResult } from './run';
export type * from './types';
