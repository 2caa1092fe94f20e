import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ENGINE_WORKER_SOURCES, type EngineWorkerName } from './names';

export { ENGINE_WORKER_SOURCES, type EngineWorkerName } from './names';

/** Where the engine's code runs from: TypeScript sources under tsx, or a bundle with its emitted worker files. */
export type WorkerHost = { kind: 'source' } | { kind: 'bundled'; dir: string };

/** What to hand `new Worker`: the script, and the workerData it needs on top of the caller's. */
export interface WorkerLaunch {
  script: URL;
  workerData: Record<string, unknown>;
}

let bundledDir: string | null = null;

/**
 * Called once by a bundled host (the Electron main) with the directory holding its emitted
 * worker files (out/main). From source this is never needed.
 */
export function setBundledWorkerDir(dir: string): void {
  bundledDir = dir;
}

/** This module's own host: a .ts URL means tsx/vitest; anything else is a bundle. */
export function currentWorkerHost(): WorkerHost {
  if (import.meta.url.endsWith('.ts')) return { kind: 'source' };
  if (!bundledDir) throw new Error('engine workers: running bundled, but the worker directory was never set (the host must call setBundledWorkerDir at start-up)');
  return { kind: 'bundled', dir: bundledDir };
}

/** Pure: how to start worker `name` on `host`. From source: tsx bootstrap + .ts entry; bundled: <dir>/<name>.js. */
export function resolveWorkerLaunch(name: EngineWorkerName, host: WorkerHost, workerData: Record<string, unknown> = {}): WorkerLaunch {
  if (host.kind === 'bundled') return { script: pathToFileURL(path.join(host.dir, `${name}.js`)), workerData };
  const entry = new URL(`../${ENGINE_WORKER_SOURCES[name]}`, import.meta.url).href;
  return { script: new URL('./bootstrap.mjs', import.meta.url), workerData: { ...workerData, entry } };
}

/** Starts engine worker `name` in a new thread, however this process runs the engine. */
export function startEngineWorker(name: EngineWorkerName, workerData: Record<string, unknown> = {}): Worker {
  const { script, workerData: data } = resolveWorkerLaunch(name, currentWorkerHost(), workerData);
  return new Worker(script, { workerData: data });
}
