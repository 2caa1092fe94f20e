/** Pure rules about events on one recording's timeline; generic over the API's event type. */
export interface Span {
  id: number | string;
  onset: number;
  offset: number;
}

/** Smallest event we allow a user to make, in seconds. */
export const MIN_EVENT_LENGTH = 0.01;

/** Check proposed bounds against the recording; returns an error message or null. */
export function boundsError(onset: number, offset: number, duration: number | null | undefined): string | null {
  if (!Number.isFinite(onset) || !Number.isFinite(offset)) return 'onset and offset must be numbers';
  if (onset < 0) return 'onset must not be negative';
  if (duration != null && offset > duration + 1e-6) return `offset must not pass the end of the file (${duration.toFixed(3)} s)`;
  if (offset - onset < MIN_EVENT_LENGTH) return `offset must be at least ${MIN_EVENT_LENGTH * 1000} ms after onset`;
  return null;
}

export function sortByOnset<T extends Span>(events: readonly T[]): T[] {
  return [...events].sort((a, b) => a.onset - b.onset || a.offset - b.offset);
}

/** First event starting strictly after `time` (plus a small tolerance so repeated presses advance). */
export function nextEvent<T extends Span>(events: readonly T[], time: number): T | null {
  return sortByOnset(events).find((e) => e.onset > time + 1e-3) ?? null;
}

/** Last event starting strictly before `time`. */
export function previousEvent<T extends Span>(events: readonly T[], time: number): T | null {
  const before = sortByOnset(events).filter((e) => e.onset < time - 1e-3);
  return before.length ? before[before.length - 1] : null;
}

/** Why `time` cannot split `event`, or null when it can. */
export function splitError(event: Span, time: number): string | null {
  if (time - event.onset < MIN_EVENT_LENGTH || event.offset - time < MIN_EVENT_LENGTH) {
    return 'place the cursor inside the selected event to split it';
  }
  return null;
}

/** Why these events cannot be merged, or null. */
export function mergeError(events: readonly { label: string }[]): string | null {
  if (events.length < 2) return 'select at least two events to merge (Ctrl+click)';
  const labels = new Set(events.map((e) => e.label));
  if (labels.size > 1) return `cannot merge events with different labels (${[...labels].join(', ')})`;
  return null;
}

/** Clamp a region dragged in the UI to the file and round to milliseconds, as stored. */
export function snapBounds(onset: number, offset: number, duration: number): { onset: number; offset: number } {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  const on = r(Math.max(0, Math.min(onset, duration)));
  const off = r(Math.max(on + MIN_EVENT_LENGTH, Math.min(offset, duration)));
  return { onset: on, offset: off };
}
