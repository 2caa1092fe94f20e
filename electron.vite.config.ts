import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';
import { ENGINE_WORKER_SOURCES } from './src-main/engine/workers/names';

// Desktop build: main (ESM, dependencies external, better-sqlite3 loaded natively), the sandboxed
// preload (CommonJS, required by Electron's sandbox), and the renderer from src-renderer -> out/.
// The engine's worker threads are extra main entries with stable names (out/main/<name>.js), which
// src-main/engine/workers/entry.ts starts when bundled. (electron-vite's `?modulePath` import would
// do the same, but that syntax does not run from source under tsx.)
const workerInputs = Object.fromEntries(Object.entries(ENGINE_WORKER_SOURCES).map(([name, source]) => [name, resolve(__dirname, 'src-main/engine', source)]));

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/electron/main.ts'), ...workerInputs },
        output: { entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { preload: resolve(__dirname, 'src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    base: './',
    plugins: [vue()],
    build: {
      outDir: 'out/renderer',
      emptyOutDir: true,
      chunkSizeWarningLimit: 1500,
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
  },
});
