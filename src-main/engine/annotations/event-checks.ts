import { AnnotationParseError } from './errors';
import { formatNumber, parseNumber } from './numbers';
import type { SoundEvent } from './types';

/** Where a parser is: used to build errors that name the file and line. */
export interface ParseLocation {
  source: string;
  line?: number;
}

export function fail(at: ParseLocation, reason: string): never {
  throw new AnnotationParseError(at.source, at.line, reason);
}

/** Reads a required number field, with an error that names the field and the text found. */
export function requireNumber(at: ParseLocation, field: string, text: string | undefined): number {
  if (text === undefined || text.trim() === '') fail(at, `missing ${field}`);
  const value = parseNumber(text);
  if (value === undefined) fail(at, `${field} "${text.trim()}" is not a number`);
  return value;
}

/** Reads an optional number field (empty means absent). */
export function optionalNumber(at: ParseLocation, field: string, text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return requireNumber(at, field, text);
}

/** Builds an event after checking the times, label and confidence make sense. */
export function checkedEvent(
  at: ParseLocation,
  fields: { filename: string; onset: number; offset: number; label: string; confidence?: number; lowFrequency?: number; highFrequency?: number },
): SoundEvent {
  const { filename, onset, offset, label, confidence, lowFrequency, highFrequency } = fields;
  if (onset < 0) fail(at, `onset ${formatNumber(onset)} is negative`);
  if (offset < onset) fail(at, `offset ${formatNumber(offset)} is before onset ${formatNumber(onset)}`);
  if (label.trim() === '') fail(at, 'label is empty');
  if (confidence !== undefined && (confidence < 0 || confidence > 1)) fail(at, `confidence ${formatNumber(confidence)} is outside [0, 1]`);
  if (lowFrequency !== undefined && lowFrequency < 0) fail(at, `low frequency ${formatNumber(lowFrequency)} is negative`);
  if (lowFrequency !== undefined && highFrequency !== undefined && highFrequency < lowFrequency) {
    fail(at, `high frequency ${formatNumber(highFrequency)} is below low frequency ${formatNumber(lowFrequency)}`);
  }
  const event: SoundEvent = { filename, onset, offset, label: label.trim() };
  if (confidence !== undefined) event.confidence = confidence;
  if (lowFrequency !== undefined) event.lowFrequency = lowFrequency;
  if (highFrequency !== undefined) event.highFrequency = highFrequency;
  return event;
}

/** Splits text into lines (LF, CRLF or CR), dropping a leading byte-order mark. */
export function splitLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
