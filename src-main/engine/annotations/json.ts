import { filesOf } from './annotation-set';
import { checkedEvent, fail, type ParseLocation, type ParseOptions } from './event-checks';
import { formatNumber } from './numbers';
import type { AnnotationSet, SoundEvent } from './types';

const clean = (value: number) => Number(formatNumber(value));

/** `{ "files": [...], "events": [{ filename, onset, offset, label, confidence? }] }`, validated field by field. */
export function parseJson(text: string, options: ParseOptions = {}): AnnotationSet {
  const source = options.source ?? 'json';
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    fail({ source }, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail({ source }, 'expected an object with "files" and "events"');
  const root = data as Record<string, unknown>;
  const rawFiles = root.files ?? [];
  const rawEvents = root.events;
  if (!Array.isArray(rawEvents)) fail({ source }, '"events" must be an array');
  if (!Array.isArray(rawFiles)) fail({ source }, '"files" must be an array of file names');
  const files: string[] = [];
  rawFiles.forEach((f, i) => {
    if (typeof f !== 'string') fail({ source }, `files[${i}] must be a string`);
    if (!files.includes(f)) files.push(f);
  });
  if (options.filename !== undefined && !files.includes(options.filename)) files.unshift(options.filename);
  const events: SoundEvent[] = rawEvents.map((raw, i) => {
    const at: ParseLocation = { source, onWarning: options.onWarning };
    const where = `events[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(at, `${where} must be an object`);
    const e = raw as Record<string, unknown>;
    const filename = e.filename ?? options.filename;
    if (typeof filename !== 'string') fail(at, `${where}.filename must be a string`);
    for (const key of ['onset', 'offset'] as const) {
      if (typeof e[key] !== 'number' || !Number.isFinite(e[key])) fail(at, `${where}.${key} must be a number`);
    }
    if (typeof e.label !== 'string') fail(at, `${where}.label must be a string`);
    for (const key of ['confidence', 'lowFrequency', 'highFrequency'] as const) {
      if (e[key] !== undefined && e[key] !== null && (typeof e[key] !== 'number' || !Number.isFinite(e[key]))) fail(at, `${where}.${key} must be a number`);
    }
    const optional = (key: 'confidence' | 'lowFrequency' | 'highFrequency') => (typeof e[key] === 'number' ? (e[key] as number) : undefined);
    try {
      return checkedEvent(at, {
        filename,
        onset: e.onset as number,
        offset: e.offset as number,
        label: e.label,
        confidence: optional('confidence'),
        lowFrequency: optional('lowFrequency'),
        highFrequency: optional('highFrequency'),
      });
    } catch (error) {
      fail(at, `${where}: ${(error as { reason?: string }).reason ?? (error as Error).message}`);
    }
  });
  return { files: filesOf({ files, events }), events };
}

export function formatJson(set: AnnotationSet): string {
  const events = set.events.map((e) => {
    const out: Record<string, unknown> = { filename: e.filename, onset: clean(e.onset), offset: clean(e.offset), label: e.label };
    if (e.confidence !== undefined) out.confidence = clean(e.confidence);
    if (e.lowFrequency !== undefined) out.lowFrequency = clean(e.lowFrequency);
    if (e.highFrequency !== undefined) out.highFrequency = clean(e.highFrequency);
    return out;
  });
  return `${JSON.stringify({ files: filesOf(set), events }, null, 2)}\n`;
}
