import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { formatAudacity, parseAudacity } from './audacity';
import { formatCsv, parseCsv } from './csv';
import { formatDcase, parseDcase } from './dcase';
import { AnnotationParseError } from './errors';
import { formatJson, parseJson } from './json';
import { formatRaven, parseRaven } from './raven';
import type { AnnotationSet } from './types';

export type { AnnotationSet, SoundEvent } from './types';
export { AnnotationFormatError, AnnotationParseError } from './errors';
export { eventsByFile, filesOf, mergeSets, splitByFile, uniqueLabels } from './annotation-set';
export { formatNumber } from './numbers';

export type AnnotationFormat = 'dcase' | 'audacity' | 'raven' | 'csv' | 'json';
export const ANNOTATION_FORMATS: readonly AnnotationFormat[] = ['dcase', 'audacity', 'raven', 'csv', 'json'];
/** Formats that describe a single recording: reading needs the file name, writing takes one recording. */
export const PER_FILE_FORMATS: readonly AnnotationFormat[] = ['audacity', 'raven'];

export interface ParseOptions {
  /** File name given to events when the format has none (Audacity, Raven, 3-column DCASE lists). */
  filename?: string;
  /** Name used in error messages, e.g. the path being read. */
  source?: string;
}

const parsers: Record<AnnotationFormat, (text: string, options: ParseOptions) => AnnotationSet> = {
  dcase: parseDcase,
  audacity: parseAudacity,
  raven: parseRaven,
  csv: parseCsv,
  json: parseJson,
};

const formatters: Record<AnnotationFormat, (set: AnnotationSet) => string> = {
  dcase: formatDcase,
  audacity: formatAudacity,
  raven: formatRaven,
  csv: formatCsv,
  json: formatJson,
};

export function parseAnnotations(text: string, format: AnnotationFormat, options: ParseOptions = {}): AnnotationSet {
  const parse = parsers[format];
  if (!parse) throw new Error(`unknown annotation format "${format}" (expected one of ${ANNOTATION_FORMATS.join(', ')})`);
  return parse(text, options);
}

/** Throws AnnotationFormatError when the set cannot be written in the format (e.g. several recordings into Audacity). */
export function formatAnnotations(set: AnnotationSet, format: AnnotationFormat): string {
  const write = formatters[format];
  if (!write) throw new Error(`unknown annotation format "${format}" (expected one of ${ANNOTATION_FORMATS.join(', ')})`);
  return write(set);
}

/** Guesses the format from the extension, then from the content (Raven header, Audacity frequency lines). */
export function guessAnnotationFormat(path: string, text: string): AnnotationFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.csv') return 'csv';
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) return 'json';
  const firstLine = trimmed.split(/\r\n|\r|\n/, 1)[0] ?? '';
  if (/^selection\t/i.test(firstLine) || /\tbegin time \(s\)/i.test(firstLine)) return 'raven';
  if (/^filename,/i.test(firstLine)) return 'csv';
  if (/^\\/m.test(trimmed)) return 'audacity';
  return 'dcase';
}

export async function readAnnotationFile(path: string, format?: AnnotationFormat, options: { filename?: string } = {}): Promise<AnnotationSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AnnotationParseError(path, undefined, code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a file' : (error as Error).message);
  }
  return parseAnnotations(text, format ?? guessAnnotationFormat(path, text), { filename: options.filename, source: path });
}

/** Writes atomically: a temporary file beside the target, then a rename. */
export async function writeAnnotationFile(path: string, set: AnnotationSet, format: AnnotationFormat): Promise<void> {
  const text = formatAnnotations(set, format);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
