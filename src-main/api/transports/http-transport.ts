/**
 * Transport over `earmark serve`: POST /api/<method> with a bearer token; push events by
 * Server-Sent Events from /api/events?token=... (EventSource cannot send headers).
 */
import { ApiError } from '../wire';
import type { ApiTransport } from '../client';

export interface HttpTransportOptions {
  /** Server origin, e.g. 'http://127.0.0.1:5123'; default: the page's origin. */
  baseUrl?: string;
  token: string;
  fetch?: typeof fetch;
  /** EventSource constructor (absent in Node: subscribe then throws). */
  EventSource?: typeof EventSource;
}

/** Reads the token from the page URL (?token=...) and remembers it for reloads in this tab. */
export function tokenFromLocation(): string | null {
  if (typeof window === 'undefined') return null;
  const fromUrl = new URL(window.location.href).searchParams.get('token');
  if (fromUrl) {
    try {
      window.sessionStorage.setItem('earmark-token', fromUrl);
    } catch {
      /* storage may be disabled */
    }
    return fromUrl;
  }
  try {
    return window.sessionStorage.getItem('earmark-token');
  } catch {
    return null;
  }
}

export function createHttpTransport(options: HttpTransportOptions): ApiTransport {
  const base = (options.baseUrl ?? (typeof window !== 'undefined' ? window.location.origin : '')).replace(/\/$/, '');
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const ES = options.EventSource ?? (typeof EventSource !== 'undefined' ? EventSource : undefined);
  const listeners = new Set<(event: unknown) => void>();
  let source: EventSource | null = null;

  function open(): void {
    if (source || !ES) return;
    source = new ES(`${base}/api/events?token=${encodeURIComponent(options.token)}`);
    source.onmessage = (message) => {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      for (const listener of listeners) listener(data);
    };
    // EventSource reconnects by itself after network errors.
  }

  return {
    async call(method, params) {
      let response: Response;
      try {
        response = await doFetch(`${base}/api/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${options.token}` },
          body: JSON.stringify(params ?? {}),
        });
      } catch (error) {
        throw new ApiError('internal', `cannot reach the Earmark server: ${(error as Error).message}`);
      }
      const text = await response.text();
      let body: unknown = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        throw new ApiError('internal', `${method}: server sent a non-JSON response (HTTP ${response.status})`);
      }
      if (!response.ok) {
        const err = body as { error?: { code?: string; message?: string; details?: unknown } } | null;
        if (err?.error?.code && err.error.message) throw err.error;
        throw new ApiError('internal', `${method}: HTTP ${response.status}`);
      }
      return (body as { result: unknown }).result;
    },
    subscribe(listener) {
      if (!ES) throw new Error('EventSource is not available in this environment');
      listeners.add(listener);
      open();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  };
}
