import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from '../../src-main/engine/features/config';
import type { CrnnConfig } from '../../src-main/engine/model/manifest';

/** A CRNN small enough to train for a few epochs inside a unit test. */
export const TINY_ARCHITECTURE: CrnnConfig = {
  convBlocks: [
    { filters: 4, poolTime: 2, poolFreq: 2 },
    { filters: 8, poolTime: 2, poolFreq: 2 },
  ],
  gruUnits: 8,
  dropout: 0,
};

export const TINY_FEATURES: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, melBands: 16 };
