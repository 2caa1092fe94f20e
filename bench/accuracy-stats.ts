import { eventsByFile } from '../src-main/engine/annotations';
import type { AnnotationSet } from '../src-main/engine/annotations/types';
import { createRng } from '../src-main/engine/random';
import { scoreAnnotations, type ScoringProtocol, type Scores } from '../src-main/engine/train/validate';

export interface Interval {
  low: number;
  high: number;
}

/**
 * 95 % bootstrap intervals of class-average ER and F, and of each class's, over recordings: each resample
 * draws as many recordings as there are, with replacement (a recording drawn twice counts twice).
 */
export function bootstrapScores(reference: AnnotationSet, estimated: AnnotationSet, classes: string[], protocol: ScoringProtocol, resamples = 200, seed = 1): Record<string, Interval> {
  const rng = createRng(seed);
  const files = reference.files;
  const refBy = eventsByFile(reference);
  const estBy = eventsByFile(estimated);
  const samples: Record<string, number[]> = {};
  const push = (key: string, v: number) => Number.isFinite(v) && (samples[key] ??= []).push(v);
  for (let r = 0; r < resamples; r++) {
    const ref: AnnotationSet = { files: [], events: [] };
    const est: AnnotationSet = { files: [], events: [] };
    for (let k = 0; k < files.length; k++) {
      const file = files[Math.floor(rng() * files.length)];
      // Unique per draw, and still `<split>_<class>_<digits>.ext`: the per-class protocol reads the class from it.
      const copy = /_\d+\.[^.]+$/.test(file) ? file.replace(/(\.[^.]+)$/, `${String(k).padStart(6, '0')}$1`) : `${file}~${k}`;
      ref.files.push(copy);
      est.files.push(copy);
      for (const e of refBy.get(file) ?? []) ref.events.push({ ...e, filename: copy });
      for (const e of estBy.get(file) ?? []) est.events.push({ ...e, filename: copy });
    }
    const s: Scores = scoreAnnotations(ref, est, classes, protocol);
    push('ER', s.errorRate);
    push('F', s.fMeasure);
    for (const [c, v] of Object.entries(s.classWise)) {
      push(`${c} ER`, v.errorRate);
      push(`${c} F`, v.fMeasure);
    }
  }
  const out: Record<string, Interval> = {};
  for (const [key, values] of Object.entries(samples)) {
    values.sort((a, b) => a - b);
    out[key] = { low: values[Math.floor(0.025 * (values.length - 1))], high: values[Math.ceil(0.975 * (values.length - 1))] };
  }
  return out;
}
