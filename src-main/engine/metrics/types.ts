/** Counts and scores for one class, or for all classes pooled (overall, micro-average). NaN where sed_eval gives NaN. */
export interface MetricValues {
  Nref: number;
  Nsys: number;
  Ntp: number;
  Nfp: number;
  Nfn: number;
  /** Segment-based only: segments (x classes) where neither side is active. */
  Ntn?: number;
  /** Overall only (class-wise metrics have no substitutions in sed_eval). */
  substitutions?: number;
  deletions: number;
  insertions: number;
  error_rate: number;
  substitution_rate?: number;
  deletion_rate: number;
  insertion_rate: number;
  f_measure: number;
  precision: number;
  recall: number;
  /** Segment-based only. */
  sensitivity?: number;
  specificity?: number;
  balanced_accuracy?: number;
  accuracy?: number;
}

/** Mean over classes of the class-wise scores, ignoring NaN (numpy.nanmean), as sed_eval's class_wise_average. */
export type AverageValues = Pick<MetricValues, 'error_rate' | 'deletion_rate' | 'insertion_rate' | 'f_measure' | 'precision' | 'recall' | 'sensitivity' | 'specificity' | 'balanced_accuracy' | 'accuracy'>;

export type EventMatching = 'optimal' | 'greedy';
/** How precision is scored when a class (or the whole system) output nothing: sed_eval's empty_system_output_handling. */
export type EmptyOutputHandling = 'nan' | 'zero_score';

export interface EventBasedParameters {
  kind: 'event';
  tCollar: number;
  evaluateOnset: boolean;
  evaluateOffset: boolean;
  percentageOfLength: number;
  eventMatching: EventMatching;
}

export interface SegmentBasedParameters {
  kind: 'segment';
  timeResolution: number;
}

export interface MetricsReport {
  parameters: EventBasedParameters | SegmentBasedParameters;
  /** Evaluated classes, sorted; class_wise has one entry per class in this order. */
  classes: string[];
  evaluatedFiles: number;
  evaluatedLengthSeconds: number;
  overall: MetricValues;
  classWise: Record<string, MetricValues>;
  classWiseAverage: AverageValues;
  /** Files with estimated events but absent from the reference: not evaluated. */
  unmatchedEstimatedFiles: string[];
  /** Estimated labels outside the class list (segment-based: ignored; event-based: counted in overall only, as sed_eval). */
  unknownEstimatedLabels: string[];
}
