import { eventsByFile } from '../annotations/annotation-set';
import type { AnnotationSet, SoundEvent } from '../annotations/types';

/** How reference and estimated files are paired: by the exact name, or by the name without folders. */
export type FileMatching = 'exact' | 'basename';

export interface FilePair {
  file: string;
  reference: SoundEvent[];
  estimated: SoundEvent[];
}

function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1];
}

/**
 * One pair per reference file (files without events included), in reference order, as sed_eval is
 * driven file by file. Estimated files missing from the reference are returned separately.
 */
export function pairFiles(reference: AnnotationSet, estimated: AnnotationSet, matching: FileMatching = 'exact'): { pairs: FilePair[]; unmatchedEstimated: string[] } {
  const key = matching === 'basename' ? baseName : (f: string) => f;
  const refGroups = eventsByFile(reference);
  const estGroups = new Map<string, { file: string; events: SoundEvent[] }>();
  for (const [file, events] of eventsByFile(estimated)) {
    const k = key(file);
    const existing = estGroups.get(k);
    if (existing) existing.events.push(...events);
    else estGroups.set(k, { file, events: [...events] });
  }
  const pairs: FilePair[] = [];
  const used = new Set<string>();
  for (const [file, events] of refGroups) {
    const k = key(file);
    if (used.has(k)) throw new Error(`two reference files share the name "${k}"; match files by exact name instead of basename`);
    used.add(k);
    pairs.push({ file, reference: events, estimated: estGroups.get(k)?.events ?? [] });
  }
  const unmatchedEstimated = [...estGroups.entries()].filter(([k, g]) => !used.has(k) && g.events.length > 0).map(([, g]) => g.file);
  return { pairs, unmatchedEstimated };
}
