import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRendererForProduction, RENDERER_DIR } from '../../../src-main/cli/renderer-build';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const RENDERER_OUT = RENDERER_DIR;

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

/** Builds the renderer as `serve` does (production mode) when out/renderer is missing, older than its sources, or not marked as such a build. */
export function ensureRendererBuilt(): void {
  const index = path.join(RENDERER_OUT, 'index.html');
  const sources = Math.max(newestMtime(path.join(ROOT, 'src-renderer')), newestMtime(path.join(ROOT, 'src-main', 'api')));
  if (existsSync(index) && existsSync(BUILD_MARK) && statSync(index).mtimeMs >= sources) return;
  if (!buildRendererForProduction()) throw new Error('the renderer build failed (see vite\'s output above)');
  writeFileSync(BUILD_MARK, 'NODE_ENV=production\n');
}
