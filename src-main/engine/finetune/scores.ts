import type { AnnotationSet } from '../annotations/types';
import type { PostprocessConfig } from '../model/manifest';
import { tuneThresholds, type ClasswiseErrorRate, type FileProbabilities } from '../postprocess';
import { classwiseErrorRate, scoreProbabilities } from '../train/validate';

export interface ScoreSummary {
  errorRate: number;
  fMeasure: number;
  classWise: Record<string, { errorRate: number; fMeasure: number }>;
}

// User recordings can hold any class, so every class is scored on every file ('all-files'), not per class mixture.

/** Classes with at least one event in the reference. */
export function classesWithEvents(reference: AnnotationSet): Set<string> {
  return new Set(reference.events.map((e) => e.label));
}

/** Held-back files needed before fine-tuning re-tunes the post-processing on them (fewer: the parent's is kept). */
export const MIN_HELD_BACK_FOR_TUNING = 5;

/**
 * Whether a fine-tuned model scores worse than its parent on the held-back files, judged only with at least
 * MIN_HELD_BACK_FOR_TUNING of them: such a model is kept but not made active.
 */
export function worseThanParent(before: Pick<ScoreSummary, 'errorRate'>, after: Pick<ScoreSummary, 'errorRate'>, heldBackFiles: number): boolean {
  return heldBackFiles >= MIN_HELD_BACK_FOR_TUNING && after.errorRate > before.errorRate + 1e-9;
}

/**
 * Thresholds tuned on the held-back files, except for classes with no event there: tuning would push
 * their threshold to the top (any detection is a false alarm), silently switching them off, so they
 * keep `fallback`'s threshold.
 */
export function tuneOnHeldBack(perFile: FileProbabilities[], reference: AnnotationSet, classes: string[], fallback: PostprocessConfig, frameSeconds: number): PostprocessConfig {
  const present = classesWithEvents(reference);
  // Classes without a finite error rate (absent from the reference) get a constant here and the fallback below.
  const unscored = new Set<string>();
  const evaluate: ClasswiseErrorRate = (ref, est) => {
    const rates = classwiseErrorRate(classes, 'all-files')(ref, est);
    for (const c of classes) {
      if (!present.has(c) || !Number.isFinite(rates[c])) {
        unscored.add(c);
        rates[c] = 0;
      }
    }
    return rates;
  };
  const tuned = tuneThresholds(perFile, reference, classes, fallback, frameSeconds, evaluate).config;
  const thresholds = { ...tuned.thresholds };
  for (const c of unscored) thresholds[c] = fallback.thresholds[c];
  return { ...tuned, thresholds };
}

export function summarize(perFile: FileProbabilities[], reference: AnnotationSet, classes: string[], post: PostprocessConfig, frameSeconds: number): ScoreSummary {
  const s = scoreProbabilities(perFile, reference, classes, post, frameSeconds, 'all-files');
  return { errorRate: s.errorRate, fMeasure: s.fMeasure, classWise: s.classWise };
}
