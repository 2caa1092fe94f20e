import { accuracy, balancedAccuracy, fMeasure, nanMean, precision, rate, recall, sensitivity, specificity } from './scores';
import type { AverageValues, EmptyOutputHandling, MetricValues } from './types';

interface BaseCounts {
  Nref: number;
  Nsys: number;
  Ntp: number;
  Nfp: number;
  Nfn: number;
  Ntn?: number;
}

function fScores(c: BaseCounts, empty: EmptyOutputHandling): Pick<MetricValues, 'precision' | 'recall' | 'f_measure'> {
  const p = c.Nsys === 0 && empty === 'zero_score' ? 0 : precision(c.Ntp, c.Nsys);
  const r = recall(c.Ntp, c.Nref);
  return { precision: p, recall: r, f_measure: fMeasure(p, r) };
}

function accuracyScores(Ntp: number, Ntn: number, Nfp: number, Nfn: number): Pick<MetricValues, 'sensitivity' | 'specificity' | 'balanced_accuracy' | 'accuracy'> {
  const sens = sensitivity(Ntp, Nfn);
  const spec = specificity(Ntn, Nfp);
  return { sensitivity: sens, specificity: spec, balanced_accuracy: balancedAccuracy(sens, spec), accuracy: accuracy(Ntp, Ntn, Nfp, Nfn) };
}

/** Overall (micro) scores from pooled counts; S, D, I are the error counts for the error rate. */
export function overallValues(c: BaseCounts & { S: number; D: number; I: number }, empty: EmptyOutputHandling): MetricValues {
  const substitutionRate = rate(c.S, c.Nref);
  const deletionRate = rate(c.D, c.Nref);
  const insertionRate = rate(c.I, c.Nref);
  const values: MetricValues = {
    Nref: c.Nref,
    Nsys: c.Nsys,
    Ntp: c.Ntp,
    Nfp: c.Nfp,
    Nfn: c.Nfn,
    substitutions: c.S,
    deletions: c.D,
    insertions: c.I,
    error_rate: substitutionRate + deletionRate + insertionRate,
    substitution_rate: substitutionRate,
    deletion_rate: deletionRate,
    insertion_rate: insertionRate,
    ...fScores(c, empty),
  };
  if (c.Ntn !== undefined) Object.assign(values, { Ntn: c.Ntn }, accuracyScores(c.Ntp, c.Ntn, c.Nfp, c.Nfn));
  return values;
}

/** Class-wise scores: deletions are the misses and insertions the false alarms of that class. */
export function classValues(c: BaseCounts, empty: EmptyOutputHandling): MetricValues {
  const deletionRate = rate(c.Nfn, c.Nref);
  const insertionRate = rate(c.Nfp, c.Nref);
  const values: MetricValues = {
    Nref: c.Nref,
    Nsys: c.Nsys,
    Ntp: c.Ntp,
    Nfp: c.Nfp,
    Nfn: c.Nfn,
    deletions: c.Nfn,
    insertions: c.Nfp,
    error_rate: deletionRate + insertionRate,
    deletion_rate: deletionRate,
    insertion_rate: insertionRate,
    ...fScores(c, empty),
  };
  if (c.Ntn !== undefined) Object.assign(values, { Ntn: c.Ntn }, accuracyScores(c.Ntp, c.Ntn, c.Nfp, c.Nfn));
  return values;
}

/** Class-wise average (macro): NaN-ignoring mean over classes, as numpy.nanmean in sed_eval. */
export function averageValues(classWise: readonly MetricValues[]): AverageValues {
  const mean = (key: keyof AverageValues) => nanMean(classWise.map((v) => v[key] as number));
  const average: AverageValues = {
    error_rate: mean('error_rate'),
    deletion_rate: mean('deletion_rate'),
    insertion_rate: mean('insertion_rate'),
    f_measure: mean('f_measure'),
    precision: mean('precision'),
    recall: mean('recall'),
  };
  if (classWise.length > 0 && classWise.every((v) => v.accuracy !== undefined)) {
    Object.assign(average, {
      sensitivity: mean('sensitivity'),
      specificity: mean('specificity'),
      balanced_accuracy: mean('balanced_accuracy'),
      accuracy: mean('accuracy'),
    });
  }
  return average;
}
