import { eventsByFile } from './annotation-set';
import { checkedEvent, fail, optionalNumber, requireNumber, type ParseLocation, type ParseOptions } from './event-checks';
import { formatNumber } from './numbers';
import type { AnnotationSet, SoundEvent } from './types';

export const CSV_HEADER = ['filename', 'onset', 'offset', 'label', 'confidence'] as const;
/** Written only when some event has a frequency band, so files without bands keep the five columns. */
export const CSV_BAND_HEADER = ['low_frequency', 'high_frequency'] as const;

const ALIASES: Record<(typeof CSV_HEADER)[number] | (typeof CSV_BAND_HEADER)[number], string[]> = {
  filename: ['filename', 'file', 'file name', 'audio_filename', 'recording'],
  onset: ['onset', 'event_onset', 'start', 'begin', 'start_time'],
  offset: ['offset', 'event_offset', 'end', 'stop', 'end_time'],
  label: ['label', 'event_label', 'class', 'event'],
  confidence: ['confidence', 'probability', 'score'],
  low_frequency: ['low_frequency', 'low_freq', 'low frequency', 'low freq (hz)', 'freq_low', 'lowfrequency'],
  high_frequency: ['high_frequency', 'high_freq', 'high frequency', 'high freq (hz)', 'freq_high', 'highfrequency'],
};

interface CsvRecord {
  cells: string[];
  /** 1-based line on which the record starts. */
  line: number;
}

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsvRecords(text: string, source: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const input = text.replace(/^\uFEFF/, '');
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let recordLine = 1;
  const endCell = () => {
    cells.push(cell);
    cell = '';
    afterQuote = false;
  };
  const endRecord = () => {
    endCell();
    if (!(cells.length === 1 && cells[0] === '')) records.push({ cells, line: recordLine });
    cells = [];
  };
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (quoted) {
      if (ch === '"') {
        if (input[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (cell !== '' || afterQuote) fail({ source, line }, 'a quote (") inside an unquoted field; quote the whole field and double inner quotes');
      quoted = true;
    } else if (ch === ',') {
      endCell();
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && input[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      if (afterQuote) fail({ source, line }, 'text after a closing quote; expected a comma or end of line');
      cell += ch;
    }
  }
  if (quoted) fail({ source, line: recordLine }, 'quoted field is never closed');
  if (cell !== '' || cells.length > 0 || afterQuote) endRecord();
  return records;
}

/**
 * CSV with a header naming the columns (filename,onset,offset,label,confidence, optionally
 * low_frequency,high_frequency in Hz; common aliases accepted, any order). A row with a file name and no onset, offset or label lists a file with no event.
 */
export function parseCsv(text: string, options: ParseOptions = {}): AnnotationSet {
  const source = options.source ?? 'csv';
  const records = parseCsvRecords(text, source);
  const files: string[] = options.filename !== undefined ? [options.filename] : [];
  const note = (file: string) => {
    if (!files.includes(file)) files.push(file);
  };
  if (records.length === 0) return { files, events: [] };
  const header = records[0].cells.map((h) => h.trim().toLowerCase());
  const column = (name: keyof typeof ALIASES) => header.findIndex((h) => ALIASES[name].includes(h));
  const index = {
    filename: column('filename'),
    onset: column('onset'),
    offset: column('offset'),
    label: column('label'),
    confidence: column('confidence'),
    lowFrequency: column('low_frequency'),
    highFrequency: column('high_frequency'),
  };
  const headerAt = { source, line: records[0].line };
  if (index.onset < 0 || index.offset < 0 || index.label < 0) {
    const missing = (['onset', 'offset', 'label'] as const).filter((k) => index[k] < 0);
    fail(headerAt, `header ${JSON.stringify(records[0].cells.join(','))} has no ${missing.join(', ')} column (expected ${CSV_HEADER.join(',')})`);
  }
  const events: SoundEvent[] = [];
  for (const record of records.slice(1)) {
    const at: ParseLocation = { source, line: record.line, onWarning: options.onWarning };
    if (record.cells.length > header.length) fail(at, `row has ${record.cells.length} cells but the header names ${header.length} columns`);
    const get = (i: number) => (i >= 0 ? (record.cells[i] ?? '') : '');
    const filename = index.filename >= 0 && get(index.filename).trim() !== '' ? get(index.filename).trim() : (options.filename ?? '');
    const onsetText = get(index.onset).trim();
    const offsetText = get(index.offset).trim();
    const label = get(index.label);
    if (onsetText === '' && offsetText === '' && label.trim() === '') {
      if (filename === '') fail(at, 'row has neither a file name nor an event');
      note(filename);
      continue;
    }
    note(filename);
    events.push(
      checkedEvent(at, {
        filename,
        onset: requireNumber(at, 'onset', onsetText),
        offset: requireNumber(at, 'offset', offsetText),
        label,
        confidence: optionalNumber(at, 'confidence', get(index.confidence)),
        lowFrequency: optionalNumber(at, 'low_frequency', get(index.lowFrequency)),
        highFrequency: optionalNumber(at, 'high_frequency', get(index.highFrequency)),
      }),
    );
  }
  return { files, events };
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replace(/"/g, '""')}"` : cell;
}

const optionalCell = (value: number | undefined) => (value === undefined ? '' : formatNumber(value));

export function formatCsv(set: AnnotationSet): string {
  const withBands = set.events.some((e) => e.lowFrequency !== undefined || e.highFrequency !== undefined);
  const header: string[] = [...CSV_HEADER, ...(withBands ? CSV_BAND_HEADER : [])];
  const lines = [header.join(',')];
  for (const [file, events] of eventsByFile(set)) {
    if (events.length === 0) {
      if (file !== '') lines.push([quote(file), ...header.slice(1).map(() => '')].join(','));
      continue;
    }
    for (const e of events) {
      const cells = [quote(file), formatNumber(e.onset), formatNumber(e.offset), quote(e.label), optionalCell(e.confidence)];
      if (withBands) cells.push(optionalCell(e.lowFrequency), optionalCell(e.highFrequency));
      lines.push(cells.join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
