import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
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
import { defaultDbPath, serveCommand } from '../src-main/cli/commands/serve';
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

  it('keeps static and project paths inside their roots', async () => {
    expect(resolveStaticPath('/srv/app', '/assets/a.js')).toBe('/srv/app/assets/a.js');
    expect(resolveStaticPath('/srv/app', '/../../etc/passwd')).toBe('/srv/app/etc/passwd');
    expect(resolveStaticPath('/srv/app', '/%2e%2e/%2e%2e/etc/passwd')).toBe('/srv/app/etc/passwd');
    expect(resolveStaticPath('/srv/app', '/%E0%A4%A')).toBeNull();
    expect(await resolveInsideRoot('/data/p', 'out/x.txt')).toBe('/data/p/out/x.txt');
    for (const bad of ['../x', '../../etc/passwd', '/etc/passwd', 'a/../../x', '.', '/data/p2/x']) {
      await expect(resolveInsideRoot('/data/p', bad)).rejects.toThrow(/outside the project folder|forbidden/);
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

  it('keeps the default database in OPEN-FOLDER/.earmark, apart from recordings and exports', () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'earmark-dbpath-'));
    try {
      expect(defaultDbPath('.', cwd)).toEqual({ path: path.join(cwd, '.earmark', 'earmark.db') });
      expect(defaultDbPath('/data/rec', cwd)).toEqual({ path: '/data/rec/.earmark/earmark.db' });
      expect(defaultDbPath(undefined, cwd).path).toMatch(/earmark[/\\]earmark\.db$/);
      writeFileSync(path.join(cwd, 'earmark.db'), '');
      const legacy = defaultDbPath('.', cwd);
      expect(legacy.path).toBe(path.join(cwd, 'earmark.db'));
      expect(legacy.note).toMatch(/earlier versions/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
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

describe('startServer: slow clients', () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'earmark-slow-'));
    server = await startServer({
      rendererDir: null,
      createService: (host) => createService({ dbPath: path.join(dir, 'db.sqlite'), resourcesDir: null, homeDir: dir }, host),
      timeouts: { headersMs: 300, requestMs: 600, bodyMs: 300, checkIntervalMs: 50 },
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends `head` then trickles `trickle` one byte every 50 ms; resolves with what the server answered once it closes the socket. */
  function trickle(head: string, slow: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(server.port, '127.0.0.1');
      let answer = '';
      let sent = 0;
      const ticker = setInterval(() => {
        if (sent < slow.length && !socket.destroyed) socket.write(slow[sent++]);
      }, 50);
      // Bounds the test: a server that never drops the socket fails it instead of hanging.
      const guard = setTimeout(() => {
        socket.destroy();
        reject(new Error(`the server kept a trickling request open (${sent} bytes sent)`));
      }, 20_000);
      socket.on('connect', () => socket.write(head));
      socket.on('data', (c: Buffer) => (answer += c.toString()));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(ticker);
        clearTimeout(guard);
        resolve(answer);
      });
    });
  }

  it('drops a request whose headers trickle in', async () => {
    const headers = `Host: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\n`.repeat(40);
    const answer = await trickle('POST /api/app.info HTTP/1.1\r\n', headers);
    expect(answer === '' || /^HTTP\/1\.1 408/.test(answer)).toBe(true);
  });

  it('drops a request whose body trickles in, answering why', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(400) });
    const head = `POST /api/app.info HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const answer = await trickle(head, body);
    expect(answer).toMatch(/^HTTP\/1\.1 (400|408)/);
    if (answer.startsWith('HTTP/1.1 400')) expect(answer).toMatch(/request body not received within 0\.3 s/);
  });

  it('still answers a normal request', async () => {
    const reply = await fetch(`${server.url}/api/app.info`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(reply.status).toBe(200);
  });
});
