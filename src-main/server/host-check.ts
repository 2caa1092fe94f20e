import type { IncomingMessage } from 'node:http';

/**
 * DNS-rebinding and cross-site guards: the Host header must name the loopback address we are
 * bound to, and an Origin header, when present, must be our own origin.
 */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function checkHostAndOrigin(req: IncomingMessage, port: number): string | null {
  const hosts = allowedHosts(port);
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return `Host header "${host.slice(0, 100)}" is not this server (expected 127.0.0.1:${port})`;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      const url = new URL(origin);
      if (url.protocol !== 'http:') return `Origin "${origin.slice(0, 100)}" is not allowed`;
      originHost = url.host.toLowerCase();
    } catch {
      return `Origin "${origin.slice(0, 100)}" is not a valid origin`;
    }
    if (!hosts.has(originHost)) return `Origin "${origin.slice(0, 100)}" is not allowed`;
  } else if (origin === 'null') {
    return 'Origin "null" is not allowed';
  }
  return null;
}
