import { uniqueLabels } from '../annotations/annotation-set';
import type { AnnotationSet, SoundEvent } from '../annotations/types';
import { evaluateEventPair, type EventPairCounts } from './event-based';
import { pairFiles, type FileMatching } from './file-pairs';
import { averageValues, classValues, overallValues } from './report';
import { evaluateSegmentPair } from './segment-based';
import type { EmptyOutputHandling, EventMatching, MetricsReport, MetricValues } from './types';

export type * from './types';
export type { FileMatching } from './file-pairs';
export { bipartiteMatch } from './bipartite-match';
export { evaluateEventPair, offsetMatches, onsetMatches } from './event-based';
export { evaluateSegmentPair } from './segment-based';

interface CommonOptions {
  /** Evaluated classes; default: the reference labels (sorted), or the estimated ones when the reference has none. */
  classes?: string[];
  /** Pair files by exact name (default) or by base name (folders ignored). */
  matchFilesBy?: FileMatching;
  /** sed_eval's empty_system_output_handling: 'nan' (default) or 'zero_score' (precision 0 when nothing was output). */
  emptySystemOutput?: EmptyOutputHandling;
}

export interface EventBasedOptions extends CommonOptions {
  /** Onset (and offset) collar in seconds; default 0.2. */
  tCollar?: number;
  evaluateOnset?: boolean;
  evaluateOffset?: boolean;
  /** Offset collar as a share of the reference event's length (the larger of the two collars applies); default 0.5. */
  percentageOfLength?: number;
  /** 'optimal' (maximum bipartite matching, sed_eval's default) or 'greedy' (sed_eval's older behaviour). */
  eventMatching?: EventMatching;
}

export interface SegmentBasedOptions extends CommonOptions {
  /** Segment length in seconds; default 1.0. */
  timeResolution?: number;
  /** Evaluated length per file (e.g. the recording's duration), or one length for all; default: the largest offset on either side. */
  evaluatedLength?: number | Record<string, number>;
}

function defaultClasses(reference: AnnotationSet, estimated: AnnotationSet): string[] {
  const labels = uniqueLabels(reference.events);
  return labels.length > 0 ? labels : uniqueLabels(estimated.events);
}

function unknownLabels(events: readonly SoundEvent[], classes: readonly string[]): string[] {
  const known = new Set(classes);
  return uniqueLabels(events.filter((e) => !known.has(e.label)));
}

function fileLength(events: readonly SoundEvent[]): number {
  return events.reduce((max, e) => Math.max(max, e.offset), 0);
}

function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a number > 0, got ${value}`);
}

/** Event-based metrics, accumulated over file pairs exactly as sed_eval's EventBasedMetrics. Pure. */
export function eventBasedMetrics(reference: AnnotationSet, estimated: AnnotationSet, options: EventBasedOptions = {}): MetricsReport {
  const parameters = {
    kind: 'event' as const,
    tCollar: options.tCollar ?? 0.2,
    evaluateOnset: options.evaluateOnset ?? true,
    evaluateOffset: options.evaluateOffset ?? true,
    percentageOfLength: options.percentageOfLength ?? 0.5,
    eventMatching: options.eventMatching ?? 'optimal',
  };
  requirePositive('tCollar', parameters.tCollar);
  if (!(parameters.percentageOfLength >= 0 && parameters.percentageOfLength <= 1)) throw new RangeError(`percentageOfLength must be in [0, 1], got ${parameters.percentageOfLength}`);
  if (!parameters.evaluateOnset && !parameters.evaluateOffset) throw new RangeError('evaluateOnset and evaluateOffset cannot both be false');
  if (parameters.eventMatching !== 'optimal' && parameters.eventMatching !== 'greedy') throw new RangeError(`eventMatching must be 'optimal' or 'greedy', got ${String(parameters.eventMatching)}`);
  const empty = options.emptySystemOutput ?? 'nan';
  const classes = options.classes ? [...options.classes] : defaultClasses(reference, estimated);
  const { pairs, unmatchedEstimated } = pairFiles(reference, estimated, options.matchFilesBy);

  const total: EventPairCounts = { overall: { Nref: 0, Nsys: 0, Ntp: 0, Nsubs: 0, Nfp: 0, Nfn: 0 }, classWise: {} };
  for (const label of classes) total.classWise[label] = { Nref: 0, Nsys: 0, Ntp: 0, Nfp: 0, Nfn: 0 };
  let evaluatedLengthSeconds = 0;
  for (const pair of pairs) {
    const counts = evaluateEventPair(pair.reference, pair.estimated, classes, parameters, parameters.eventMatching);
    for (const key of Object.keys(total.overall) as (keyof EventPairCounts['overall'])[]) total.overall[key] += counts.overall[key];
    for (const label of classes) {
      const sum = total.classWise[label];
      const add = counts.classWise[label];
      sum.Nref += add.Nref;
      sum.Nsys += add.Nsys;
      sum.Ntp += add.Ntp;
      sum.Nfp += add.Nfp;
      sum.Nfn += add.Nfn;
    }
    evaluatedLengthSeconds += Math.max(fileLength(pair.reference), fileLength(pair.estimated));
  }
  const o = total.overall;
  const overall = overallValues({ Nref: o.Nref, Nsys: o.Nsys, Ntp: o.Ntp, Nfp: o.Nfp, Nfn: o.Nfn, S: o.Nsubs, D: o.Nfn, I: o.Nfp }, empty);
  return finish(parameters, classes, pairs.length, evaluatedLengthSeconds, overall, (label) => classValues(total.classWise[label], empty), unmatchedEstimated, estimated);
}

/** Segment-based metrics, accumulated over file pairs exactly as sed_eval's SegmentBasedMetrics. Pure. */
export function segmentBasedMetrics(reference: AnnotationSet, estimated: AnnotationSet, options: SegmentBasedOptions = {}): MetricsReport {
  const parameters = { kind: 'segment' as const, timeResolution: options.timeResolution ?? 1.0 };
  requirePositive('timeResolution', parameters.timeResolution);
  const empty = options.emptySystemOutput ?? 'nan';
  const classes = options.classes ? [...options.classes] : defaultClasses(reference, estimated);
  const { pairs, unmatchedEstimated } = pairFiles(reference, estimated, options.matchFilesBy);

  const overallCounts = { Ntp: 0, Ntn: 0, Nfp: 0, Nfn: 0, Nref: 0, Nsys: 0, S: 0, D: 0, I: 0 };
  const classCounts: Record<string, { Ntp: number; Ntn: number; Nfp: number; Nfn: number; Nref: number; Nsys: number }> = {};
  for (const label of classes) classCounts[label] = { Ntp: 0, Ntn: 0, Nfp: 0, Nfn: 0, Nref: 0, Nsys: 0 };
  let evaluatedLengthSeconds = 0;
  for (const pair of pairs) {
    const given = typeof options.evaluatedLength === 'number' ? options.evaluatedLength : options.evaluatedLength?.[pair.file];
    if (given !== undefined) requirePositive(`evaluated length of ${pair.file}`, given);
    const counts = evaluateSegmentPair(pair.reference, pair.estimated, classes, parameters.timeResolution, given);
    for (const key of Object.keys(overallCounts) as (keyof typeof overallCounts)[]) overallCounts[key] += counts.overall[key];
    for (const label of classes) {
      const sum = classCounts[label];
      const add = counts.classWise[label];
      for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += add[key];
    }
    evaluatedLengthSeconds += counts.evaluatedLengthSeconds;
  }
  const overall = overallValues(overallCounts, empty);
  return finish(parameters, classes, pairs.length, evaluatedLengthSeconds, overall, (label) => classValues(classCounts[label], empty), unmatchedEstimated, estimated);
}

function finish(
  parameters: MetricsReport['parameters'],
  classes: string[],
  evaluatedFiles: number,
  evaluatedLengthSeconds: number,
  overall: MetricValues,
  classScores: (label: string) => MetricValues,
  unmatchedEstimatedFiles: string[],
  estimated: AnnotationSet,
): MetricsReport {
  const classWise: Record<string, MetricValues> = {};
  for (const label of classes) classWise[label] = classScores(label);
  return {
    parameters,
    classes,
    evaluatedFiles,
    evaluatedLengthSeconds,
    overall,
    classWise,
    classWiseAverage: averageValues(classes.map((label) => classWise[label])),
    unmatchedEstimatedFiles,
    unknownEstimatedLabels: unknownLabels(estimated.events, classes),
  };
}

export type MetricsPreset = 'dcase2017-task2';
export const METRICS_PRESETS: readonly MetricsPreset[] = ['dcase2017-task2'];

/** A preset's report, with the numbers the preset ranks by in `main`. */
export interface PresetReport extends MetricsReport {
  preset: MetricsPreset;
  /** DCASE 2017 Task 2: the class-wise average of the event-based, onset-only scores. */
  main: MetricsReport['classWiseAverage'];
}

/**
 * DCASE 2017 Task 2: event-based, onset only, 500 ms collar, class-wise average as the main numbers.
 * (Task 2 files hold at most one event of one class, so greedy and optimal matching agree.)
 */
export function evaluatePreset(preset: MetricsPreset, reference: AnnotationSet, estimated: AnnotationSet, options: CommonOptions = {}): PresetReport {
  if (preset !== 'dcase2017-task2') throw new RangeError(`unknown metrics preset "${String(preset)}" (expected ${METRICS_PRESETS.join(', ')})`);
  const report = eventBasedMetrics(reference, estimated, { ...options, tCollar: 0.5, evaluateOnset: true, evaluateOffset: false });
  return { ...report, preset, main: report.classWiseAverage };
}
