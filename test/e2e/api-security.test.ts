import Database from 'better-sqlite3';
import { request } from 'node:http';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile, openStore, type Store } from '../../src-main/engine/store';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { createService } from '../../src-main/service/service';
import { fakeDetectorFactory, makeAudioFolder, waitFor } from '../service-helpers';

// Talks HTTP to `startServer` directly: no browser needed.

let folder: ReturnType<typeof makeAudioFolder>;
let store: Store;
let server: RunningServer;
let projectId: number;
let recordingId: number;
let eventId: number;
let labelId: number;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: { result?: unknown; error?: { code: string; message: string } } | null;
}

function send(options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; host?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, method: options.method ?? 'POST', path: options.path, headers: { Host: options.host ?? `127.0.0.1:${server.port}`, ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json = null;
          try {
            json = JSON.parse(body);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

function api(method: string, params: unknown, token: string | null = server.token, extra: Record<string, string> = {}): Promise<Reply> {
  const body = JSON.stringify(params);
  return send({
    path: `/api/${method}`,
    headers: { 'Content-Type': 'application/json', ...(token !== null ? { Authorization: `Bearer ${token}` } : {}), ...extra },
    body,
  });
}

/** Every row of every table that an API call could change. */
function snapshot(): string {
  const db = new Database(folder.dbPath, { readonly: true });
  try {
    const tables = ['projects', 'recordings', 'label_sets', 'labels', 'events', 'event_versions', 'edits', 'edit_recording_states', 'models', 'detection_runs'];
    return JSON.stringify(tables.map((t) => db.prepare(`SELECT * FROM ${t}`).all().map((row) => JSON.stringify(row)).sort()));
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  folder = makeAudioFolder();
  store = openStore(folder.dbPath);
  store.addModel({ name: 'test-model', dirPath: folder.modelDir, classes: ['babycry', 'glassbreak', 'gunshot'] });
  server = await startServer({
    rendererDir: null,
    createService: (host) => createService({ store, resourcesDir: null, detectorFactory: fakeDetectorFactory, homeDir: folder.dir }, host),
  });
  const opened = await api('projects.open', { root: folder.root });
  projectId = (opened.json?.result as { id: number }).id;
  const { jobId } = (await api('detection.start', { projectId })).json?.result as { jobId: string };
  await waitFor(async () => ((await api('jobs.get', { jobId })).json?.result as { status: string }).status !== 'running' || undefined);
  // New files are listed under a placeholder hash and hashed in the background: let that settle before snapshots.
  await waitFor(async () => {
    const db = new Database(folder.dbPath, { readonly: true });
    try {
      const rows = db.prepare('SELECT abs_path, content_hash FROM recordings').all() as { abs_path: string; content_hash: string }[];
      for (const row of rows) if (row.content_hash !== (await hashFile(row.abs_path))) return undefined;
      return true;
    } finally {
      db.close();
    }
  });
  const recordings = (await api('recordings.list', { projectId })).json?.result as { id: number; path: string }[];
  recordingId = recordings.find((r) => r.path === 'a.wav')!.id;
  const events = (await api('events.list', { recordingId })).json?.result as { id: number; labelId: number }[];
  eventId = events[0].id;
  labelId = events[0].labelId;
});

afterAll(async () => {
  await server?.close();
  store?.close();
  rmSync(folder.dir, { recursive: true, force: true });
});

describe('earmark serve API security', () => {
  it('binds to 127.0.0.1 only and prints a tokenised URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.studioUrl).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('refuses requests without the token or with a wrong one (401) and changes nothing', async () => {
    const before = snapshot();
    const edit = { eventId, onset: 0.1 };
    for (const token of [null, '', 'wrong', `${server.token}x`, server.token.slice(0, -1)]) {
      const reply = await api('events.update', edit, token);
      expect(reply.status).toBe(401);
      expect(reply.json?.error?.code).toBe('unauthorized');
    }
    const basic = await send({ path: '/api/events.update', headers: { 'Content-Type': 'application/json', Authorization: `Basic ${server.token}` }, body: JSON.stringify(edit) });
    expect(basic.status).toBe(401);
    // The token in the query string is not accepted for API calls.
    const query = await send({ path: `/api/events.update?token=${server.token}`, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(edit) });
    expect(query.status).toBe(401);
    expect((await send({ method: 'GET', path: '/api/events' })).status).toBe(401);
    expect((await send({ method: 'GET', path: `/media/${recordingId}` })).status).toBe(401);
    expect((await send({ method: 'GET', path: `/media/${recordingId}?token=nope` })).status).toBe(401);
    // Unknown methods are not revealed without the token either.
    expect((await api('no.such', {}, null)).status).toBe(401);
    expect(snapshot()).toBe(before);
  });

  it('rejects bad input with a clear 4xx and leaves the database unchanged', async () => {
    const before = snapshot();
    const cases: { method: string; params: unknown; status: number; message: RegExp }[] = [
      { method: 'events.update', params: { eventId: 'one', onset: 0.1 }, status: 400, message: /eventId/ },
      { method: 'events.update', params: { eventId, onset: '0.1' }, status: 400, message: /onset/ },
      { method: 'events.update', params: { eventId, onset: -5 }, status: 400, message: /onset/ },
      { method: 'events.update', params: { eventId, offset: 1e300 }, status: 400, message: /offset/ },
      { method: 'events.update', params: { eventId, onset: 1.2, offset: 0.6 }, status: 400, message: /onset must be before offset/ },
      { method: 'events.update', params: { eventId, offset: 500 }, status: 400, message: /past the end/ },
      { method: 'events.update', params: { eventId: -1, onset: 0.1 }, status: 400, message: /eventId/ },
      { method: 'events.update', params: { eventId: 1.5, onset: 0.1 }, status: 400, message: /eventId/ },
      { method: 'events.update', params: { eventId: 99999, onset: 0.1 }, status: 404, message: /event 99999/ },
      { method: 'events.update', params: { eventId, onset: 0.1, admin: true }, status: 400, message: /admin/ },
      { method: 'events.create', params: { recordingId, labelId, onset: 0.5, offset: 0.5 }, status: 400, message: /onset must be before offset/ },
      { method: 'events.create', params: { recordingId, labelId: 424242, onset: 0.1, offset: 0.5 }, status: 404, message: /label 424242/ },
      { method: 'events.split', params: { eventId, at: 99 }, status: 400, message: /split point/ },
      { method: 'events.merge', params: { eventIds: Array.from({ length: 5000 }, (_, i) => i + 1) }, status: 400, message: /eventIds/ },
      { method: 'labels.create', params: { projectId, name: 'x'.repeat(10_000) }, status: 400, message: /name/ },
      { method: 'labels.create', params: { projectId, name: 'ok', color: 'red' }, status: 400, message: /colour/ },
      { method: 'export.run', params: { projectId, destination: '../../etc/earmark-owned.txt' }, status: 403, message: /outside the project/ },
      { method: 'export.run', params: { projectId, destination: '/etc/earmark-owned.txt' }, status: 403, message: /outside the project/ },
      { method: 'export.run', params: { projectId, format: 'exe' }, status: 400, message: /format/ },
      { method: 'recordings.peaks', params: { recordingId, peaksPerSecond: 1e9 }, status: 400, message: /peaksPerSecond/ },
      { method: 'recordings.spectrogram', params: { recordingId, start: 0, end: 1, columns: 1e7 }, status: 400, message: /columns/ },
      { method: 'projects.open', params: { root: 'relative/path' }, status: 400, message: /absolute/ },
      { method: 'projects.get', params: [1, 2, 3], status: 400, message: /expected object/i },
      { method: 'no.such', params: {}, status: 404, message: /unknown API method "no.such"/ },
    ];
    for (const c of cases) {
      const reply = await api(c.method, c.params);
      expect({ method: c.method, params: c.params, status: reply.status }).toEqual({ method: c.method, params: c.params, status: c.status });
      expect(reply.json?.error?.message).toMatch(c.message);
    }
    expect(snapshot()).toBe(before);
  });

  it('rejects malformed and oversized bodies, wrong content types and methods', async () => {
    const before = snapshot();
    const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` };
    const broken = await send({ path: '/api/events.update', headers, body: '{"eventId": 1,' });
    expect(broken.status).toBe(400);
    expect(broken.json?.error?.message).toMatch(/not valid JSON/);
    const big = await send({ path: '/api/labels.create', headers, body: JSON.stringify({ projectId, name: 'a', pad: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
    expect(big.json?.error?.message).toMatch(/limit/);
    const form = await send({ path: '/api/labels.create', headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'projectId=1&name=x' });
    expect(form.status).toBe(415);
    const get = await send({ method: 'GET', path: '/api/projects.list', headers });
    expect(get.status).toBe(405);
    expect(snapshot()).toBe(before);
  });

  it('refuses foreign Host and Origin headers (DNS rebinding, cross-site requests)', async () => {
    const before = snapshot();
    const rebinding = await send({ path: '/api/projects.list', host: `evil.example:${server.port}`, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` }, body: '{}' });
    expect(rebinding.status).toBe(403);
    expect(rebinding.json?.error?.message).toMatch(/Host header/);
    const crossSite = await api('events.delete', { eventId }, server.token, { Origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json?.error?.message).toMatch(/Origin/);
    expect(snapshot()).toBe(before);
    const same = await api('projects.list', {}, server.token, { Origin: `http://127.0.0.1:${server.port}` });
    expect(same.status).toBe(200);
  });

  it('serves media with Range and security headers, and applies a valid edit', async () => {
    const full = await send({ method: 'GET', path: `/media/${recordingId}?token=${server.token}` });
    expect(full.status).toBe(200);
    expect(full.headers['content-type']).toBe('audio/wav');
    expect(full.headers['accept-ranges']).toBe('bytes');
    const part = await send({ method: 'GET', path: `/media/${recordingId}?token=${server.token}`, headers: { Range: 'bytes=0-3' } });
    expect(part.status).toBe(206);
    expect(part.body).toBe('RIFF');
    expect(part.headers['content-range']).toBe(`bytes 0-3/${44 + 2 * 8000 * 2}`);
    const outside = await send({ method: 'GET', path: `/media/${recordingId}?token=${server.token}`, headers: { Range: 'bytes=999999-' } });
    expect(outside.status).toBe(416);
    expect((await send({ method: 'GET', path: `/media/..%2F..%2Fetc%2Fpasswd?token=${server.token}` })).status).toBe(400);
    expect(full.headers['x-content-type-options']).toBe('nosniff');
    expect(full.headers['referrer-policy']).toBe('no-referrer');

    const before = snapshot();
    const ok = await api('events.update', { eventId, onset: 0.6 });
    expect(ok.status).toBe(200);
    expect(snapshot()).not.toBe(before); // the snapshot does see a real change
    expect((ok.json?.result as { event: { onset: number } }).event.onset).toBe(0.6);
  });

  it('streams push events over SSE with the token', async () => {
    const received = new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}`, headers: { Host: `127.0.0.1:${server.port}` } }, (res) => {
        expect(res.headers['content-type']).toMatch(/text\/event-stream/);
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString('utf8');
          if (text.includes('recording.updated')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', (e) => (e.message.includes('aborted') || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      req.end();
    });
    await new Promise((r) => setTimeout(r, 100));
    await api('events.update', { eventId, offset: 1.3 });
    const text = await received;
    const line = text.split('\n').find((l) => l.startsWith('data: ') && l.includes('recording.updated'))!;
    expect(JSON.parse(line.slice(6))).toMatchObject({ type: 'recording.updated', recording: { id: recordingId } });
  });
});
