import { stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** Resolves a URL path inside `root`; null if it escapes it. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  const rel = path.relative(root, full);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return full;
}

/** Sends a file from the built renderer; index.html for '/', and for unknown extension-less paths (SPA routes). */
export async function sendStatic(res: ServerResponse, root: string, urlPath: string, headers: Record<string, string>, htmlHeaders: Record<string, string>): Promise<boolean> {
  let file = resolveStaticPath(root, urlPath === '/' ? '/index.html' : urlPath);
  if (!file) return false;
  let info = await stat(file).catch(() => null);
  if ((!info || !info.isFile()) && path.extname(file) === '') {
    file = path.join(root, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info || !info.isFile()) return false;
  const ext = path.extname(file).toLowerCase();
  const type = TYPES[ext] ?? 'application/octet-stream';
  const isHtml = ext === '.html';
  res.writeHead(200, {
    ...headers,
    ...(isHtml ? htmlHeaders : {}),
    'Content-Type': type,
    'Content-Length': String(info.size),
    // Hashed assets can be cached; the page itself must not be (it is tied to this run).
    'Cache-Control': isHtml ? 'no-store' : 'public, max-age=3600',
  });
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
  return true;
}
