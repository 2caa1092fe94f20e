import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const RENDERER_OUT = path.join(ROOT, 'out', 'renderer');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Written beside the build: the tests and the bench run the production build, as users get it. */
const BUILD_MARK = path.join(RENDERER_OUT, '.production-build');

/**
 * Builds the renderer with vite, in production mode (vitest's NODE_ENV=test would otherwise give
 * Vue's development build), when out/renderer is missing, older than its sources, or not marked
 * as a production build.
 */
export function ensureRendererBuilt(): void {
  const index = path.join(RENDERER_OUT, 'index.html');
  const sources = Math.max(newestMtime(path.join(ROOT, 'src-renderer')), newestMtime(path.join(ROOT, 'src-main', 'api')));
  if (existsSync(index) && existsSync(BUILD_MARK) && statSync(index).mtimeMs >= sources) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'src-renderer/vite.config.ts', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  writeFileSync(BUILD_MARK, 'NODE_ENV=production\n');
}
