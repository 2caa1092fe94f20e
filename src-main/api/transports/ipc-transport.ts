/**
 * Transport over the Electron preload: `window.earmark` exposes exactly `call` and `subscribe`.
 * The preload resolves every call with an envelope ({ ok, result } | { ok: false, error }) because
 * Electron strips custom properties from errors crossing IPC.
 */
import { ApiError } from '../wire';
import type { ApiTransport } from '../client';

export type IpcEnvelope = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; details?: unknown } };

/** The object the preload puts on `window.earmark`. */
export interface EarmarkBridge {
  call(method: string, params: unknown): Promise<IpcEnvelope>;
  subscribe(listener: (event: unknown) => void): () => void;
}

declare global {
  interface Window {
    earmark?: EarmarkBridge;
  }
}

export function hasIpcBridge(): boolean {
  return typeof window !== 'undefined' && typeof window.earmark?.call === 'function';
}

export function createIpcTransport(bridge: EarmarkBridge | undefined = typeof window !== 'undefined' ? window.earmark : undefined): ApiTransport {
  if (!bridge) throw new Error('window.earmark is not available: not running inside the Earmark desktop app');
  return {
    async call(method, params) {
      const envelope = await bridge.call(method, params);
      if (envelope.ok) return envelope.result;
      throw envelope.error; // client turns the body into an ApiError
    },
    subscribe(listener) {
      return bridge.subscribe(listener);
    },
  };
}

export { ApiError };
