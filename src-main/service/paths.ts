import path from 'node:path';
import { ApiError } from '../api/contract';

/**
 * Resolves `requested` (relative to `root`, or absolute) and refuses anything outside `root`
 * ('..' escapes, other absolute paths, NUL bytes) with ApiError('forbidden-path').
 */
export function resolveInsideRoot(root: string, requested: string, what = 'path'): string {
  if (requested.includes('\0')) throw new ApiError('forbidden-path', `${what} contains a NUL byte`);
  const base = path.resolve(root);
  const full = path.resolve(base, requested);
  const rel = path.relative(base, full);
  if (rel === '' || rel.startsWith(`..${path.sep}`) || rel === '..' || path.isAbsolute(rel)) {
    throw new ApiError('forbidden-path', `${what} "${requested.slice(0, 200)}" is outside the project folder ${base}`, { root: base });
  }
  return full;
}

/** '/'-separated relative path of `file` under `root`. */
export function relativePosix(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
