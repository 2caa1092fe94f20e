import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../api/contract';
import { hasAudioExtension, mapLimit } from './folder-scan';

/** The files an export must never replace: the open database (with its WAL and journal) and the project's audio. */
export interface ProtectedFiles {
  dbPath: string | null;
  audioPaths: readonly string[];
}

const DB_SUFFIXES = ['', '-wal', '-shm', '-journal'];

const sameFile = (a: { dev: number; ino: number }, b: { dev: number; ino: number } | null) => b !== null && a.dev === b.dev && a.ino === b.ino;

async function refuseProtected(target: string, files: ProtectedFiles): Promise<void> {
  if (hasAudioExtension(target)) throw new ApiError('forbidden-path', `export destination ${target} has an audio file extension`);
  const db = files.dbPath;
  const dbFiles = db ? DB_SUFFIXES.map((s) => db + s) : [];
  // By real path even when absent: SQLite would read a file created under a journal's name as one.
  const dbReal = db ? await realpath(db).catch(() => path.resolve(db)) : null;
  if (dbReal && DB_SUFFIXES.some((s) => target === dbReal + s)) throw new ApiError('forbidden-path', `export destination ${target} is the open project database`);
  const existing = await stat(target).catch(() => null);
  if (!existing) return;
  // Identity (device + inode), not names: catches hard links and every other alias of the same file.
  const dbStats = await Promise.all(dbFiles.map((f) => stat(f).catch(() => null)));
  if (dbStats.some((s) => sameFile(existing, s))) throw new ApiError('forbidden-path', `export destination ${target} is the open project database`);
  const audioStats = await mapLimit(files.audioPaths, 16, (f) => stat(f).catch(() => null));
  if (audioStats.some((s) => sameFile(existing, s))) throw new ApiError('forbidden-path', `export destination ${target} is an audio file of the project`);
  if (existing.isDirectory()) throw new ApiError('invalid-params', `export destination ${target} is a folder; give a file name`);
}

/**
 * Writes `text` to `target` (a real path) whole: a temporary file beside it, then a rename
 * (`overwrite`) or a hard link, which fails atomically when the target exists. Never replaces a
 * protected file; an existing file only with `overwrite` ('conflict' otherwise).
 */
export async function writeExportFile(target: string, text: string, overwrite: boolean, files: ProtectedFiles): Promise<void> {
  await refuseProtected(target, files);
  await mkdir(path.dirname(target), { recursive: true });
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temp, text, { encoding: 'utf8', flag: 'wx' });
  try {
    if (overwrite) await rename(temp, target);
    else await link(temp, target).catch((error: NodeJS.ErrnoException) => {
      // File systems without hard links (FAT, some network shares): an exclusive copy still never replaces.
      if (error.code === 'EPERM' || error.code === 'ENOTSUP' || error.code === 'EOPNOTSUPP') return copyFile(temp, target, constants.COPYFILE_EXCL);
      throw error;
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ApiError('conflict', `export destination ${target} already exists; pass overwrite: true to replace it`, { path: target });
    }
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}
