import { CliUsageError } from '../args';
import { defineCommand } from '../command';
import { BACKEND_NAMES, selectBackend, type BackendName } from '../../engine/model/backend';
import { buildEnsemble, parseEnsembleSource } from '../../engine/train/ensemble';
import { summaryOf } from '../registry';

export const ensembleCommand = defineCommand(
  {
    name: 'ensemble',
    summary: summaryOf('ensemble'),
    positionals: [{ name: 'MODEL', description: "Trained model folders (two networks or more in all); MODEL#1,3 takes only those networks of an ensemble. The first network's band statistics become the ensemble's", variadic: true }],
    options: {
      out: { kind: 'string', valueName: 'MODEL_DIR', description: 'Model folder to write (one model.json and weights.bin; detect, the studio and the ONNX export average its networks)' },
      data: { kind: 'string', valueName: 'DIR', description: 'Mixture folder made by `earmark mix`: the post-processing is tuned on its validation split' },
      ambience: { kind: 'string', valueName: 'DIR', description: 'Event-free recordings: the post-processing keeps false alarms within --false-alarms-per-hour on them' },
      'false-alarms-per-hour': { kind: 'number', valueName: 'N', min: 0, default: 2, description: 'False-alarm budget per class and hour of --ambience' },
      backend: { kind: 'choice', choices: BACKEND_NAMES, description: 'Force a tfjs backend (default: the fastest available)' },
    },
    examples: ['earmark ensemble models/a models/b models/c --data data/mix-v3 --out models/abc', 'earmark ensemble resources/models/default#1,2,4 models/d --data data/mix-v3 --out models/abd'],
  },
  async ({ positionals, options }, io) => {
    if (positionals.length < 1) throw new CliUsageError('give the model folders to combine (two networks or more)');
    const models = positionals.map((arg) => {
      try {
        return parseEnsembleSource(arg);
      } catch (error) {
        throw new CliUsageError((error as Error).message);
      }
    });
    if (!options.out) throw new CliUsageError('--out MODEL_DIR is required');
    if (!options.data) throw new CliUsageError('--data DIR is required (its validation split tunes the post-processing)');
    await selectBackend(options.backend as BackendName | undefined, (line) => io.stderr(`${line}\n`));
    const command = ['earmark ensemble', ...positionals, `--data ${options.data}`, `--out ${options.out}`, ...(options.ambience ? [`--ambience ${options.ambience}`, `--false-alarms-per-hour ${options['false-alarms-per-hour']}`] : [])].join(' ');
    const result = await buildEnsemble({
      models,
      outDir: options.out,
      dataDir: options.data,
      ambience: options.ambience ? { dir: options.ambience, perHour: options['false-alarms-per-hour'] } : undefined,
      commandLine: command,
      log: (line) => io.stderr(`${line}\n`),
    });
    const v = result.validation;
    io.stdout(
      `ensemble of ${(result.manifest.ensemble?.length ?? 0) + 1} networks written to ${options.out}\n` +
        `validation (tuned post-processing): ER ${v.errorRate.toFixed(3)}  F ${(v.fMeasure * 100).toFixed(1)}%\n` +
        Object.entries(v.classWise)
          .map(([c, s]) => `  ${c.padEnd(12)} ER ${s.errorRate.toFixed(3)}  F ${(s.fMeasure * 100).toFixed(1)}%\n`)
          .join(''),
    );
    return 0;
  },
);
