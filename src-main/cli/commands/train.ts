import { CliUsageError } from '../args';
import { defineCommand, type CliIO } from '../command';
import { BACKEND_NAMES, selectBackend, type BackendName } from '../../engine/model/backend';
import type { EpochRecord } from '../../engine/train/checkpoint';
import { DEFAULT_FEATURE_CONFIG } from '../../engine/features/config';
import type { CrnnConfig } from '../../engine/model/manifest';
import type { SplitName } from '../../engine/mix/split';
import { DEFAULT_CRNN_CONFIG, sizedCrnnConfig, trainCrnn } from '../../engine/train/trainer';
import { summaryOf } from '../registry';

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

/** Progress bar (TTY) or sparse lines (pipes/logs) for batches; one line per epoch. */
function progress(io: CliIO, epochs: number) {
  let last = 0;
  return {
    batch(p: { epoch: number; batch: number; batches: number; loss: number; epochSeconds: number }) {
      const eta = (p.epochSeconds / p.batch) * (p.batches - p.batch);
      const width = 24;
      const filled = Math.round((p.batch / p.batches) * width);
      const text = `epoch ${p.epoch}/${epochs} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] batch ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)} ETA ${formatSeconds(eta)}`;
      if (io.isTTY) io.stderr(`\r${text}\x1b[K`);
      else if (p.batch === p.batches || performance.now() - last > 30_000) {
        io.stderr(`${text}\n`);
        last = performance.now();
      }
    },
    epoch(r: EpochRecord, improved: boolean) {
      if (io.isTTY) io.stderr('\r\x1b[K');
      io.stderr(`epoch ${r.epoch}/${epochs}: loss ${r.loss.toFixed(4)}  validation ER ${r.errorRate.toFixed(3)} F ${(r.fMeasure * 100).toFixed(1)}%${r.currentErrorRate !== undefined ? ` (current weights ER ${r.currentErrorRate.toFixed(3)})` : ''}  (${formatSeconds(r.seconds)})${improved ? '  * best, saved' : ''}\n`);
    },
  };
}

/** The CRNN sizes given on the command line, or undefined for the default CRNN. */
function crnnArchitecture(filters: string[] | undefined, gruUnits: number | undefined): CrnnConfig | undefined {
  if (!filters && gruUnits === undefined) return undefined;
  const blocks = DEFAULT_CRNN_CONFIG.convBlocks;
  const counts = filters?.map(Number) ?? blocks.map((b) => b.filters);
  if (counts.length !== blocks.length || counts.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new CliUsageError(`--filters needs ${blocks.length} positive integers (one per conv block), got "${filters?.join(',')}"`);
  }
  return sizedCrnnConfig(counts, gruUnits ?? DEFAULT_CRNN_CONFIG.gruUnits);
}

/** `--positive-weight gunshot=2,babycry=0.5` as weights by class name. */
export function positiveWeights(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const match = /^([^=]+)=(.+)$/.exec(item.trim());
    const weight = match ? Number(match[2]) : NaN;
    if (!match || !Number.isFinite(weight) || weight < 0) throw new CliUsageError(`--positive-weight takes class=W with W >= 0, got "${item}"`);
    out[match[1]] = weight;
  }
  return out;
}

/** --corpus-splits: train and validation only; the test split stays unheard, whatever is asked. */
export function trainingSplits(items: string[]): SplitName[] {
  const allowed: readonly SplitName[] = ['train', 'validation'];
  const splits = [...new Set(items.map((item) => item.trim()))];
  for (const split of splits) {
    if (!(allowed as readonly string[]).includes(split)) throw new CliUsageError(`--corpus-splits takes train and validation, got "${split}"${split === 'test' ? ' (the test split is kept for scoring)' : ''}`);
  }
  return splits as SplitName[];
}

/** The equivalent command line, recorded in the model manifest. */
function commandLine(options: Record<string, unknown>): string {
  const parts = ['earmark train'];
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || value === false) continue;
    if (value === true) parts.push(`--${name}`);
    else parts.push(`--${name} ${Array.isArray(value) ? value.join(',') : String(value)}`);
  }
  return parts.join(' ');
}

export const trainCommand = defineCommand(
  {
    name: 'train',
    summary: summaryOf('train'),
    positionals: [],
    options: {
      data: { kind: 'string', valueName: 'DIR', description: 'Mixture folder made by `earmark mix` (manifest.json, train/, validation/)' },
      out: { kind: 'string', valueName: 'MODEL_DIR', description: 'Model folder to write (best model; checkpoints in MODEL_DIR/checkpoints/last)' },
      epochs: { kind: 'integer', valueName: 'N', min: 1, default: 30, description: 'Maximum number of epochs' },
      classes: { kind: 'list', valueName: 'a,b,c', description: 'Classes to train (default: all classes of the data)' },
      seed: { kind: 'integer', valueName: 'S', default: 1, description: 'Seed for initialisation, crops and dropout' },
      resume: { kind: 'boolean', description: 'Continue from MODEL_DIR/checkpoints/last' },
      backend: { kind: 'choice', choices: BACKEND_NAMES, description: 'Force a tfjs backend (default: the fastest available)' },
      batch: { kind: 'integer', valueName: 'N', min: 1, default: 12, description: 'Crops per batch' },
      crop: { kind: 'number', valueName: 'SECONDS', min: 0.5, default: 10.24, description: 'Training crop length, seconds' },
      patience: { kind: 'integer', valueName: 'N', min: 1, default: 5, description: 'Stop after this many epochs without a better validation error rate' },
      lr: { kind: 'number', valueName: 'RATE', min: 0, default: 0.002, description: 'Adam learning rate' },
      'max-minutes': { kind: 'number', valueName: 'M', min: 0, default: 25, description: 'Stop after the epoch that would overrun this much training time in all (resumed runs included)' },
      corpus: { kind: 'string', valueName: 'DIR', description: "Draw fresh training mixtures every epoch from this corpus's train split (--data then gives validation only)" },
      'corpus-splits': { kind: 'list', valueName: 'a,b', description: "With --corpus: the corpus splits training draws from, e.g. train,validation (default train; the test split is refused)" },
      'crops-per-epoch': { kind: 'integer', valueName: 'N', min: 1, default: 1200, description: 'Mixtures drawn per epoch with --corpus' },
      ambience: { kind: 'string', valueName: 'DIR', description: 'Event-free recordings (`earmark mix --splits validation --events-per-minute 0`): the final post-processing keeps false alarms within --false-alarms-per-hour on them' },
      'false-alarms-per-hour': { kind: 'number', valueName: 'N', min: 0, default: 2, description: 'False-alarm budget per class and hour of --ambience' },
      filters: { kind: 'list', valueName: 'a,b,c', description: 'Filters of each conv block of a new model (default 16,32,32; pooling as the default CRNN)' },
      'gru-units': { kind: 'integer', valueName: 'N', min: 1, description: 'GRU units per direction of a new model (default 32)' },
      'weight-average': { kind: 'number', valueName: 'DECAY', min: 0, default: 0, description: 'Validate and save an exponential moving average of the weights with this decay per step, e.g. 0.995 (0: off)' },
      'onset-weight': { kind: 'number', valueName: 'W', min: 0, default: 0, description: 'With --corpus: loss weight 1 + W (instead of 1) on the time steps around each event onset, one before to two after (0: off)' },
      'positive-weight': { kind: 'list', valueName: 'class=W,...', description: 'With --corpus: loss weight 1 + W on the time steps where that class sounds, e.g. gunshot=2 (default 0 for every class)' },
      'init-from': { kind: 'string', valueName: 'MODEL_DIR', description: 'Start a new run from a trained model\'s network (its size, weights and input statistics) instead of random weights' },
      'init-member': { kind: 'integer', valueName: 'K', min: 1, default: 1, description: 'With --init-from an ensemble: which of its networks to start from (1: the first)' },
      'background-tc': { kind: 'number', valueName: 'SECONDS', min: 0, default: 4, description: 'Background subtraction time constant in the features (0: off)' },
    },
    examples: ['earmark train --data data/mix-v1 --out models/mine', 'earmark train --data data/mix-v1 --out models/mine --resume'],
  },
  async ({ options }, io) => {
    if (!options.data) throw new CliUsageError('--data DIR is required');
    if (!options.out) throw new CliUsageError('--out MODEL_DIR is required');
    const architecture = crnnArchitecture(options.filters, options['gru-units']);
    const backend = await selectBackend(options.backend as BackendName | undefined, (line) => io.stderr(`${line}\n`));
    const bar = progress(io, options.epochs);
    const started = performance.now();
    const result = await trainCrnn({
      dataDir: options.data,
      outDir: options.out,
      classes: options.classes,
      epochs: options.epochs,
      seed: options.seed,
      resume: options.resume ?? false,
      batchSize: options.batch,
      cropSeconds: options.crop,
      patience: options.patience,
      learningRate: options.lr,
      architecture,
      features: { ...DEFAULT_FEATURE_CONFIG, ...(options['background-tc'] > 0 ? { background: { timeConstantSeconds: options['background-tc'] } } : {}) },
      corpus: options.corpus ? { dir: options.corpus, cropsPerEpoch: options['crops-per-epoch'], ...(options['corpus-splits'] ? { splits: trainingSplits(options['corpus-splits']) } : {}) } : undefined,
      ambience: options.ambience ? { dir: options.ambience, perHour: options['false-alarms-per-hour'] } : undefined,
      ...(options['positive-weight'] ? { positiveWeights: positiveWeights(options['positive-weight']) } : {}),
      ...(options['init-from'] ? { initFrom: { dir: options['init-from'], member: options['init-member'] } } : {}),
      ...(options['onset-weight'] > 0 ? { onsetWeight: options['onset-weight'] } : {}),
      ...(options['weight-average'] > 0 ? { weightAverageDecay: options['weight-average'] } : {}),
      maxSeconds: options['max-minutes'] !== undefined ? options['max-minutes'] * 60 : undefined,
      backend,
      commandLine: commandLine(options),
      onLog: (line) => io.stderr(`${line}\n`),
      onBatch: bar.batch,
      onEpoch: bar.epoch,
    });
    const v = result.validation;
    io.stdout(
      `model written to ${options.out} (best epoch ${result.bestEpoch} of ${result.history.length}${result.resumedFromEpoch ? `, resumed after epoch ${result.resumedFromEpoch}` : ''}, backend ${backend}, ${formatSeconds((performance.now() - started) / 1000)})\n` +
        `validation (tuned post-processing): ER ${v.errorRate.toFixed(3)}  F ${(v.fMeasure * 100).toFixed(1)}%\n` +
        Object.entries(v.classWise)
          .map(([c, s]) => `  ${c.padEnd(12)} ER ${s.errorRate.toFixed(3)}  F ${(s.fMeasure * 100).toFixed(1)}%\n`)
          .join(''),
    );
    return 0;
  },
);
