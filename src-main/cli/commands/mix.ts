import { CliUsageError, requireExisting } from '../args';
import { defineCommand, type CliIO } from '../command';
import { DEFAULT_CLASSES, runMix, type MixProgress, type SplitName } from '../../engine/mix';
import { SPLITS } from '../../engine/mix/split';
import { mixSizeBytes } from '../../engine/mix/run';
import { summaryOf } from '../registry';

function parseEbrs(list: string[]): number[] {
  return list.map((text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new CliUsageError(`--ebr expects a comma-separated list of dB values, got "${text}"`);
    return value;
  });
}

function progressReporter(io: CliIO, long: boolean): (p: MixProgress) => void {
  let lastBar = '';
  const bar = (label: string, done: number, total: number) => {
    const width = 30;
    const filled = total > 0 ? Math.round((done / total) * width) : width;
    const text = `\r${label.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
    if (text !== lastBar) io.stderr(text);
    lastBar = text;
  };
  const clear = () => {
    if (io.isTTY && lastBar) io.stderr('\r\x1b[K');
    lastBar = '';
  };
  return (p) => {
    switch (p.kind) {
      case 'decode':
        if (io.isTTY) bar('decoding', p.done, p.total);
        else if (p.done === p.total) io.stderr(`decoded ${p.total} corpus files\n`);
        break;
      case 'skip':
        clear();
        io.stderr(`skipped ${p.file}: ${p.reason}\n`);
        break;
      case 'mixture':
        if (io.isTTY) bar(p.split, p.done, p.total);
        break;
      case 'split-done':
        clear();
        if (long) io.stderr(`${p.split}: ${p.mixtures} long recordings (${p.events} events) in ${p.seconds.toFixed(1)} s\n`);
        else io.stderr(`${p.split}: ${p.mixtures} mixtures (${p.withEvent} with an event) in ${p.seconds.toFixed(1)} s\n`);
        break;
    }
  };
}

export const mixCommand = defineCommand(
  {
    name: 'mix',
    summary: summaryOf('mix'),
    positionals: [],
    options: {
      corpus: { kind: 'string', valueName: 'DIR', description: 'Corpus folder with events/<class>/ and backgrounds/' },
      out: { kind: 'string', valueName: 'DIR', description: 'Output folder' },
      count: { kind: 'integer', valueName: 'N', min: 0, description: 'Mixtures per class in the train split (recordings in all with --events-per-minute)' },
      'eval-count': {
        kind: 'integer',
        valueName: 'M',
        min: 0,
        description: 'Mixtures per class in validation and in test (recordings in each with --events-per-minute; default max(10, ceil(N/4)))',
      },
      seed: { kind: 'integer', valueName: 'S', default: 2017, description: 'Seed: the same arguments give byte-identical output' },
      ebr: { kind: 'list', valueName: 'DB,...', default: ['-6', '0', '6'], description: 'Event-to-background ratios to draw from, dB' },
      length: { kind: 'number', valueName: 'SECONDS', default: 30, min: 0.01, description: 'Mixture length' },
      'event-prob': { kind: 'number', valueName: 'P', default: 0.5, min: 0, max: 1, description: 'Probability that a mixture holds an event' },
      'events-per-minute': {
        kind: 'number',
        valueName: 'R',
        min: 0,
        description: 'Make long recordings instead: round(R*length/60) non-overlapping events of every class over changing backgrounds (0: event-free)',
      },
      rate: { kind: 'integer', valueName: 'HZ', default: 16000, min: 1000, max: 192000, description: 'Sample rate of the mixtures' },
      splits: { kind: 'list', valueName: 'LIST', default: [...SPLITS], description: 'Splits to make' },
      classes: { kind: 'list', valueName: 'LIST', default: [...DEFAULT_CLASSES], description: 'Event classes (folders under events/)' },
      force: { kind: 'boolean', description: 'Replace an output folder made with other arguments' },
    },
    examples: [
      'earmark mix --corpus ../shared/corpus --out data/mix --count 400 --eval-count 100 --seed 2017',
      'earmark mix --corpus ../shared/corpus --out data/long --splits test --count 0 --eval-count 6 --length 300 --events-per-minute 1.2 --seed 7',
    ],
  },
  async ({ options }, io) => {
    if (!options.corpus) throw new CliUsageError('--corpus is required');
    requireExisting(options.corpus, '--corpus', 'folder');
    if (!options.out) throw new CliUsageError('--out is required');
    if (options.count === undefined) throw new CliUsageError('--count is required');
    for (const split of options.splits) {
      if (!(SPLITS as readonly string[]).includes(split)) throw new CliUsageError(`--splits: unknown split "${split}" (expected ${SPLITS.join(', ')})`);
    }
    const count = options.count;
    const evalCount = options['eval-count'] ?? Math.max(10, Math.ceil(count / 4));
    const started = Date.now();
    const result = await runMix(
      {
        corpusDir: options.corpus,
        outDir: options.out,
        count,
        evalCount,
        seed: options.seed,
        ebrsDb: parseEbrs(options.ebr),
        lengthSeconds: options.length,
        eventProbability: options['event-prob'],
        eventsPerMinute: options['events-per-minute'],
        sampleRate: options.rate,
        splits: options.splits as SplitName[],
        classes: options.classes,
        force: options.force,
      },
      progressReporter(io, options['events-per-minute'] !== undefined),
    );
    const bytes = await mixSizeBytes(result.outDir);
    const skipped = result.skipped.length ? `, ${result.skipped.length} corpus file(s) skipped` : '';
    io.stdout(
      `wrote ${result.mixtures} ${options['events-per-minute'] !== undefined ? 'long recordings' : 'mixtures'} to ${result.outDir} (${(bytes / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s${skipped}\n`,
    );
    return 0;
  },
);
