import { checkedEvent, fail, optionalNumber, requireNumber, splitLines, type ParseLocation, type ParseOptions } from './event-checks';
import { quoteCell, unquoteCell } from './cells';
import { formatNumber } from './numbers';
import { singleRecording } from './per-file';
import type { AnnotationSet, SoundEvent } from './types';

const LABEL_COLUMNS = ['annotation', 'species', 'label', 'class', 'call type', 'sound type', 'tags', 'tag', 'type', 'id'];
const FILE_COLUMNS = ['begin file', 'begin path', 'file', 'filename', 'file name'];

/**
 * Raven selection table: tab-separated with a header row. Needs "Begin Time (s)" and "End Time (s)"
 * and an annotation column (Annotation, Species, Label, ...; the first non-standard column otherwise).
 * Low/High Freq (Hz) are kept (both 0 means unset). Rows repeating a Selection number (one per view) are read once.
 * The file name comes from a "Begin File" column when there is one, else from options.filename.
 */
export function parseRaven(text: string, options: ParseOptions = {}): AnnotationSet {
  const source = options.source ?? 'raven selection table';
  const lines = splitLines(text);
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) return { files: options.filename !== undefined ? [options.filename] : [], events: [] };
  const header = lines[headerIndex].split('\t').map((h) => h.trim());
  const find = (...names: string[]) => header.findIndex((h) => names.includes(normalise(h)));
  const headerAt: ParseLocation = { source, line: headerIndex + 1 };
  const begin = find('begin time (s)', 'begin time', 'start time (s)', 'begin (s)');
  const end = find('end time (s)', 'end time', 'end (s)');
  if (begin < 0 || end < 0) fail(headerAt, `header has no ${begin < 0 ? '"Begin Time (s)"' : '"End Time (s)"'} column; is this a Raven selection table?`);
  const low = find('low freq (hz)', 'low freq', 'low frequency (hz)');
  const high = find('high freq (hz)', 'high freq', 'high frequency (hz)');
  const selection = find('selection');
  const fileColumn = header.findIndex((h) => FILE_COLUMNS.includes(normalise(h)));
  const confidenceColumn = find('confidence', 'score');
  let labelColumn = -1;
  for (const name of LABEL_COLUMNS) {
    labelColumn = find(name);
    if (labelColumn >= 0) break;
  }
  if (labelColumn < 0) labelColumn = header.findIndex((h) => !isStandardRavenColumn(h));
  if (labelColumn < 0) fail(headerAt, 'header has no annotation column (e.g. "Annotation" or "Species")');

  const defaultFile = options.filename ?? '';
  const files: string[] = options.filename !== undefined ? [options.filename] : [];
  const seenSelections = new Set<string>();
  const events: SoundEvent[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '') continue;
    const at: ParseLocation = { source, line: i + 1, onWarning: options.onWarning };
    const cells = raw.split('\t');
    if (cells.length > header.length) fail(at, `row has ${cells.length} cells but the header names ${header.length} columns`);
    if (selection >= 0) {
      const id = (cells[selection] ?? '').trim();
      if (id !== '' && seenSelections.has(id)) continue;
      seenSelections.add(id);
    }
    const fileCell = fileColumn >= 0 ? (cells[fileColumn] ?? '').trim() : '';
    const filename = fileCell !== '' ? fileCell : defaultFile;
    const lowHz = low >= 0 ? optionalNumber(at, 'Low Freq (Hz)', cells[low]) : undefined;
    const highHz = high >= 0 ? optionalNumber(at, 'High Freq (Hz)', cells[high]) : undefined;
    const unsetBand = (lowHz ?? 0) === 0 && (highHz ?? 0) === 0;
    const event = checkedEvent(at, {
      filename,
      onset: requireNumber(at, 'Begin Time (s)', cells[begin]),
      offset: requireNumber(at, 'End Time (s)', cells[end]),
      label: unquoteCell(cells[labelColumn] ?? '').text,
      confidence: confidenceColumn >= 0 ? optionalNumber(at, header[confidenceColumn], cells[confidenceColumn]) : undefined,
      lowFrequency: unsetBand ? undefined : lowHz,
      highFrequency: unsetBand ? undefined : highHz,
    });
    if (!files.includes(filename)) files.push(filename);
    events.push(event);
  }
  return { files, events };
}

function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, ' ');
}

function isStandardRavenColumn(name: string): boolean {
  const n = normalise(name);
  return (
    ['selection', 'view', 'channel', 'delta time (s)', 'delta freq (hz)', 'avg power density (db fs/hz)', 'begin file', 'begin path', 'file offset (s)'].includes(n) ||
    /(time|freq|frequency|power|energy|duration)\b.*\(/.test(n)
  );
}

const RAVEN_HEADER = ['Selection', 'View', 'Channel', 'Begin Time (s)', 'End Time (s)', 'Low Freq (Hz)', 'High Freq (Hz)', 'Annotation'];

export function formatRaven(set: AnnotationSet): string {
  singleRecording(set, 'Raven selection table');
  const withConfidence = set.events.some((e) => e.confidence !== undefined);
  const lines = [[...RAVEN_HEADER, ...(withConfidence ? ['Confidence'] : [])].join('\t')];
  set.events.forEach((e, i) => {
    const cells = [
      String(i + 1),
      'Spectrogram 1',
      '1',
      formatNumber(e.onset),
      formatNumber(e.offset),
      formatNumber(e.lowFrequency ?? 0),
      formatNumber(e.highFrequency ?? 0),
      quoteCell(e.label),
    ];
    if (withConfidence) cells.push(e.confidence === undefined ? '' : formatNumber(e.confidence));
    lines.push(cells.join('\t'));
  });
  return `${lines.join('\n')}\n`;
}
