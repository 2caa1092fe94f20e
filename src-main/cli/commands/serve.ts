import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineCommand } from '../command';
import { CliUsageError } from '../args';
import { createToken, startServer } from '../../server/server';
import { createService } from '../../service/service';
import { summaryOf } from '../registry';
import { buildRendererForProduction, RENDERER_DIR } from '../renderer-build';

/** Builds the renderer into out/renderer when it is missing; returns an error text or null. */
function buildRenderer(log: (text: string) => void): string | null {
  log('Building the studio page (out/renderer is missing)...\n');
  return buildRendererForProduction() ? null : 'the renderer build failed; run `npm run build:renderer` and look at its errors';
}

/**
 * Where `serve` keeps its database without --db: OPEN-FOLDER/.earmark/earmark.db (a hidden folder that
 * neither the folder scan nor an export can mistake for a recording or an annotation file), else the
 * user's data folder. An ./earmark.db left by earlier versions (their default) is kept in use, so no
 * one's edits seem to vanish; the note says how to move it.
 */
export function defaultDbPath(openFolder: string | undefined, cwd = process.cwd()): { path: string; note?: string } {
  const legacy = path.join(cwd, 'earmark.db');
  const preferred = openFolder
    ? path.join(path.resolve(cwd, openFolder), '.earmark', 'earmark.db')
    : path.join(process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share'), 'earmark', 'earmark.db');
  if (existsSync(legacy) && legacy !== preferred) {
    return { path: legacy, note: `using ${legacy}, the default location of earlier versions; move it to ${preferred} or pass --db to choose` };
  }
  return { path: preferred };
}

/**
 * With a fixed --port the printed address must survive restarts (a bookmark, an open tab), so the
 * token is kept beside the database, readable by its owner only; with --port 0 every run gets a new one.
 */
export function stableToken(dbPath: string): string {
  const file = path.join(path.dirname(dbPath), '.earmark-serve-token');
  const kept = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (/^[A-Za-z0-9_-]{32,}$/.test(kept)) return kept;
  const token = createToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

export const serveCommand = defineCommand(
  {
    name: 'serve',
    summary: summaryOf('serve'),
    positionals: [],
    options: {
      port: { kind: 'integer', description: 'Port to listen on; a fixed port keeps the same address (token) across runs (0 picks a free one, new token)', default: 0, min: 0, max: 65535, valueName: 'N' },
      db: { kind: 'string', description: 'Project database file (default: OPEN-FOLDER/.earmark/earmark.db, else ~/.local/share/earmark/earmark.db)', valueName: 'FILE' },
      host: { kind: 'string', description: 'Address to bind (only 127.0.0.1 is allowed)', default: '127.0.0.1', valueName: 'ADDR' },
      'open-folder': { kind: 'string', description: 'Open (scan) this audio folder as a project before serving; the page opens it (else the project opened last)', valueName: 'DIR' },
      open: { kind: 'boolean', description: 'Reserved: the address is printed, no browser is launched (--no-open is accepted)', default: false },
      'no-build': { kind: 'boolean', description: 'Do not build the studio page when out/renderer is missing', default: false },
    },
    examples: ['earmark serve --db studio.db', 'earmark serve --port 8123 --open-folder resources/examples'],
  },
  async ({ options }, io) => {
    if (options.host !== '127.0.0.1') throw new CliUsageError(`--host must be 127.0.0.1 (the studio is never exposed to the network), got "${options.host}"`);
    let rendererDir: string | null = RENDERER_DIR;
    if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) {
      const problem = options['no-build'] ? 'out/renderer is missing (run `npm run build:renderer`)' : buildRenderer(io.stderr);
      if (problem) {
        io.stderr(`earmark serve: ${problem}; serving the API only\n`);
        rendererDir = null;
      }
    }
    const chosen = options.db ? { path: path.resolve(options.db) } : defaultDbPath(options['open-folder']);
    if (chosen.note) io.stderr(`earmark serve: ${chosen.note}\n`);
    const dbPath = chosen.path;
    mkdirSync(path.dirname(dbPath), { recursive: true });
    const server = await startServer({
      port: options.port,
      ...(options.port !== 0 ? { token: stableToken(dbPath) } : {}),
      rendererDir,
      createService: (host) => createService({ dbPath }, host),
      onInternalError: (error, method) => io.stderr(`earmark serve: ${method}: ${(error as Error)?.stack ?? String(error)}\n`),
    });
    if (options['open-folder']) {
      try {
        const project = (await server.service.call('projects.open', { root: path.resolve(options['open-folder']) })) as { recordingCount: number; root: string };
        io.stderr(`Opened ${project.root} (${project.recordingCount} recordings)\n`);
      } catch (error) {
        await server.close();
        throw new CliUsageError(`--open-folder: ${(error as Error).message}`);
      }
    }
    io.stdout(`Earmark studio: ${server.studioUrl}\n`);
    io.stderr(`Database: ${dbPath}\nPress Ctrl+C to stop.\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
);
