import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { formatAudacity, parseAudacity } from './audacity';
import { formatCsv, parseCsv } from './csv';
import { formatDcase, parseDcase } from './dcase';
import { AnnotationParseError } from './errors';
import type { ParseOptions } from './event-checks';
import { formatJson, parseJson } from './json';
import { formatRaven, parseRaven } from './raven';
import type { AnnotationSet } from './types';

export type { AnnotationSet, SoundEvent } from './types';
export { AnnotationFormatError, AnnotationParseError } from './errors';
export { eventsByFile, filesOf, mergeSets, splitByFile, uniqueLabels } from './annotation-set';
export { formatNumber } from './numbers';
export { MAX_EVENT_SECONDS, type ParseOptions } from './event-checks';

export type AnnotationFormat = 'dcase' | 'audacity' | 'raven' | 'csv' | 'json';
export const ANNOTATION_FORMATS: readonly AnnotationFormat[] = ['dcase', 'audacity', 'raven', 'csv', 'json'];
/** Formats that describe a single recording: reading needs the file name, writing takes one recording. */
export const PER_FILE_FORMATS: readonly AnnotationFormat[] = ['audacity', 'raven'];
/** What a per-file format's file is called after its recording's name without the extension. */
export const PER_FILE_SUFFIX: Partial<Record<AnnotationFormat, string>> = { audacity: '.txt', raven: '.selections.txt' };


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

export async function readAnnotationFile(path: string, format?: AnnotationFormat, options: Omit<ParseOptions, 'source'> = {}): Promise<AnnotationSet> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AnnotationParseError(path, undefined, code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a file' : (error as Error).message);
  }
  const text = decodeUtf8(bytes, path);
  return parseAnnotations(text, format ?? guessAnnotationFormat(path, text), { ...options, source: path });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8: a byte sequence that is not UTF-8 is an error naming its line, not a silent U+FFFD. */
function decodeUtf8(bytes: Buffer, path: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    let line = 1;
    for (let start = 0; start < bytes.length; line++) {
      const end = bytes.indexOf(0x0a, start);
      const stop = end < 0 ? bytes.length : end;
      try {
        utf8.decode(bytes.subarray(start, stop));
      } catch {
        throw new AnnotationParseError(path, line, 'text is not valid UTF-8 (save the file as UTF-8)');
      }
      start = stop + 1;
    }
    throw new AnnotationParseError(path, undefined, 'text is not valid UTF-8 (save the file as UTF-8)');
  }
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
