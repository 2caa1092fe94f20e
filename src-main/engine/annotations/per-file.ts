import { filesOf } from './annotation-set';
import { AnnotationFormatError } from './errors';
import type { AnnotationSet } from './types';

/** The one recording a per-file format (Audacity, Raven) can hold; a clear error for several. */
export function singleRecording(set: AnnotationSet, format: string): string {
  const files = filesOf(set);
  if (files.length <= 1) return files[0] ?? '';
  const shown = files.slice(0, 3).map((f) => JSON.stringify(f)).join(', ');
  throw new AnnotationFormatError(
    `${format} files hold one recording, but this set has ${files.length} (${shown}${files.length > 3 ? ', ...' : ''}); ` +
      'write one file per recording (splitByFile, or `earmark convert` with an output folder)',
  );
}
