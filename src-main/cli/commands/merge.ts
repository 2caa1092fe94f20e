import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ANNOTATION_FORMATS, formatAnnotations, writeAnnotationFile, type AnnotationFormat } from '../../engine/annotations';
import { collectAudioFiles, InputPathError } from '../../engine/detect';
import { DetectionDbSink } from '../../engine/detect/db-sink';
import { guessPartFormat, isPerFileFormat, mergeParts, MergeError, readPart, writePerFileFolder, type MergePart, type MergeResult } from '../../engine/merge';
import { readModelFiles } from '../../engine/onnx/model-files';
import { CliUsageError } from '../args';
import { defineCommand, type CliIO } from '../command';
import { EXIT } from '../exit-codes';
import { summaryOf } from '../registry';

/** Lists at most 20 names, then a count. */
function listLines(title: string, names: string[]): string {
  const shown = names.slice(0, 20).map((n) => `  ${n}\n`).join('');
  return `${title}\n${shown}${names.length > 20 ? `  ... and ${names.length - 20} more\n` : ''}`;
}

/**
 * Imports the merged recordings into a project database, as `detect --db` would have: events and durations
 * from the parts' state files (full confidences), audio found under the input folder.
 */
async function importIntoDb(dbPath: string, input: string, modelDir: string, parts: readonly MergePart[]): Promise<void> {
  const { manifest } = await readModelFiles(modelDir).catch((error: Error) => {
    throw new CliUsageError(`model ${modelDir} (recorded in the state files; --model to give another): ${error.message}`);
  });
  let sink: DetectionDbSink;
  try {
    await mkdir(dirname(resolve(dbPath)), { recursive: true });
    sink = DetectionDbSink.open(dbPath, modelDir, manifest);
  } catch (error) {
    throw new CliUsageError(`--db ${dbPath}: ${(error as Error).message}`);
  }
  let status: 'completed' | 'failed' = 'failed';
  try {
    for (const part of parts) {
      for (const name of part.set.files) {
        const done = part.done.get(name);
        if (!done) throw new MergeError(`${part.path}: its state file has no entry for "${name}"`);
        const path = join(input, name);
        const s = await stat(path).catch(() => {
          throw new InputPathError(`--input ${input}: recording "${name}" is not there (${path})`);
        });
        const file = { path, name, root: input, size: s.size, mtimeMs: s.mtimeMs };
        // Skips recordings that already hold this model's detection: merging again adds nothing twice.
        await sink.recordSkipped({ file, durationSeconds: done.durationSeconds, events: done.events, skipped: true });
      }
    }
    status = 'completed';
  } finally {
    sink.close(status);
  }
}

export const mergeCommand = defineCommand(
  {
    name: 'merge',
    summary: summaryOf('merge'),
    positionals: [{ name: 'PART', description: 'Outputs of `earmark detect --shard ... --out PART` (files; folders for audacity/raven)', variadic: true }],
    options: {
      out: { kind: 'string', short: 'o', description: 'Merged output (default: standard output); a folder for audacity/raven', valueName: 'FILE' },
      format: { kind: 'choice', description: 'Format of the parts and the output (default: guessed from the first part)', choices: ANNOTATION_FORMATS },
      input: { kind: 'string', description: 'The folder detect ran on: report recordings missing from every part (needed with --db)', valueName: 'DIR' },
      db: { kind: 'string', description: 'Import the merged detections into this project database (e.g. DIR/.earmark/earmark.db, which `earmark serve --open-folder DIR` opens)', valueName: 'FILE' },
      model: { kind: 'string', description: 'With --db: the model folder, when it is not where the state files say it was', valueName: 'DIR' },
    },
    examples: [
      'earmark merge parts/part-*.txt --out detections.txt --input recordings/',
      'earmark merge parts/part-*.txt --input recordings/ --db recordings/.earmark/earmark.db   # then: earmark serve --open-folder recordings/',
      'Exit status: 0 when merged; 3 when recordings of --input (or whole shards) are in no part (listed on stderr; the rest is written); 2 when parts differ in model or settings, or share a recording.',
    ],
  },
  async ({ positionals, options }, io: CliIO) => {
    if (positionals.length === 0) throw new CliUsageError('give the parts to merge');
    if (options.db && !options.input) throw new CliUsageError('--db needs --input DIR, the folder detect ran on (the project holds its recordings)');
    const format = (options.format as AnnotationFormat | undefined) ?? (await guessPartFormat(positionals[0]).catch(() => 'dcase' as const));
    if (isPerFileFormat(format) && !options.out && !options.db) throw new CliUsageError(`--format ${format} holds one recording per file: give --out FOLDER`);
    let parts: MergePart[];
    let result: MergeResult;
    try {
      parts = [];
      for (const path of positionals) parts.push(await readPart(path, format));
      result = mergeParts(parts);
    } catch (error) {
      if (error instanceof MergeError) throw new CliUsageError(error.message);
      throw error;
    }
    const { set, missingShards } = result;
    const merged = new Set(set.files);
    const inputFiles = options.input ? await collectAudioFiles([options.input]).catch((error: Error) => {
      throw new CliUsageError(`--input: ${error.message}`);
    }) : [];
    const missing = inputFiles.map((f) => f.name).filter((name) => !merged.has(name));

    if (isPerFileFormat(format) && options.out) await writePerFileFolder(options.out, set, format);
    else if (options.out) await writeAnnotationFile(options.out, set, format);
    else if (!options.db) io.stdout(formatAnnotations(set, format));
    if (options.db) await importIntoDb(options.db, options.input!, options.model ?? parts[0].provenance.model.dir, parts);

    io.stderr(`earmark merge: ${parts.length} part${parts.length === 1 ? '' : 's'}, ${set.files.length} recordings, ${set.events.length} events${options.db ? `; imported into ${options.db}` : ''}\n`);
    if (missingShards.length) io.stderr(`earmark merge: no part holds ${missingShards.join(', ')}\n`);
    if (missing.length) io.stderr(listLines(`earmark merge: ${missing.length} recording${missing.length === 1 ? '' : 's'} of ${options.input} in no part (not run yet, or failed):`, missing));
    return missing.length || missingShards.length ? EXIT.someFailed : EXIT.ok;
  },
);
