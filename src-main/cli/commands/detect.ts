import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ANNOTATION_FORMATS, PER_FILE_FORMATS, formatAnnotations, writeAnnotationFile, type AnnotationFormat } from '../../engine/annotations';
import type { AnnotationSet } from '../../engine/annotations/types';
import { DetectionDbSink } from '../../engine/detect/db-sink';
import { AUDIO_EXTENSIONS, InputPathError, defaultJobs, detectFiles, formatProgress, parseShard, shardFromEnvironment, shardText, type DetectSummary, type Shard } from '../../engine/detect';
import { detectStatePath, writePerFileFolder } from '../../engine/merge';
import type { PostprocessConfig } from '../../engine/model/manifest';
import { readModelFiles } from '../../engine/onnx/model-files';
import { CliUsageError } from '../args';
import { defineCommand, type CliIO } from '../command';
import { EXIT } from '../exit-codes';
import { BUNDLED_MODEL_DIR as DEFAULT_MODEL_DIR } from '../../engine/model/bundled';
import { summaryOf } from '../registry';

/** The model shipped with Earmark, found from the package, not the working directory. */
export { DEFAULT_MODEL_DIR };

/** Exit code when some files could not be processed (the others were detected and written). */
export const EXIT_SOME_FAILED = EXIT.someFailed;

/** "0.4" (every class) or "babycry=0.3,gunshot=0.6". */
export function parseThresholds(text: string, classes: string[]): Record<string, number> {
  const value = (v: string, what: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new CliUsageError(`--threshold: ${what} must be a number in [0, 1], got "${v}"`);
    return n;
  };
  if (!text.includes('=')) return Object.fromEntries(classes.map((c) => [c, value(text, 'the threshold')]));
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [label, v] = part.split('=');
    if (!classes.includes(label?.trim())) throw new CliUsageError(`--threshold: unknown class "${label}" (the model's classes: ${classes.join(', ')})`);
    out[label.trim()] = value(v ?? '', `the threshold of ${label.trim()}`);
  }
  return out;
}

/**
 * DCASE 2017 Task 2 lists are "file onset offset label": the confidence is left out there, and
 * rounded to 4 decimals in the formats that carry it.
 */
function forOutput(set: AnnotationSet, format: AnnotationFormat): AnnotationSet {
  return {
    files: set.files,
    events: set.events.map(({ confidence, ...e }) =>
      format === 'dcase' || confidence === undefined ? e : { ...e, confidence: Math.round(confidence * 1e4) / 1e4 },
    ),
  };
}

function summaryLines(s: DetectSummary, db: { path?: string; failures: { file?: string; message: string }[] }): string[] {
  const ok = s.results.filter((r) => !r.skipped).length;
  const skipped = s.results.length - ok;
  const notRun = s.filesTotal - s.results.length - s.failures.length;
  const speed = s.wallSeconds > 0 ? s.audioSeconds / s.wallSeconds : 0;
  const lines = [
    `earmark detect: ${ok} file${ok === 1 ? '' : 's'} detected${skipped ? `, ${skipped} already done (skipped)` : ''}${s.failures.length ? `, ${s.failures.length} failed` : ''}` +
      `${s.interrupted ? `, ${notRun} not run (interrupted)` : ''}; ` +
      `${(s.audioSeconds / 3600).toFixed(2)} h of audio in ${s.wallSeconds.toFixed(1)} s (${speed.toFixed(0)}x real time); ${s.annotations.events.length} events`,
  ];
  if (s.failures.length) {
    lines.push('Failed files:');
    for (const f of s.failures) lines.push(`  ${f.file.name}: ${f.reason}: ${f.message}`);
  }
  if (db.failures.length) {
    // Reported apart from the files: their detections are in the output, only the database lacks them.
    lines.push(`Database ${db.path}: ${db.failures.length} write${db.failures.length === 1 ? '' : 's'} failed (the annotation output is complete; run again with --db to fill the database):`);
    for (const f of db.failures.slice(0, 20)) lines.push(`  ${f.file ?? '(run)'}: ${f.message}`);
    if (db.failures.length > 20) lines.push(`  ... and ${db.failures.length - 20} more`);
  }
  return lines;
}

/** The database sink's own failures, collected so that none of them costs the annotation output. */
class SinkFailures {
  readonly list: { file?: string; message: string }[] = [];
  async attempt(file: string | undefined, write: () => void | Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.list.push({ file, message: (error as Error)?.message ?? String(error) });
    }
  }
}

export const detectCommand = defineCommand(
  {
    name: 'detect',
    summary: summaryOf('detect'),
    positionals: [{ name: 'PATH', description: `Audio files or folders (searched recursively for ${AUDIO_EXTENSIONS.join(' ')})`, variadic: true }],
    options: {
      model: { kind: 'string', description: 'Model directory (model.json + weights.bin)', valueName: 'DIR', default: DEFAULT_MODEL_DIR },
      out: {
        kind: 'string',
        short: 'o',
        description: 'Output file (default: standard output). For audacity/raven with several files: a folder, one file per recording',
        valueName: 'FILE',
      },
      format: { kind: 'choice', description: 'Output format', choices: ANNOTATION_FORMATS, default: 'dcase' },
      jobs: { kind: 'integer', short: 'j', description: `Decoding worker threads (0: decode in the main thread; default: one per core = ${defaultJobs()})`, valueName: 'N', min: 0 },
      threads: { kind: 'integer', description: 'Inference threads (onnxruntime intra-op)', valueName: 'N', min: 1, default: 1 },
      shard: {
        kind: 'string',
        description: 'Process only shard I of N (by a hash of the file name; shards never overlap and together cover every file); auto: from a Slurm job array or a Kubernetes Indexed Job',
        valueName: 'I/N|auto',
      },
      shards: { kind: 'integer', description: 'With --shard auto: the number of shards (needed in a Kubernetes Indexed Job; under Slurm it makes task IDs 0-based shard numbers, to resubmit one task)', valueName: 'N', min: 1 },
      force: { kind: 'boolean', description: 'Run every file again, even those the state file (OUT.state.json) records as done' },
      db: { kind: 'string', description: 'Also store recordings, predicted events and a detection run in this project database', valueName: 'FILE' },
      backend: { kind: 'choice', description: 'Inference engine (auto: onnxruntime when it loads, else TensorFlow.js)', choices: ['auto', 'onnx', 'tfjs'], default: 'auto' },
      'one-event-per-file': { kind: 'boolean', description: 'Keep only the most confident event per class per file (the DCASE 2017 Task 2 rule for 30 s mixtures; off by default)' },
      threshold: { kind: 'string', description: 'Override decision thresholds: one for all classes (0.4) or per class (babycry=0.3,gunshot=0.6)', valueName: 'T' },
      window: { kind: 'number', description: "Window the network runs on, seconds (default: the model's own, the length it was trained on: 7.68 s for the bundled model)", valueName: 'SECONDS', min: 1 },
    },
    examples: [
      'earmark detect recordings/ --out detections.txt        # DCASE event list; re-runs skip files already done',
      'earmark detect a.flac b.wav                            # events to standard output, progress to stderr',
      'earmark detect big/ --shard 2/4 --out part2.txt        # one of four machines',
      'earmark detect big/ --shard auto --out part-$SLURM_ARRAY_TASK_ID.txt   # in a Slurm job array (docs/cluster.md)',
      'earmark detect rec/ --format audacity --out labels/    # one Audacity label file per recording',
      'Exit status: 0 when every file was detected; 3 when some files failed or were not stored in --db (listed on stderr; the output holds every detected file); 130 on Ctrl+C/SIGTERM (the finished files are written); 2 on usage errors and invalid input; 1 on internal errors.',
    ],
  },
  async ({ positionals, options }, io: CliIO) => {
    const format = options.format as AnnotationFormat;
    const perFile = PER_FILE_FORMATS.includes(format);
    let shard: Shard | undefined;
    try {
      if (options.shards !== undefined && options.shard !== 'auto') throw new RangeError('--shards goes with --shard auto');
      shard = options.shard === 'auto' ? shardFromEnvironment(process.env, options.shards) : options.shard ? parseShard(options.shard) : undefined;
    } catch (error) {
      throw new CliUsageError(`--shard: ${(error as Error).message}`);
    }
    if (options.shard === 'auto') io.stderr(`earmark detect: --shard auto: ${shardText(shard)}\n`);
    const { manifest } = await readModelFiles(options.model).catch((error: Error) => {
      throw new CliUsageError(`--model: ${error.message}`);
    });
    const postprocess: Partial<PostprocessConfig> = {
      ...(options.threshold ? { thresholds: parseThresholds(options.threshold, manifest.classes) } : {}),
      ...(options['one-event-per-file'] ? { oneEventPerFile: true } : {}),
    };
    const statePath = options.out ? detectStatePath(options.out, format) : undefined;
    if (perFile && options.out) await mkdir(options.out, { recursive: true });
    let sink: DetectionDbSink | undefined;
    try {
      if (options.db) await mkdir(dirname(resolve(options.db)), { recursive: true });
      sink = options.db ? DetectionDbSink.open(options.db, options.model, manifest) : undefined;
    } catch (error) {
      throw new CliUsageError(`--db ${options.db}: ${(error as Error).message}`);
    }
    const dbFailures = new SinkFailures();
    // Ctrl+C or SIGTERM: stop after the current file, then save the state and write the output as usual.
    const controller = new AbortController();
    const interrupt = (signal: NodeJS.Signals) => {
      io.stderr(`\nearmark detect: ${signal}: writing the results of the finished files (again to quit at once)\n`);
      controller.abort();
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    let lastDraw = 0;
    let summary: DetectSummary;
    try {
      summary = await detectFiles({
        inputs: positionals,
        modelDir: options.model,
        backend: options.backend as 'auto' | 'onnx' | 'tfjs',
        jobs: options.jobs ?? defaultJobs(),
        threads: options.threads,
        shard,
        statePath,
        force: options.force,
        postprocess,
        windowSeconds: options.window,
        signal: controller.signal,
        log: (line) => io.stderr(`${line}\n`),
        onProgress: (p) => {
          if (!io.isTTY) return;
          const now = Date.now();
          const last = p.filesDone + p.filesFailed + p.filesSkipped === p.filesTotal;
          if (!last && now - lastDraw < 200) return;
          lastDraw = now;
          io.stderr(`\r\x1b[K${formatProgress(p)}${last ? '\n' : ''}`);
        },
        onFile: sink ? (r) => sink.recordResult(r) : undefined,
        onFailure: (f) => {
          if (!io.isTTY) io.stderr(`earmark detect: skipped ${f.file.name}: ${f.message}\n`);
          return sink?.recordFailure(f);
        },
      });
    } catch (error) {
      await dbFailures.attempt(undefined, () => sink?.close('failed'));
      if (error instanceof InputPathError) throw new CliUsageError(error.message);
      throw error;
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
    if (summary.filesTotal === 0 && !shard) {
      sink?.close();
      io.stderr(`earmark detect: no audio files found in ${positionals.join(', ')}\n`);
      return EXIT.invalidInput;
    }
    const set = forOutput(summary.annotations, format);
    if (perFile) {
      if (options.out) await writePerFileFolder(options.out, set, format);
      else if (set.files.length <= 1) io.stdout(formatAnnotations(set, format));
      else throw new CliUsageError(`--format ${format} holds one recording per file; give --out FOLDER to write one file per recording`);
    } else if (options.out) {
      await writeAnnotationFile(options.out, set, format);
    } else {
      io.stdout(formatAnnotations(set, format));
    }
    // The output is safe on disk before the database, which may keep this process waiting for its lock.
    for (const f of summary.sinkFailures) dbFailures.list.push({ file: f.file.name, message: f.message });
    if (sink) {
      const open = sink;
      for (const result of summary.results) if (result.skipped) await dbFailures.attempt(result.file.name, () => open.recordSkipped(result));
      await dbFailures.attempt(undefined, () => open.close(summary.interrupted ? 'cancelled' : 'completed'));
    }
    for (const line of summaryLines(summary, { path: options.db, failures: dbFailures.list })) io.stderr(`${line}\n`);
    if (summary.interrupted) return EXIT.interrupted;
    return summary.failures.length > 0 || dbFailures.list.length > 0 ? EXIT.someFailed : EXIT.ok;
  },
);
