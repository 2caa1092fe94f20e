import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the studio page is built, and where `serve` (and the tests) serve it from. */
export const RENDERER_DIR = path.join(PACKAGE_ROOT, 'out', 'renderer');

/** Builds the studio page into RENDERER_DIR with vite, in production mode; true when index.html is there after it. */
export function buildRendererForProduction(): boolean {
  const result = spawnSync(process.execPath, [path.join(PACKAGE_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'src-renderer/vite.config.ts', '--logLevel', 'warn'], {
    cwd: PACKAGE_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    // Vite takes the build's mode from NODE_ENV: a caller's 'test' or 'development' would give Vue's dev build.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  return result.status === 0 && existsSync(path.join(RENDERER_DIR, 'index.html'));
}
