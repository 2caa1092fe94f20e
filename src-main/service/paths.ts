import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../api/contract';

/**
 * The real path of `p` (symlinks resolved), also when `p` does not exist yet: the real path of its
 * nearest existing ancestor joined with the rest. A dangling symlink is refused, since writing
 * through it would create its target wherever it points.
 */
export async function realTarget(p: string, what = 'path'): Promise<string> {
  try {
    return await realpath(p);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new ApiError('forbidden-path', `${what} ${p} goes through a symbolic link loop`);
    if (code !== 'ENOENT') throw new ApiError('invalid-params', `${what} ${p}: ${(error as Error).message}`);
  }
  if ((await lstat(p).catch(() => null))?.isSymbolicLink()) throw new ApiError('forbidden-path', `${what} ${p} is a symbolic link to a missing target`);
  const parent = path.dirname(p);
  return parent === p ? p : path.join(await realTarget(parent, what), path.basename(p));
}

/**
 * Resolves `requested` (relative to `root`, or absolute) to its real path and refuses anything whose
 * real path is outside the real `root` ('..' escapes, other absolute paths, symlinks leading out,
 * NUL bytes) with ApiError('forbidden-path'). Containment is checked on real paths, not on the text.
 */
export async function resolveInsideRoot(root: string, requested: string, what = 'path'): Promise<string> {
  if (requested.includes('\0')) throw new ApiError('forbidden-path', `${what} contains a NUL byte`);
  const base = path.resolve(root);
  const [realBase, real] = await Promise.all([realTarget(base, 'project folder'), realTarget(path.resolve(base, requested), what)]);
  const rel = path.relative(realBase, real);
  if (rel === '' || rel.startsWith(`..${path.sep}`) || rel === '..' || path.isAbsolute(rel)) {
    throw new ApiError('forbidden-path', `${what} "${requested.slice(0, 200)}" is outside the project folder ${base}`, { root: base });
  }
  return real;
}

/** '/'-separated relative path of `file` under `root`. */
export function relativePosix(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
