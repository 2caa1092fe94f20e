import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, apiErrorHttpStatus, isApiMethod, LIMITS, type ApiEvent } from '../api/contract';
import type { EarmarkService, HostContext } from '../service/types';
import { readJsonBody } from './body';
import { checkHostAndOrigin } from './host-check';
import { sendFileWithRange } from './media';
import { BROWSER_CSP, COMMON_HEADERS } from './security-headers';
import { sendStatic } from './static-files';
import { bearerToken, createToken, tokensEqual } from './token';

export { createToken };

export interface ServerOptions {
  /** Builds the service once the host context (media URLs) is known. */
  createService: (host: HostContext) => EarmarkService | Promise<EarmarkService>;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Only loopback is allowed. */
  host?: '127.0.0.1';
  /** Built renderer folder (index.html); null serves the API only. */
  rendererDir?: string | null;
  /** Fixed token (tests); default a fresh random one. */
  token?: string;
  /** Called for unexpected (500) errors. */
  onInternalError?: (error: unknown, method: string) => void;
  /** Limits on slow clients (defaults: SERVER_TIMEOUTS); tests shorten them. */
  timeouts?: Partial<ServerTimeouts>;
}

/** A request whose headers or body trickle in past these is dropped, so slow sockets cannot pile up. */
export interface ServerTimeouts {
  /** Whole header block. */
  headersMs: number;
  /** Whole request, headers and body. */
  requestMs: number;
  /** An API request body, from the end of the headers. */
  bodyMs: number;
  /** How often Node checks the header and request deadlines. */
  checkIntervalMs: number;
}

export const SERVER_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 30_000, bodyMs: 10_000, checkIntervalMs: 1_000 };

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  /** The page address with the token, as printed on stdout. */
  studioUrl: string;
  service: EarmarkService;
  close(): Promise<void>;
}

const SSE_HEARTBEAT_MS = 25_000;

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...COMMON_HEADERS, ...extra, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), 'Cache-Control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, error: ApiError, extra: Record<string, string> = {}): void {
  sendJson(res, apiErrorHttpStatus[error.code], { error: error.toBody() }, extra);
}

/** Starts the studio's HTTP host on 127.0.0.1. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  if (options.host !== undefined && options.host !== '127.0.0.1') throw new Error('earmark serve binds to 127.0.0.1 only');
  const token = options.token ?? createToken();
  const rendererDir = options.rendererDir ?? null;
  const timeouts = { ...SERVER_TIMEOUTS, ...options.timeouts };
  let port = 0;
  const sseClients = new Set<ServerResponse>();
  const service = await options.createService({
    host: 'browser',
    mediaUrl: (id) => `/media/${id}?token=${encodeURIComponent(token)}`,
  });

  const unsubscribe = service.subscribe((event: ApiEvent) => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const client of sseClients) client.write(line);
  });

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (!tokensEqual(bearerToken(req.headers.authorization), token)) {
      req.resume();
      sendError(res, new ApiError('unauthorized', 'missing or wrong API token (send Authorization: Bearer <token> as printed by earmark serve)'), { 'WWW-Authenticate': 'Bearer' });
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      sendJson(res, 405, { error: { code: 'invalid-params', message: `use POST for /api/${method}` } }, { Allow: 'POST' });
      return;
    }
    if (!isApiMethod(method)) {
      req.resume();
      sendError(res, new ApiError('unknown-method', `unknown API method "${method.slice(0, 100)}"`));
      return;
    }
    let params: unknown;
    try {
      params = await readJsonBody(req, LIMITS.maxBodyBytes, timeouts.bodyMs);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError('invalid-params', (error as Error).message);
      // Stop reading an oversized or stalled body; close the connection after answering.
      const unread = !req.complete;
      sendError(res, apiError, unread ? { Connection: 'close' } : {});
      if (unread) res.once('finish', () => req.destroy());
      return;
    }
    try {
      const result = await service.call(method, params);
      sendJson(res, 200, { result: result === undefined ? null : result });
    } catch (error) {
      if (error instanceof ApiError) sendError(res, error);
      else {
        options.onInternalError?.(error, method);
        sendError(res, new ApiError('internal', `${method} failed: ${(error as Error)?.message ?? String(error)}`));
      }
    }
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (!tokensEqual(url.searchParams.get('token'), token)) {
      sendError(res, new ApiError('unauthorized', 'missing or wrong token for the event stream'));
      return;
    }
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    sseClients.add(res);
    req.on('close', () => sseClients.delete(res));
  }

  async function handleMedia(req: IncomingMessage, res: ServerResponse, url: URL, idText: string): Promise<void> {
    if (!tokensEqual(url.searchParams.get('token'), token)) {
      sendError(res, new ApiError('unauthorized', 'missing or wrong token for media'));
      return;
    }
    const id = Number(idText);
    if (!/^\d{1,15}$/.test(idText) || !Number.isSafeInteger(id) || id < 1) {
      sendError(res, new ApiError('invalid-params', `bad recording id "${idText.slice(0, 40)}"`));
      return;
    }
    try {
      const file = await service.mediaFile(id);
      sendFileWithRange(req, res, file, COMMON_HEADERS);
    } catch (error) {
      sendError(res, error instanceof ApiError ? error : new ApiError('internal', (error as Error).message));
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = checkHostAndOrigin(req, port);
    if (refusal) {
      req.resume();
      sendError(res, new ApiError('forbidden', refusal));
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const path = url.pathname;
    if (path === '/api/events') return handleEvents(req, res, url);
    if (path.startsWith('/api/')) {
      let method: string;
      try {
        method = decodeURIComponent(path.slice(5));
      } catch {
        method = path.slice(5);
      }
      return handleApi(req, res, method);
    }
    const media = /^\/media\/([^/]+)$/.exec(path);
    if (media) return handleMedia(req, res, url, media[1]);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: { code: 'invalid-params', message: `${req.method} is not allowed here` } }, { Allow: 'GET, HEAD' });
      return;
    }
    const htmlHeaders = { 'Content-Security-Policy': BROWSER_CSP };
    if (rendererDir && (await sendStatic(res, rendererDir, path, COMMON_HEADERS, htmlHeaders))) return;
    if (path === '/' || path === '/index.html') {
      const text = '<!doctype html><title>Earmark</title><p>The studio page is not built. Run <code>npm run build:renderer</code> and restart <code>earmark serve</code>.</p>';
      res.writeHead(503, { ...COMMON_HEADERS, ...htmlHeaders, 'Content-Type': 'text/html; charset=utf-8' });
      res.end(text);
      return;
    }
    sendJson(res, 404, { error: { code: 'not-found', message: `no such path ${path.slice(0, 200)}` } });
  }

  const server = createServer({ connectionsCheckingInterval: timeouts.checkIntervalMs }, (req, res) => {
    handle(req, res).catch((error) => {
      options.onInternalError?.(error, 'http');
      if (!res.headersSent) sendError(res, new ApiError('internal', 'internal server error'));
      else res.destroy();
    });
  });
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const heartbeat = setInterval(() => {
    for (const client of sseClients) client.write(': ping\n\n');
  }, SSE_HEARTBEAT_MS);
  heartbeat.unref();

  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    token,
    port,
    studioUrl: `${url}/?token=${token}`,
    service,
    async close() {
      clearInterval(heartbeat);
      unsubscribe();
      for (const client of sseClients) client.end();
      sseClients.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await service.close();
    },
  };
}
