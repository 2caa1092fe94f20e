import { eventsByFile } from './annotation-set';
import { unquoteCell, quoteCell, type Cell } from './cells';
import { checkedEvent, fail, requireNumber, splitLines, type ParseLocation, type ParseOptions } from './event-checks';
import { formatNumber, isNumeric, parseNumber } from './numbers';
import type { AnnotationSet, SoundEvent } from './types';

/**
 * DCASE / sed_eval event lists, one line each, tab-separated (or whitespace-separated when a line has no tab):
 *   filename  onset  offset  label  [confidence]
 *   onset  offset  label  [confidence]               (no filename: options.filename, or '')
 *   filename  scene_label  onset  offset  label       (dcase_util's 5-column form)
 *   filename                                         (a file with no event, DCASE 2017 Task 2; without a tab,
 *                                                     a name with spaces as long as none of its words is a number)
 * Blank lines and lines starting with '#' are skipped. A cell may be a JSON string (see quoteCell);
 * a tab-separated line with columns after the label (and confidence) is an error.
 */
export function parseDcase(text: string, options: ParseOptions = {}): AnnotationSet {
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
    const at: ParseLocation = { source, line: index + 1, onWarning: options.onWarning };
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const tabbed = raw.includes('\t');
    const fields = splitFields(raw);
    const numeric = (i: number) => i < fields.length && !fields[i].quoted && isNumeric(fields[i].text);
    // A file with no event; without tabs, a name with spaces (and no number) is one name too.
    if (fields.length === 1 || (!tabbed && !fields.some((_, i) => numeric(i)))) {
      if (numeric(0)) fail(at, `a lone number "${fields[0].text}" is not a file name; expected onset, offset and label`);
      note(fields.length === 1 ? fields[0].text : raw.trim());
      return;
    }
    const start = timesStart(fields.length, numeric);
    if (start === undefined) fail(at, describeMissingTimes(fields.map((f) => f.text), numeric));
    const filename = start === 0 ? defaultFile : fields[0].text;
    const onset = requireNumber(at, 'onset', fields[start].text);
    const offset = requireNumber(at, 'offset', fields[start + 1].text);
    const rest = fields.slice(start + 2);
    if (rest.length === 0 || rest[0].text === '') fail(at, `missing label after onset ${fields[start].text} and offset ${fields[start + 1].text}`);
    let label = rest[0].text;
    let confidence: number | undefined;
    if (tabbed) {
      const extra = rest.slice(1);
      if (extra.length > 0 && numeric(start + 3)) confidence = parseNumber(extra.shift()!.text);
      if (extra.length > 0) fail(at, `unexpected extra column${extra.length > 1 ? 's' : ''} after the ${confidence === undefined ? 'label' : 'confidence'}: ${extra.map((f) => JSON.stringify(f.text)).join(', ')}`);
    } else if (rest.length >= 2 && numeric(fields.length - 1)) {
      confidence = parseNumber(rest[rest.length - 1].text);
      label = rest.slice(0, -1).map((f) => f.text).join(' ');
    } else {
      label = rest.map((f) => f.text).join(' ');
    }
    note(filename);
    events.push(checkedEvent(at, { filename, onset, offset, label, confidence }));
  });
  if (files.length === 0 && options.filename !== undefined) files.push(options.filename);
  return { files, events };
}

/** Tab-separated cells, else whitespace-separated words; a line that is one JSON string is one cell. */
function splitFields(line: string): Cell[] {
  if (line.includes('\t')) {
    const fields = line.split('\t').map(unquoteCell);
    while (fields.length > 0 && fields[fields.length - 1].text === '' && !fields[fields.length - 1].quoted) fields.pop();
    return fields;
  }
  const whole = unquoteCell(line);
  return whole.quoted ? [whole] : line.trim().split(/\s+/).map(unquoteCell);
}

/**
 * Index of the onset field: two consecutive numbers at position 0, 1 or 2, preferring a pair followed
 * by a non-numeric label (so a numeric file name such as "123" is not taken for an onset).
 */
function timesStart(count: number, numeric: (i: number) => boolean): number | undefined {
  let fallback: number | undefined;
  for (let k = 0; k <= 2 && k + 1 < count; k++) {
    if (!numeric(k) || !numeric(k + 1)) continue;
    if (k + 2 < count && !numeric(k + 2)) return k;
    fallback ??= k;
  }
  return fallback;
}

function describeMissingTimes(fields: string[], numeric: (i: number) => boolean): string {
  const bad = fields.slice(0, 3).findIndex((_, i) => i > 0 && !numeric(i));
  if (fields.length === 2) return `expected "filename onset offset label" or "onset offset label", got 2 fields`;
  return `no onset and offset found${bad >= 0 ? ` ("${fields[bad]}" is not a number)` : ''}; expected "filename onset offset label"`;
}

/**
 * Writes tab-separated lines grouped by file; a file without events is written as its name alone.
 * Names and labels that would not read back as themselves are written as JSON strings (see quoteCell).
 */
export function formatDcase(set: AnnotationSet): string {
  const lines: string[] = [];
  for (const [file, events] of eventsByFile(set)) {
    if (events.length === 0) {
      if (file !== '') lines.push(nameOnlyLine(file));
      continue;
    }
    for (const e of events) {
      const cells = [formatNumber(e.onset), formatNumber(e.offset), quoteCell(e.label)];
      if (file !== '') cells.unshift(quoteCell(file));
      if (e.confidence !== undefined) cells.push(formatNumber(e.confidence));
      lines.push(cells.join('\t'));
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** A name with spaces reads back as one name unless one of its words is a number. */
function nameOnlyLine(file: string): string {
  const cell = quoteCell(file);
  return cell === file && file.split(/\s+/).some(isNumeric) ? JSON.stringify(file) : cell;
}
