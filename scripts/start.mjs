#!/usr/bin/env node
// `npm start`: runs the desktop app when Electron's binary is installed; otherwise says so and
// points to `earmark serve`, which runs the same studio in a browser.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');

/** The Electron executable if it is really there. Never `require('electron')`: that starts a download. */
function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const candidate = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
    return existsSync(candidate) ? candidate : null;
  }
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
if (!binary) {
  process.stderr.write(
    [
      "Electron's binary is not installed here (node_modules/electron has no dist/), so the desktop app cannot start.",
      '',
      'Run the same studio in your browser instead:',
      '',
      '  npx earmark serve --db earmark.db',
      '',
      'It prints an address like http://127.0.0.1:PORT/?token=... to open.',
      "To get the desktop app, download Electron's binary with network access (`node node_modules/electron/install.js`), then `npm start` again.",
      '',
    ].join('\n'),
  );
  process.exit(1);
}

const cli = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
const mode = process.argv.includes('--dev') ? 'dev' : 'preview';
const result = spawnSync(process.execPath, [cli, mode], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
