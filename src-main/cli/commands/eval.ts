import { CliUsageError } from '../args';
import { defineCommand, type CliIO } from '../command';
import { ANNOTATION_FORMATS, type AnnotationFormat } from '../../engine/annotations/index';
import { eventBasedMetrics, evaluatePreset, METRICS_PRESETS, segmentBasedMetrics, type MetricsPreset, type MetricsReport, type MetricValues } from '../../engine/metrics/index';
import { readAnnotationInput } from './annotation-input';
import { summaryOf } from '../registry';

export const evalCommand = defineCommand(
  {
    name: 'eval',
    summary: summaryOf('eval'),
    positionals: [
      { name: 'REFERENCE', description: 'reference annotations: a file, or a folder of files (one per recording or per class)' },
      { name: 'ESTIMATED', description: 'estimated (system output) annotations: a file or a folder' },
    ],
    options: {
      metric: { kind: 'choice', choices: ['event', 'segment'], default: 'event', description: 'event-based or segment-based metrics' },
      collar: { kind: 'number', valueName: 'S', default: 0.2, description: 'event-based: onset/offset collar in seconds (> 0)' },
      offset: { kind: 'boolean', default: true, description: 'event-based: also require the offset to match (--no-offset: onset only)' },
      'offset-length': { kind: 'number', valueName: 'P', default: 0.5, min: 0, max: 1, description: 'event-based: offset collar as a share of the reference length' },
      matching: { kind: 'choice', choices: ['optimal', 'greedy'], default: 'optimal', description: 'event-based: event matching (sed_eval default optimal)' },
      resolution: { kind: 'number', valueName: 'S', default: 1.0, description: 'segment-based: segment length in seconds (> 0)' },
      preset: { kind: 'choice', choices: METRICS_PRESETS, description: 'a standard setting: dcase2017-task2 = event-based, onset only, 0.5 s collar, class-wise average' },
      from: { kind: 'choice', choices: ANNOTATION_FORMATS, description: 'format of both inputs (default: guessed per file)' },
      filename: { kind: 'string', valueName: 'NAME', description: 'recording name for inputs without file names (Audacity, Raven, 3-column lists)' },
      basename: { kind: 'boolean', default: false, description: 'pair files by base name, ignoring folders' },
      classes: { kind: 'list', valueName: 'A,B,...', description: 'evaluated classes (default: the reference labels)' },
      json: { kind: 'boolean', default: false, description: 'print one JSON object instead of the report' },
    },
    examples: [
      'earmark eval reference.txt detected.txt',
      'earmark eval reference.txt detected.txt --preset dcase2017-task2 --json',
      'earmark eval ref.txt det.txt --metric segment --resolution 1',
    ],
  },
  async ({ positionals, options }, io) => {
    const [referencePath, estimatedPath] = positionals;
    if (!(options.collar > 0)) throw new CliUsageError(`--collar must be greater than 0, got ${options.collar}`);
    if (!(options.resolution > 0)) throw new CliUsageError(`--resolution must be greater than 0, got ${options.resolution}`);
    const format = options.from as AnnotationFormat | undefined;
    const warnInput = (message: string) => io.stderr(`earmark eval: warning: ${message}\n`);
    const reference = await readAnnotationInput(referencePath, format, options.filename, warnInput);
    const estimated = await readAnnotationInput(estimatedPath, format, options.filename, warnInput);
    const common = { classes: options.classes, matchFilesBy: options.basename ? ('basename' as const) : ('exact' as const) };
    let report: MetricsReport;
    if (options.preset) report = evaluatePreset(options.preset as MetricsPreset, reference, estimated, common);
    else if (options.metric === 'segment') report = segmentBasedMetrics(reference, estimated, { ...common, timeResolution: options.resolution });
    else {
      report = eventBasedMetrics(reference, estimated, {
        ...common,
        tCollar: options.collar,
        evaluateOffset: options.offset,
        percentageOfLength: options['offset-length'],
        eventMatching: options.matching as 'optimal' | 'greedy',
      });
    }
    warn(report, io);
    io.stdout(options.json ? `${JSON.stringify(reportJson(report, options.preset))}\n` : formatReport(report, options.preset));
    return 0;
  },
);

function warn(report: MetricsReport, io: CliIO): void {
  if (report.unmatchedEstimatedFiles.length > 0) {
    const list = report.unmatchedEstimatedFiles;
    io.stderr(`earmark eval: warning: ${list.length} estimated file(s) are not in the reference and were not evaluated: ${list.slice(0, 5).join(', ')}${list.length > 5 ? ', ...' : ''}\n`);
  }
  if (report.unknownEstimatedLabels.length > 0) {
    io.stderr(`earmark eval: warning: estimated labels not in the evaluated classes: ${report.unknownEstimatedLabels.join(', ')}\n`);
  }
}

function parametersJson(report: MetricsReport): Record<string, unknown> {
  const p = report.parameters;
  if (p.kind === 'segment') return { time_resolution: p.timeResolution };
  return { t_collar: p.tCollar, evaluate_onset: p.evaluateOnset, evaluate_offset: p.evaluateOffset, percentage_of_length: p.percentageOfLength, event_matching: p.eventMatching };
}

/** sed_eval-style keys; NaN (undefined scores) becomes null. */
export function reportJson(report: MetricsReport, preset?: string): Record<string, unknown> {
  return {
    metric: report.parameters.kind,
    ...(preset ? { preset } : {}),
    parameters: parametersJson(report),
    evaluated_files: report.evaluatedFiles,
    evaluated_length_seconds: report.evaluatedLengthSeconds,
    overall: report.overall,
    class_wise_average: report.classWiseAverage,
    class_wise: report.classWise,
    unmatched_estimated_files: report.unmatchedEstimatedFiles,
    unknown_estimated_labels: report.unknownEstimatedLabels,
  };
}

const pct = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '    -  ' : `${(v * 100).toFixed(1).padStart(5)} %`);
const num = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '   -' : v.toFixed(2).padStart(4));

function title(report: MetricsReport, preset?: string): string {
  const p = report.parameters;
  if (p.kind === 'segment') return `Segment-based metrics, segments of ${p.timeResolution} s`;
  const what = p.evaluateOnset && p.evaluateOffset ? 'onset-offset' : p.evaluateOnset ? 'onset only' : 'offset only';
  const offset = p.evaluateOffset ? `, offset within max(collar, ${p.percentageOfLength * 100} % of length)` : '';
  return `Event-based metrics (${what})${preset ? ` [${preset}]` : ''}, collar ${p.tCollar} s${offset}, ${p.eventMatching} matching`;
}

function scoreLines(v: Pick<MetricValues, 'f_measure' | 'precision' | 'recall' | 'error_rate' | 'deletion_rate' | 'insertion_rate'> & Partial<MetricValues>): string[] {
  const lines = [
    `  F-measure ${pct(v.f_measure)}   Precision ${pct(v.precision)}   Recall ${pct(v.recall)}`,
    `  Error rate ${num(v.error_rate)}   ${v.substitution_rate !== undefined ? `Substitutions ${num(v.substitution_rate)}   ` : ''}Deletions ${num(v.deletion_rate)}   Insertions ${num(v.insertion_rate)}`,
  ];
  if (v.accuracy !== undefined) {
    lines.push(`  Sensitivity ${pct(v.sensitivity)}   Specificity ${pct(v.specificity)}   Balanced accuracy ${pct(v.balanced_accuracy)}   Accuracy ${pct(v.accuracy)}`);
  }
  return lines;
}

/** The readable report: parameters, overall, class-wise average and a class-wise table. */
export function formatReport(report: MetricsReport, preset?: string): string {
  const o = report.overall;
  const lines = [
    title(report, preset),
    `Evaluated files: ${report.evaluatedFiles}, length ${report.evaluatedLengthSeconds.toFixed(1)} s`,
    '',
    `Overall (micro-average)   Nref ${o.Nref}  Nsys ${o.Nsys}  Ntp ${o.Ntp}  Nfp ${o.Nfp}  Nfn ${o.Nfn}`,
    ...scoreLines(o),
    '',
    `Class-wise average (macro-average)${preset ? '   <- main numbers' : ''}`,
    ...scoreLines(report.classWiseAverage),
    '',
    'Class-wise',
  ];
  const width = Math.max(11, ...report.classes.map((c) => c.length));
  lines.push(`  ${'Class'.padEnd(width)} | Nref | Nsys |    F    |   Pre   |   Rec   |  ER  | Del  | Ins`);
  lines.push(`  ${'-'.repeat(width)}-+------+------+---------+---------+---------+------+------+-----`);
  for (const label of report.classes) {
    const v = report.classWise[label];
    lines.push(
      `  ${label.padEnd(width)} | ${String(v.Nref).padStart(4)} | ${String(v.Nsys).padStart(4)} | ${pct(v.f_measure)} | ${pct(v.precision)} | ${pct(v.recall)} | ${num(v.error_rate)} | ${num(v.deletion_rate)} | ${num(v.insertion_rate)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
