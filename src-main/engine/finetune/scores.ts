import type { AnnotationSet } from '../annotations/types';
import type { PostprocessConfig } from '../model/manifest';
import type { FileProbabilities } from '../postprocess';
import { scoreProbabilities, tunePostprocess } from '../train/validate';

export interface ScoreSummary {
  errorRate: number;
  fMeasure: number;
  classWise: Record<string, { errorRate: number; fMeasure: number }>;
}

/** Classes with at least one event in the reference. */
export function classesWithEvents(reference: AnnotationSet): Set<string> {
  return new Set(reference.events.map((e) => e.label));
}

/**
 * Thresholds tuned on the held-back files, except for classes with no event there: tuning would push
 * their threshold to the top (any detection is a false alarm), silently switching them off, so they
 * keep `fallback`'s threshold.
 */
export function tuneOnHeldBack(perFile: FileProbabilities[], reference: AnnotationSet, classes: string[], fallback: PostprocessConfig, frameSeconds: number): PostprocessConfig {
  const tuned = tunePostprocess(perFile, reference, classes, fallback, frameSeconds);
  const present = classesWithEvents(reference);
  const thresholds = { ...tuned.thresholds };
  for (const c of classes) if (!present.has(c)) thresholds[c] = fallback.thresholds[c];
  return { ...tuned, thresholds };
}

export function summarize(perFile: FileProbabilities[], reference: AnnotationSet, classes: string[], post: PostprocessConfig, frameSeconds: number): ScoreSummary {
  const s = scoreProbabilities(perFile, reference, classes, post, frameSeconds);
  return { errorRate: s.errorRate, fMeasure: s.fMeasure, classWise: s.classWise };
}
