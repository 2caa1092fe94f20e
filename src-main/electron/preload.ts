/**
 * Runs sandboxed with context isolation: exposes exactly `window.earmark = { call, subscribe }`.
 * No Node or Electron object crosses the bridge; main validates everything again.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL, IPC_EVENT } from './ipc-channels';

const listeners = new Set<(event: unknown) => void>();
ipcRenderer.on(IPC_EVENT, (_event: IpcRendererEvent, payload: unknown) => {
  for (const listener of listeners) listener(payload);
});

contextBridge.exposeInMainWorld('earmark', {
  call(method: string, params: unknown): Promise<unknown> {
    if (typeof method !== 'string') return Promise.reject(new TypeError('method must be a string'));
    return ipcRenderer.invoke(IPC_CALL, method, params);
  },
  subscribe(listener: (event: unknown) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
});
