import { isAbsolute } from 'node:path';
import { StoreValidationError } from './errors';

/** Durations from decoders are rounded; allow events to end this far past the file's end. */
export const DURATION_TOLERANCE_SECONDS = 1e-3;

export function requireText(value: unknown, field: string, context: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new StoreValidationError(`${context}: ${field} must be a non-empty string`, field);
  }
  return value;
}

export function requireLabel(value: unknown, context: string): string {
  const label = requireText(value, 'label', context);
  if (label !== label.trim()) {
    throw new StoreValidationError(`${context}: label ${JSON.stringify(label)} has leading or trailing spaces`, 'label');
  }
  return label;
}

export function requirePositiveInt(value: unknown, field: string, context: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new StoreValidationError(`${context}: ${field} must be a positive integer, got ${String(value)}`, field);
  }
  return value;
}

export function requireId(value: unknown, field: string, context: string): number {
  return requirePositiveInt(value, field, context);
}

export function validateEventTimes(onset: unknown, offset: unknown, durationSeconds: number | null, context: string): void {
  if (typeof onset !== 'number' || !Number.isFinite(onset)) {
    throw new StoreValidationError(`${context}: onset must be a finite number, got ${String(onset)}`, 'onset');
  }
  if (typeof offset !== 'number' || !Number.isFinite(offset)) {
    throw new StoreValidationError(`${context}: offset must be a finite number, got ${String(offset)}`, 'offset');
  }
  if (onset < 0) throw new StoreValidationError(`${context}: onset ${onset} is negative`, 'onset');
  if (!(onset < offset)) {
    throw new StoreValidationError(`${context}: onset ${onset} must be before offset ${offset}`, 'offset');
  }
  if (durationSeconds !== null && offset > durationSeconds + DURATION_TOLERANCE_SECONDS) {
    throw new StoreValidationError(
      `${context}: offset ${offset} is past the end of the recording (${durationSeconds} s)`,
      'offset',
    );
  }
}

export function validateConfidence(value: unknown, context: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new StoreValidationError(`${context}: confidence must be a number in [0, 1], got ${String(value)}`, 'confidence');
  }
  return value;
}

export function requireAbsolutePath(value: unknown, field: string, context: string): string {
  const path = requireText(value, field, context);
  if (!isAbsolute(path)) throw new StoreValidationError(`${context}: ${field} ${JSON.stringify(path)} is not absolute`, field);
  return path;
}

/** A path under the project root: relative, '/'-separated, never climbing out of the root. */
export function requireRelativePath(value: unknown, context: string): string {
  const path = requireText(value, 'relPath', context);
  if (isAbsolute(path) || /^[A-Za-z]:/.test(path)) {
    throw new StoreValidationError(`${context}: relPath ${JSON.stringify(path)} must be relative to the project root`, 'relPath');
  }
  if (path.includes('\\')) {
    throw new StoreValidationError(`${context}: relPath ${JSON.stringify(path)} must use '/' separators`, 'relPath');
  }
  if (path.split('/').some((part) => part === '..' || part === '')) {
    throw new StoreValidationError(`${context}: relPath ${JSON.stringify(path)} has an empty or '..' segment`, 'relPath');
  }
  return path;
}

export function requireSha256(value: unknown, context: string): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) {
    throw new StoreValidationError(`${context}: contentHash must be a lowercase hex sha256, got ${String(value)}`, 'contentHash');
  }
  return value;
}

export function requireJsonObject(value: unknown, field: string, context: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StoreValidationError(`${context}: ${field} must be a plain object`, field);
  }
  return value as Record<string, unknown>;
}

/**
 * An event's frequency band: both ends or neither (null), 0 <= low < high, and high at most the
 * recording's Nyquist frequency when its sample rate is known.
 */
export function validateBand(low: unknown, high: unknown, sampleRate: number | null, context: string): void {
  if (low === null && high === null) return;
  for (const [field, value] of [['lowFrequency', low], ['highFrequency', high]] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new StoreValidationError(`${context}: ${field} must be a finite number (or both ends null), got ${String(value)}`, field);
    }
  }
  const [lowHz, highHz] = [low as number, high as number];
  if (lowHz < 0) throw new StoreValidationError(`${context}: lowFrequency ${lowHz} Hz is negative`, 'lowFrequency');
  if (!(lowHz < highHz)) throw new StoreValidationError(`${context}: lowFrequency ${lowHz} Hz must be below highFrequency ${highHz} Hz`, 'highFrequency');
  if (sampleRate && highHz > sampleRate / 2 + 1e-6) {
    throw new StoreValidationError(`${context}: highFrequency ${highHz} Hz is above the recording's Nyquist frequency (${sampleRate / 2} Hz)`, 'highFrequency');
  }
}
