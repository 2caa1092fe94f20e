/**
 * The engine's worker threads: name -> source module, relative to src-main/engine. The name is also
 * the file the desktop main build emits for it (out/main/<name>.js, see electron.vite.config.ts).
 * No imports, so the build config can read it.
 */
export const ENGINE_WORKER_SOURCES = {
  'feature-worker': 'detect/feature-worker.ts',
  'finetune-worker': 'finetune/worker.ts',
  'gradient-worker': 'train/gradient-worker.ts',
  'peaks-worker': 'audio/peaks-worker.ts',
} as const;

export type EngineWorkerName = keyof typeof ENGINE_WORKER_SOURCES;
