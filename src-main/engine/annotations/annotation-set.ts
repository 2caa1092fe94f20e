import type { AnnotationSet, SoundEvent } from './types';

/** Every file the set covers: its listed files first, then any file named only by an event, in order. */
export function filesOf(set: AnnotationSet): string[] {
  const seen = new Set<string>(set.files);
  const files = [...set.files];
  for (const event of set.events) {
    if (!seen.has(event.filename)) {
      seen.add(event.filename);
      files.push(event.filename);
    }
  }
  return files;
}

/** Groups events by file, keeping their order; files without events map to an empty list. */
export function eventsByFile(set: AnnotationSet): Map<string, SoundEvent[]> {
  const groups = new Map<string, SoundEvent[]>();
  for (const file of filesOf(set)) groups.set(file, []);
  for (const event of set.events) groups.get(event.filename)!.push(event);
  return groups;
}

/** One annotation set per recording, for per-file formats (Audacity, Raven). */
export function splitByFile(set: AnnotationSet): Map<string, AnnotationSet> {
  const result = new Map<string, AnnotationSet>();
  for (const [file, events] of eventsByFile(set)) result.set(file, { files: [file], events });
  return result;
}

/** Unique event labels in sorted order (the order sed_eval uses for its class list). */
export function uniqueLabels(events: readonly SoundEvent[]): string[] {
  return [...new Set(events.map((e) => e.label))].sort();
}

/** Merges sets; files keep first-seen order. */
export function mergeSets(...sets: AnnotationSet[]): AnnotationSet {
  const files: string[] = [];
  const seen = new Set<string>();
  for (const set of sets) {
    for (const file of filesOf(set)) {
      if (!seen.has(file)) {
        seen.add(file);
        files.push(file);
      }
    }
  }
  return { files, events: sets.flatMap((s) => s.events) };
}
