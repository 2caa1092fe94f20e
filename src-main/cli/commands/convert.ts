import { mkdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { CliUsageError } from '../args';
import { defineCommand } from '../command';
import {
  ANNOTATION_FORMATS,
  filesOf,
  PER_FILE_FORMATS,
  PER_FILE_SUFFIX,
  readAnnotationFile,
  splitByFile,
  writeAnnotationFile,
  type AnnotationFormat,
} from '../../engine/annotations/index';
import { recordingStem } from './annotation-input';
import { summaryOf } from '../registry';

function formatFromExtension(path: string): AnnotationFormat | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.json' ? 'json' : ext === '.csv' ? 'csv' : undefined;
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export const convertCommand = defineCommand(
  {
    name: 'convert',
    summary: summaryOf('convert'),
    positionals: [
      { name: 'IN', description: 'annotation file to read' },
      { name: 'OUT', description: 'file to write; a folder (existing, or ending in /) for one file per recording' },
    ],
    options: {
      from: { kind: 'choice', choices: ANNOTATION_FORMATS, description: 'input format (default: guessed from extension and content)' },
      to: { kind: 'choice', choices: ANNOTATION_FORMATS, description: 'output format (default: from the OUT extension, .csv or .json)' },
      filename: { kind: 'string', valueName: 'NAME', description: 'recording name for inputs without file names (Audacity, Raven, 3-column lists)' },
    },
    examples: [
      'earmark convert labels.txt events.csv --from audacity --to csv --filename rec1.wav',
      'earmark convert events.txt tracks/ --from dcase --to audacity',
    ],
  },
  async ({ positionals, options }, io) => {
    const [input, output] = positionals;
    const to = (options.to as AnnotationFormat | undefined) ?? formatFromExtension(output);
    if (!to) throw new CliUsageError(`cannot tell the output format from "${output}"; give --to (${ANNOTATION_FORMATS.join(', ')})`);
    const set = await readAnnotationFile(input, options.from as AnnotationFormat | undefined, {
      filename: options.filename,
      onWarning: (message) => io.stderr(`earmark convert: warning: ${message}\n`),
    });
    const recordings = filesOf(set);
    const toFolder = output.endsWith('/') || (await isFolder(output));
    if (toFolder) {
      if (!PER_FILE_FORMATS.includes(to)) throw new CliUsageError(`"${output}" is a folder; only per-recording formats (${PER_FILE_FORMATS.join(', ')}) are written one file per recording`);
      await mkdir(output, { recursive: true });
      const written: string[] = [];
      for (const [recording, part] of splitByFile(set)) {
        const path = join(output, `${recordingStem(recording) || 'recording'}${PER_FILE_SUFFIX[to]}`);
        if (written.includes(path)) throw new Error(`two recordings map to the same output file ${path}`);
        await writeAnnotationFile(path, part, to);
        written.push(path);
      }
      io.stdout(`wrote ${written.length} ${to} file(s) to ${output} (${set.events.length} events)\n`);
      return 0;
    }
    if (PER_FILE_FORMATS.includes(to) && recordings.length > 1) {
      throw new CliUsageError(`${to} holds one recording but ${input} has ${recordings.length}; give a folder as OUT (e.g. "${output.replace(/\.[^./]*$/, '')}/") to write one file per recording`);
    }
    await writeAnnotationFile(output, set, to);
    io.stdout(`wrote ${output} (${to}, ${set.events.length} events, ${recordings.length} file(s))\n`);
    return 0;
  },
);
