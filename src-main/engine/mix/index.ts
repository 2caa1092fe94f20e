export { createRng, hash32, rngFor, type Rng } from './prng';
export { SPLITS, SPLIT_SHARES, sourceGroup, splitItems, splitSources, type SourceSplit, type SplitAssignment, type SplitName } from './split';
export { audibleExtent, type AudibleExtent } from './trim';
export { mixtureName, planMixtures } from './plan';
export { backgroundExcerpt, loopCrossfadeLength, loopPeriod, renderMixture, rms, PEAK_LIMIT, type EventPlacement, type RenderedMixture } from './render';
export { eventListText, mixAnnotations, formatSeconds, mixPaths, recipeEntry, type RecipeEntry } from './output';
export { DEFAULT_CLASSES, MixOutputConflictError, runMix, type MixManifest, type MixOptions, type MixProgress, type MixResult } from './run';
export type * from './types';
