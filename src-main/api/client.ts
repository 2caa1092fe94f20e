/**
 * The typed API client the renderer uses. It knows nothing about the host: a transport
 * (IPC via the preload in Electron, HTTP in the browser) carries calls and push events.
 * Browser-safe: no Node imports. The zod schemas are imported only by a client that validates (outside
 * production builds): a production page never evaluates them.
 */
import type { ApiEvent, ApiEventListener, ApiMethod, ApiParams, ApiResult } from './contract';
import { ApiError, hasApiEventType, isApiErrorBody } from './wire';

export interface ApiTransport {
  /** Sends one call; resolves with the raw result or rejects with an ApiError. */
  call(method: string, params: unknown): Promise<unknown>;
  /** Receives push events; returns an unsubscribe function. */
  subscribe(listener: (event: unknown) => void): () => void;
}

export interface ApiClient {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  /** Typed push events (malformed ones are dropped; without validation, those of an unknown type). */
  subscribe(listener: ApiEventListener): () => void;
}

export interface ApiClientOptions {
  /** Parse results with the contract's result schemas (default: on outside production builds). */
  validateResults?: boolean;
}

function defaultValidate(): boolean {
  // Vite replaces import.meta.env.DEV; in plain Node (tests) it is undefined, so validate there too.
  const env = (import.meta as unknown as { env?: { DEV?: boolean; PROD?: boolean } }).env;
  return env?.PROD !== true;
}

/** Turns anything a transport rejects with into an ApiError. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isApiErrorBody(error)) return new ApiError(error.code, error.message, error.details);
  return new ApiError('internal', error instanceof Error ? error.message : String(error));
}

export function createApiClient(transport: ApiTransport, options: ApiClientOptions = {}): ApiClient {
  const validate = options.validateResults ?? defaultValidate();
  let schemas: typeof import('./contract') | undefined;
  const loading = validate ? import('./contract').then((module) => (schemas = module)) : undefined;
  return {
    async call(method, params) {
      let raw: unknown;
      try {
        raw = await transport.call(method, params ?? {});
      } catch (error) {
        throw toApiError(error);
      }
      if (!loading) return raw as ApiResult<typeof method>;
      const { api, describeZodError } = schemas ?? (await loading);
      const parsed = api[method].result.safeParse(raw);
      if (!parsed.success) throw new ApiError('internal', `${method} returned an unexpected result: ${describeZodError(parsed.error)}`);
      return parsed.data as ApiResult<typeof method>;
    },
    subscribe(listener) {
      const deliver = (raw: unknown, contract: typeof import('./contract')) => {
        const parsed = contract.ApiEvent.safeParse(raw);
        if (parsed.success) listener(parsed.data);
      };
      let active = true;
      const unsubscribe = transport.subscribe((raw) => {
        if (!loading) {
          if (hasApiEventType(raw)) listener(raw as ApiEvent);
        } else if (schemas) deliver(raw, schemas);
        else void loading.then((contract) => active && deliver(raw, contract));
      });
      return () => {
        active = false;
        unsubscribe();
      };
    },
  };
}
