import { boundsError } from './events';
import { parseTime } from './time';

export type TimeField = 'onset' | 'offset';

/** Validate a time typed into the event table; returns the new bounds or the error to show. */
export function validateTimeEdit(
  field: TimeField,
  text: string,
  event: { onset: number; offset: number },
  duration: number | null,
): { ok: true; onset: number; offset: number } | { ok: false; error: string } {
  const parsed = parseTime(text);
  if (!parsed.ok) return parsed;
  const value = Math.round(parsed.value * 1000) / 1000;
  const onset = field === 'onset' ? value : event.onset;
  const offset = field === 'offset' ? value : event.offset;
  const problem = boundsError(onset, offset, duration);
  return problem ? { ok: false, error: problem } : { ok: true, onset, offset };
}
