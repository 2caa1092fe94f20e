import { eventsByFile } from './annotation-set';
import { AnnotationFormatError } from './errors';
import { checkedEvent, fail, splitLines, type ParseLocation } from './event-checks';
import { formatNumber, isNumeric, parseNumber } from './numbers';
import type { AnnotationSet, SoundEvent } from './types';

/**
 * DCASE / sed_eval event lists, one line each, tab-separated (or whitespace-separated when a line has no tab):
 *   filename  onset  offset  label  [confidence]
 *   onset  offset  label  [confidence]               (no filename: options.filename, or '')
 *   filename  scene_label  onset  offset  label       (dcase_util's 5-column form)
 *   filename                                         (a file with no event, DCASE 2017 Task 2)
 * Blank lines and lines starting with '#' are skipped.
 */
export function parseDcase(text: string, options: { filename?: string; source?: string } = {}): AnnotationSet {
  const source = options.source ?? 'dcase event list';
  const defaultFile = options.filename ?? '';
  const files: string[] = [];
  const seen = new Set<string>();
  const note = (file: string) => {
    if (!seen.has(file)) {
      seen.add(file);
      files.push(file);
    }
  };
  const events: SoundEvent[] = [];
  splitLines(text).forEach((raw, index) => {
    const at: ParseLocation = { source, line: index + 1 };
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const fields = splitFields(raw);
    if (fields.length === 1) {
      if (isNumeric(fields[0])) fail(at, `a lone number "${fields[0]}" is not a file name; expected onset, offset and label`);
      note(fields[0]);
      return;
    }
    const start = timesStart(fields);
    if (start === undefined) fail(at, describeMissingTimes(fields));
    const filename = start === 0 ? defaultFile : fields[0];
    const onset = parseNumber(fields[start])!;
    const offset = parseNumber(fields[start + 1])!;
    const rest = fields.slice(start + 2);
    if (rest.length === 0 || rest[0] === '') fail(at, `missing label after onset ${fields[start]} and offset ${fields[start + 1]}`);
    let label = rest[0];
    let confidence: number | undefined;
    if (raw.includes('\t')) {
      if (rest.length >= 2 && isNumeric(rest[1])) confidence = parseNumber(rest[1]);
    } else if (rest.length >= 2 && isNumeric(rest[rest.length - 1])) {
      confidence = parseNumber(rest[rest.length - 1]);
      label = rest.slice(0, -1).join(' ');
    } else {
      label = rest.join(' ');
    }
    note(filename);
    events.push(checkedEvent(at, { filename, onset, offset, label, confidence }));
  });
  if (files.length === 0 && options.filename !== undefined) files.push(options.filename);
  return { files, events };
}

function splitFields(line: string): string[] {
  if (line.includes('\t')) {
    const fields = line.split('\t').map((f) => f.trim());
    while (fields.length > 0 && fields[fields.length - 1] === '') fields.pop();
    return fields;
  }
  return line.trim().split(/\s+/);
}

/**
 * Index of the onset field: two consecutive numbers at position 0, 1 or 2, preferring a pair followed
 * by a non-numeric label (so a numeric file name such as "123" is not taken for an onset).
 */
function timesStart(fields: string[]): number | undefined {
  let fallback: number | undefined;
  for (let k = 0; k <= 2 && k + 1 < fields.length; k++) {
    if (!isNumeric(fields[k]) || !isNumeric(fields[k + 1])) continue;
    if (k + 2 < fields.length && !isNumeric(fields[k + 2])) return k;
    fallback ??= k;
  }
  return fallback;
}

function describeMissingTimes(fields: string[]): string {
  const bad = fields.slice(0, 4).find((f, i) => i > 0 && !isNumeric(f) && i < 3);
  if (fields.length === 2) return `expected "filename onset offset label" or "onset offset label", got 2 fields`;
  return `no onset and offset found${bad !== undefined ? ` ("${bad}" is not a number)` : ''}; expected "filename onset offset label"`;
}

/** Writes tab-separated lines grouped by file; a file without events is written as its name alone. */
export function formatDcase(set: AnnotationSet): string {
  for (const e of set.events) {
    if (/[\t\r\n]/.test(e.label)) throw new AnnotationFormatError(`label ${JSON.stringify(e.label)} contains a tab or line break, which a DCASE event list cannot hold`);
    if (/[\t\r\n]/.test(e.filename)) throw new AnnotationFormatError(`file name ${JSON.stringify(e.filename)} contains a tab or line break, which a DCASE event list cannot hold`);
  }
  const lines: string[] = [];
  for (const [file, events] of eventsByFile(set)) {
    if (events.length === 0) {
      if (file !== '') lines.push(file);
      continue;
    }
    for (const e of events) {
      const cells = [formatNumber(e.onset), formatNumber(e.offset), e.label];
      if (file !== '') cells.unshift(file);
      if (e.confidence !== undefined) cells.push(formatNumber(e.confidence));
      lines.push(cells.join('\t'));
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
