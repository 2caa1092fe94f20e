import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../src-main/api/client';
import { ApiError } from '../src-main/api/contract';
import { createHttpTransport } from '../src-main/api/transports/http-transport';
import { parseRange } from '../src-main/server/media';
import { startServer, type RunningServer } from '../src-main/server/server';
import { resolveStaticPath } from '../src-main/server/static-files';
import { tokensEqual } from '../src-main/server/token';
import { createService } from '../src-main/service/service';
import { serveCommand } from '../src-main/cli/commands/serve';
import { resolveInsideRoot } from '../src-main/service/paths';
import { ELECTRON_CSP, mediaIdFromUrl } from '../src-main/electron/csp';

describe('server helpers', () => {
  it('parses byte ranges', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-2', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
  });

  it('keeps static and project paths inside their roots', () => {
    expect(resolveStaticPath('/srv/app', '/assets/a.js')).toBe('/srv/app/assets/a.js');
    expect(resolveStaticPath('/srv/app', '/../../etc/passwd')).toBe('/srv/app/etc/passwd');
    expect(resolveStaticPath('/srv/app', '/%2e%2e/%2e%2e/etc/passwd')).toBe('/srv/app/etc/passwd');
    expect(resolveStaticPath('/srv/app', '/%E0%A4%A')).toBeNull();
    expect(resolveInsideRoot('/data/p', 'out/x.txt')).toBe('/data/p/out/x.txt');
    for (const bad of ['../x', '../../etc/passwd', '/etc/passwd', 'a/../../x', '.', '/data/p2/x']) {
      expect(() => resolveInsideRoot('/data/p', bad)).toThrow(/outside the project folder|forbidden/);
    }
  });

  it('parses Electron media URLs strictly and keeps the desktop CSP closed', () => {
    expect(mediaIdFromUrl('earmark://media/12')).toBe(12);
    expect(mediaIdFromUrl('earmark://media/0')).toBeNull();
    expect(mediaIdFromUrl('earmark://media/../../etc/passwd')).toBeNull();
    expect(mediaIdFromUrl('earmark://media/12/x')).toBeNull();
    expect(mediaIdFromUrl('https://evil/media/12')).toBeNull();
    expect(ELECTRON_CSP).toContain("script-src 'self'");
    expect(ELECTRON_CSP).not.toMatch(/unsafe-eval|https?:/);
  });

  it('compares tokens exactly', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abd', 'abc')).toBe(false);
    expect(tokensEqual('ab', 'abc')).toBe(false);
    expect(tokensEqual(undefined, 'abc')).toBe(false);
    expect(tokensEqual('', '')).toBe(false);
  });
});

describe('earmark serve command', () => {
  it('refuses to bind anything but 127.0.0.1', async () => {
    let err = '';
    const code = await serveCommand.run(['--host', '0.0.0.0', '--no-open'], { stdout: () => {}, stderr: (t) => (err += t), isTTY: false });
    expect(code).toBe(2);
    expect(err).toMatch(/--host must be 127\.0\.0\.1/);
  });
});

describe('startServer with the HTTP transport', () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'earmark-server-'));
    server = await startServer({ rendererDir: dir, createService: (host) => createService({ dbPath: path.join(dir, 'db.sqlite'), resourcesDir: null, homeDir: dir }, host) });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers typed calls through createApiClient + createHttpTransport', async () => {
    const client = createApiClient(createHttpTransport({ baseUrl: server.url, token: server.token }), { validateResults: true });
    const info = await client.call('app.info', {});
    expect(info).toMatchObject({ name: 'Earmark', host: 'browser', model: null, homeDir: dir });
    expect(await client.call('projects.list', {})).toEqual([]);
    const project = await client.call('projects.open', { root: dir });
    expect(project.recordingCount).toBe(0);
    const error = await client.call('projects.get', { projectId: 77 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('not-found');
    const wrong = createApiClient(createHttpTransport({ baseUrl: server.url, token: 'nope' }));
    expect(((await wrong.call('projects.list', {}).catch((e: unknown) => e)) as ApiError).code).toBe('unauthorized');
  });

  it('serves the page with a strict CSP, and a clear 503 when the page is not built', async () => {
    const reply = await fetch(`${server.url}/`);
    expect(reply.status).toBe(503);
    const csp = reply.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(await reply.text()).toMatch(/npm run build:renderer/);
  });
});
