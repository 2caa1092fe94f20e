/**
 * The renderer's one door to the service. It does not know which host it talks to:
 * the Electron preload bridge when present, otherwise HTTP to `earmark serve` with the page's token.
 */
import { createApiClient, type ApiClient, type ApiTransport } from '../../src-main/api/client';
import { createHttpTransport, tokenFromLocation } from '../../src-main/api/transports/http-transport';
import { createIpcTransport, hasIpcBridge } from '../../src-main/api/transports/ipc-transport';

export type { ApiClient };
export { ApiError } from '../../src-main/api/wire';

export function createTransport(): ApiTransport {
  if (hasIpcBridge()) return createIpcTransport();
  const token = tokenFromLocation();
  if (!token) throw new Error('No API token: open the address printed by `earmark serve` (it ends in ?token=…).');
  return createHttpTransport({ token });
}

let client: ApiClient | null = null;

export function api(): ApiClient {
  if (!client) client = createApiClient(createTransport());
  return client;
}

/** Tests inject a fake client. */
export function setApi(next: ApiClient | null): void {
  client = next;
}
