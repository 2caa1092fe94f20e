import { AnnotationParseError } from './errors';
import { formatNumber, parseNumber } from './numbers';
import type { SoundEvent } from './types';

export interface ParseOptions {
  /** File name given to events when the format has none (Audacity, Raven, 3-column DCASE lists). */
  filename?: string;
  /** Name used in error messages, e.g. the path being read. */
  source?: string;
  /** Hears what is accepted but suspect (e.g. a zero-length event), as `source:line: reason`. */
  onWarning?: (message: string) => void;
}

/** Where a parser is: used to build errors that name the file and line. */
export interface ParseLocation {
  source: string;
  line?: number;
  onWarning?: (message: string) => void;
}

/** Times beyond this (about 11.6 days) are taken for a mistake (e.g. milliseconds or samples), not a recording. */
export const MAX_EVENT_SECONDS = 1e6;

const where = (at: ParseLocation) => (at.line === undefined ? at.source : `${at.source}:${at.line}`);

export function fail(at: ParseLocation, reason: string): never {
  throw new AnnotationParseError(at.source, at.line, reason);
}

export function warn(at: ParseLocation, reason: string): void {
  at.onWarning?.(`${where(at)}: ${reason}`);
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
  for (const [name, value] of [['onset', onset], ['offset', offset], ['confidence', confidence], ['low frequency', lowFrequency], ['high frequency', highFrequency]] as const) {
    if (value !== undefined && !Number.isFinite(value)) fail(at, `${name} ${value} is not a finite number`);
  }
  if (onset < 0) fail(at, `onset ${formatNumber(onset)} is negative`);
  if (offset > MAX_EVENT_SECONDS) fail(at, `offset ${formatNumber(offset)} s is implausible (more than ${MAX_EVENT_SECONDS} s); times are in seconds`);
  if (offset < onset) fail(at, `offset ${formatNumber(offset)} is before onset ${formatNumber(onset)}`);
  if (label.trim() === '') fail(at, 'label is empty');
  if (label.includes('\0')) fail(at, `label ${JSON.stringify(label)} contains a NUL character`);
  if (filename.includes('\0')) fail(at, `file name ${JSON.stringify(filename)} contains a NUL character`);
  if (offset === onset) warn(at, `zero-length event at ${formatNumber(onset)} s ("${label.trim()}")`);
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
