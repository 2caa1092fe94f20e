/** Median filter lengths tried when tuning the final post-processing on validation data. */
export const MEDIAN_GRID = [1, 5, 11, 21, 31];

/** Merge gaps tried per class (seconds): a baby's cry pauses for breath within one annotated event. */
export const MERGE_GAPS = [0.5, 1, 2, 4];

/** Onset corrections tried per class (seconds). */
export const ONSET_SHIFTS = [0, 0.2, 0.4, 0.6, 0.8];

/** The final post-processing search on validation data: per class, a median filter length, a hysteresis release, a merge gap and an onset correction. */
export const FINAL_SEARCH = { medianFilterFrames: MEDIAN_GRID, perClassMedian: true, releases: [1, 0.5], mergeGaps: MERGE_GAPS, onsetShifts: ONSET_SHIFTS };
