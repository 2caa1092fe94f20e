import { CliUsageError, requireExisting } from '../args';
import { defineCommand, type CliIO } from '../command';
import { EXIT } from '../exit-codes';
import { BACKEND_NAMES, type BackendName } from '../../engine/model/backend';
import { runFinetune, type FinetuneProgress } from '../../engine/finetune/run';
import type { ScoreSummary } from '../../engine/finetune/scores';
import { summaryOf } from '../registry';

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '-');
const er = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x.toFixed(3) : '-');

function progressPrinter(io: CliIO) {
  return (p: FinetuneProgress) => {
    if (p.type === 'stage') io.stderr(`${p.message}\n`);
    else if (p.type === 'warning') io.stderr(`warning: ${p.message}\n`);
    else {
      io.stderr(
        `epoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(4)}  validation loss ${p.validationLoss.toFixed(4)}  validation ER ${p.errorRate.toFixed(3)} F ${pct(p.fMeasure)}  (${p.seconds.toFixed(1)} s)${p.improved ? '  * best' : ''}\n`,
      );
    }
  };
}

function scoreTable(classes: string[], before: ScoreSummary, after: ScoreSummary): string {
  const rows = [`  ${'class'.padEnd(14)} ${'ER before'.padStart(9)} ${'ER after'.padStart(9)} ${'F before'.padStart(9)} ${'F after'.padStart(9)}`];
  for (const c of classes) {
    const b = before.classWise[c];
    const a = after.classWise[c];
    rows.push(`  ${c.padEnd(14)} ${er(b?.errorRate).padStart(9)} ${er(a?.errorRate).padStart(9)} ${pct(b?.fMeasure ?? Number.NaN).padStart(9)} ${pct(a?.fMeasure ?? Number.NaN).padStart(9)}`);
  }
  rows.push(`  ${'average'.padEnd(14)} ${er(before.errorRate).padStart(9)} ${er(after.errorRate).padStart(9)} ${pct(before.fMeasure).padStart(9)} ${pct(after.fMeasure).padStart(9)}`);
  return rows.join('\n');
}

export const finetuneCommand = defineCommand(
  {
    name: 'finetune',
    summary: summaryOf('finetune'),
    positionals: [],
    options: {
      db: { kind: 'string', valueName: 'FILE', description: 'Project database (earmark.db)' },
      project: { kind: 'integer', valueName: 'ID', min: 1, description: "Project id (default: the database's only project)" },
      from: { kind: 'string', valueName: 'MODEL', description: 'Parent model directory (default: the active model, else the bundled default)' },
      epochs: { kind: 'integer', valueName: 'N', min: 1, default: 12, description: 'Epochs' },
      seed: { kind: 'integer', valueName: 'S', default: 1, description: 'Seed for the held-back split, crops and new weights' },
      out: { kind: 'string', valueName: 'DIR', description: 'New model directory, must not exist (default: models/ft-<time> beside the database)' },
      backend: { kind: 'choice', choices: BACKEND_NAMES, description: 'Force a tfjs backend (default: the fastest available)' },
      lr: { kind: 'number', valueName: 'RATE', min: 0, default: 0.0005, description: 'Adam learning rate' },
      freeze: { kind: 'choice', choices: ['auto', 'conv', 'none'], default: 'auto', description: 'Freeze the conv blocks (auto: when fewer than 40 files train)' },
      normalization: { kind: 'choice', choices: ['parent', 'adapt'], default: 'parent', description: "Input normalisation: the parent's, or re-estimated on the reviewed files (new microphone/channel)" },
      augment: { kind: 'integer', valueName: 'N', min: 0, default: 1, description: "Mixtures of the user's events into their own backgrounds, per training file" },
      'no-activate': { kind: 'boolean', description: 'Register the new model without making it active' },
      'require-all-classes': { kind: 'boolean', description: 'Fail when a class of the model has no verified event' },
    },
    examples: ['earmark finetune --db project/earmark.db', 'earmark finetune --db earmark.db --from models/ft-20250101-120000 --epochs 20'],
  },
  async ({ options }, io) => {
    if (!options.db) throw new CliUsageError('--db FILE is required');
    requireExisting(options.db, '--db', 'file');
    const controller = new AbortController();
    const onSigint = () => {
      io.stderr('\ncancelling after the current batch (the previous model stays active)...\n');
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigint);
    try {
      const result = await runFinetune({
        dbPath: options.db,
        projectId: options.project,
        fromModelDir: options.from,
        epochs: options.epochs,
        seed: options.seed,
        outDir: options.out,
        backend: options.backend as BackendName | undefined,
        learningRate: options.lr,
        freeze: options.freeze as 'auto' | 'conv' | 'none',
        augmentPerFile: options.augment,
        normalization: options.normalization as 'parent' | 'adapt',
        activate: !options['no-activate'],
        requireAllClasses: options['require-all-classes'] ?? false,
        commandLine: `earmark finetune ${process.argv.slice(3).join(' ')}`.trim(),
        signal: controller.signal,
        onProgress: progressPrinter(io),
      });
      if (result.status === 'cancelled') {
        io.stdout(`fine-tuning cancelled after ${result.history.length} epoch(s); training run ${result.runId} marked cancelled, model ${result.parent.name} stays active\n`);
        return EXIT.interrupted;
      }
      const classes = result.model.classes;
      io.stdout(
        [
          `model ${result.model.id} "${result.model.name}" written to ${result.model.dirPath}${result.model.active ? ' (now active)' : ' (not active)'}`,
          `parent: ${result.parent.name} (model ${result.parent.id}); training run ${result.runId}; best epoch ${result.bestEpoch} of ${result.history.length}; ${result.seconds.toFixed(1)} s on ${result.backend}`,
          `trained on ${result.trainFiles} reviewed files (+${result.augmentedMixtures} mixtures), scored on ${result.validationFiles} held-back files${result.addedClasses.length ? `; new classes: ${result.addedClasses.join(', ')}` : ''}`,
          'held-back files (DCASE 2017 Task 2 event-based, before = parent, after = fine-tuned with re-tuned thresholds):',
          scoreTable(classes, result.before, result.after),
          ...result.warnings.map((w) => `warning: ${w}`),
        ].join('\n') + '\n',
      );
      return 0;
    } finally {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigint);
    }
  },
);
