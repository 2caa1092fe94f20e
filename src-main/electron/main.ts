/**
 * The desktop host: one BrowserWindow over the same service `earmark serve` uses. Thin on purpose:
 * every API call goes through the contract's schemas and the service; nothing else lives here.
 */
import { app, BrowserWindow, ipcMain, net, protocol, session, shell } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { ApiError, isApiMethod, parseParams } from '../api/contract';
import { createService } from '../service/service';
import type { EarmarkService } from '../service/types';
import { ELECTRON_CSP, MEDIA_SCHEME, mediaIdFromUrl } from './csp';
import { IPC_CALL, IPC_EVENT } from './ipc-channels';
import { nativeDialogs } from './native-dialogs';
import { resolveStaticPath } from '../server/static-files';
import { setBundledWorkerDir } from '../engine/workers/entry';

protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } }]);

const here = path.dirname(fileURLToPath(import.meta.url));
// The engine's worker threads are emitted next to this bundle (out/main/<name>.js).
setBundledWorkerDir(here);
let service: EarmarkService | null = null;
let mainWindow: BrowserWindow | null = null;

function resourcesDir(): string {
  return app.isPackaged ? path.join(process.resourcesPath, 'resources') : path.join(app.getAppPath(), 'resources');
}

function errorBody(error: unknown): { code: string; message: string; details?: unknown } {
  if (error instanceof ApiError) return error.toBody();
  return { code: 'internal', message: (error as Error)?.message ?? String(error) };
}

function registerIpc(svc: EarmarkService): void {
  ipcMain.handle(IPC_CALL, async (event, method: unknown, params: unknown) => {
    // Only our own window's top frame may call.
    if (!mainWindow || event.sender !== mainWindow.webContents || event.senderFrame !== mainWindow.webContents.mainFrame) {
      return { ok: false, error: { code: 'forbidden', message: 'calls are accepted from the studio window only' } };
    }
    try {
      if (!isApiMethod(method)) throw new ApiError('unknown-method', `unknown API method "${String(method).slice(0, 100)}"`);
      parseParams(method, params); // validated here as well as in the service, before anything runs
      return { ok: true, result: await svc.call(method, params) };
    } catch (error) {
      return { ok: false, error: errorBody(error) };
    }
  });
}

const RENDERER_DIR = path.join(here, '../renderer');

/**
 * One privileged scheme for everything the window loads: earmark://app/... is the built renderer
 * (served with the CSP header, so the policy holds whatever the HTML says) and earmark://media/<id>
 * streams a recording (Range supported, so <audio> can seek).
 */
function registerAppProtocol(svc: EarmarkService): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host === 'app') {
      const file = resolveStaticPath(RENDERER_DIR, url.pathname === '/' ? '/index.html' : url.pathname);
      if (!file) return new Response('not found', { status: 404 });
      const response = await net.fetch(pathToFileURL(file).toString());
      const headers = new Headers(response.headers);
      headers.set('Content-Security-Policy', ELECTRON_CSP);
      headers.set('X-Content-Type-Options', 'nosniff');
      return new Response(response.body, { status: response.status, headers });
    }
    const id = mediaIdFromUrl(request.url);
    if (id === null) return new Response('bad media URL', { status: 400 });
    try {
      const file = await svc.mediaFile(id);
      const response = await net.fetch(pathToFileURL(file.path).toString(), { headers: request.headers });
      const headers = new Headers(response.headers);
      headers.set('Content-Type', file.mimeType);
      return new Response(response.body, { status: response.status, headers });
    } catch (error) {
      return new Response(errorBody(error).message, { status: error instanceof ApiError && error.code === 'not-found' ? 404 : 500 });
    }
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Earmark',
    backgroundColor: '#1b1d21',
    show: false,
    webPreferences: {
      preload: path.join(here, '../preload/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  // No navigation away from the bundle and no new windows; external links open in the browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${MEDIA_SCHEME}://app/`) && url !== devUrl) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  if (!app.isPackaged && devUrl) void win.loadURL(devUrl);
  else void win.loadURL(`${MEDIA_SCHEME}://app/index.html`);
  return win;
}

async function start(): Promise<void> {
  await app.whenReady();
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  const dbPath = process.env.EARMARK_DB ?? path.join(app.getPath('userData'), 'earmark.db');
  service = await createService(
    { dbPath, resourcesDir: resourcesDir(), version: app.getVersion() },
    { host: 'electron', mediaUrl: (id) => `${MEDIA_SCHEME}://media/${id}`, ...nativeDialogs(() => mainWindow) },
  );
  registerIpc(service);
  registerAppProtocol(service);
  service.subscribe((event) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC_EVENT, event);
  });
  mainWindow = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('will-quit', () => {
  void service?.close();
});

start().catch((error) => {
  console.error('Earmark failed to start:', error);
  app.exit(1);
});
