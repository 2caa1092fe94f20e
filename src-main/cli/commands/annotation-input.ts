import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { mergeSets, readAnnotationFile, type AnnotationFormat, type AnnotationSet } from '../../engine/annotations/index';

/** The name a recording gets from its annotation file inside a folder: the file name without extensions. */
export function recordingStem(path: string): string {
  let name = basename(path);
  while (extname(name) !== '') name = name.slice(0, -extname(name).length);
  return name;
}

/**
 * Reads an annotation file, or every file in a folder (sorted, hidden files skipped). In a folder each
 * file's events without their own file name (Audacity, Raven, 3-column lists) get the file's stem, so
 * `ref/rec1.txt` pairs with `est/rec1.txt`.
 */
export async function readAnnotationInput(
  path: string,
  format: AnnotationFormat | undefined,
  filename?: string,
  onWarning?: (message: string) => void,
): Promise<AnnotationSet> {
  let isFolder = false;
  try {
    isFolder = (await stat(path)).isDirectory();
  } catch {
    // readAnnotationFile reports the missing file with its path.
  }
  if (!isFolder) return readAnnotationFile(path, format, { filename, onWarning });
  const names = (await readdir(path)).filter((n) => !n.startsWith('.')).sort();
  const sets: AnnotationSet[] = [];
  for (const name of names) {
    const full = join(path, name);
    if (!(await stat(full)).isFile()) continue;
    sets.push(await readAnnotationFile(full, format, { filename: recordingStem(name), onWarning }));
  }
  if (sets.length === 0) throw new Error(`${path}: folder has no annotation files`);
  return mergeSets(...sets);
}
