import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../src-main/api/client';
import { type ApiMethod, type ApiParams, type ApiResult } from '../src-main/api/contract';
import { createHttpTransport } from '../src-main/api/transports/http-transport';
import { startServer } from '../src-main/server/server';
import { createService } from '../src-main/service/service';
import type { EarmarkService, FolderDialogOptions, HostContext, SaveFileDialogOptions } from '../src-main/service/types';
import { splitFilePath, isAbsolutePath, joinPath } from '../src-renderer/lib/filePath';
import { apiRejection, callService } from './service-helpers';

const browserHost: HostContext = { host: 'browser', mediaUrl: (id) => `/media/${id}` };
const opened: { service: EarmarkService; dir: string }[] = [];

async function serviceFor(host: HostContext): Promise<<M extends ApiMethod>(method: M, params: ApiParams<M>) => Promise<ApiResult<M>>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earmark-dialogs-'));
  const service = await createService({ dbPath: path.join(dir, 'earmark.db'), resourcesDir: null, homeDir: dir }, host);
  opened.push({ service, dir });
  return (method, params) => callService(service, method, params);
}

/** A host whose dialogs answer from a script and record what they were asked. */
function scriptedHost(answers: { folder?: (string | null)[]; file?: (string | null)[] }) {
  const asked: { folder: FolderDialogOptions[]; file: SaveFileDialogOptions[] } = { folder: [], file: [] };
  const host: HostContext = {
    ...browserHost,
    host: 'electron',
    async chooseFolder(options) {
      asked.folder.push(options);
      return answers.folder?.shift() ?? null;
    },
    async chooseSaveFile(options) {
      asked.file.push(options);
      return answers.file?.shift() ?? null;
    },
  };
  return { host, asked };
}

afterEach(async () => {
  for (const { service, dir } of opened.splice(0)) {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('system dialogs through the API', () => {
  it('answers the folder and the file the host dialog chose, with its options', async () => {
    const { host, asked } = scriptedHost({ folder: ['/data/exports'], file: ['/data/exports/all.txt'] });
    const call = await serviceFor(host);
    expect((await call('app.info', {})).nativeDialogs).toBe(true);

    expect(await call('dialogs.chooseFolder', { title: 'Export to folder', defaultPath: '/data' })).toEqual({ path: '/data/exports' });
    expect(asked.folder).toEqual([{ title: 'Export to folder', defaultPath: '/data' }]);

    const filters = [{ name: 'DCASE', extensions: ['txt'] }];
    expect(await call('dialogs.chooseSaveFile', { title: 'Export as', defaultPath: '/data/annotations.txt', filters })).toEqual({ path: '/data/exports/all.txt' });
    expect(asked.file).toEqual([{ title: 'Export as', defaultPath: '/data/annotations.txt', filters }]);
  });

  it('answers null when the user cancels (or the dialog returns an empty path)', async () => {
    const { host } = scriptedHost({ folder: [null, ''], file: [null] });
    const call = await serviceFor(host);
    expect(await call('dialogs.chooseFolder', { title: 'Pick' })).toEqual({ path: null });
    expect(await call('dialogs.chooseFolder', { title: 'Pick' })).toEqual({ path: null });
    expect(await call('dialogs.chooseSaveFile', { title: 'Save', defaultPath: 'a.txt' })).toEqual({ path: null });
  });

  it("refuses with 'not-implemented' where the host has no dialogs, and says so in app.info", async () => {
    const call = await serviceFor(browserHost);
    expect((await call('app.info', {})).nativeDialogs).toBe(false);
    const folder = await apiRejection(call('dialogs.chooseFolder', { title: 'Pick' }));
    expect(folder.code).toBe('not-implemented');
    expect(folder.message).toBe('there is no system file dialog here: type the path instead');
    expect((await apiRejection(call('dialogs.chooseSaveFile', { title: 'Save', defaultPath: '/tmp/a.txt' }))).code).toBe('not-implemented');
  });

  it('offers dialogs only when the host has both', async () => {
    const call = await serviceFor({ ...browserHost, chooseFolder: async () => '/x' });
    expect((await call('app.info', {})).nativeDialogs).toBe(false);
    expect(await call('dialogs.chooseFolder', { title: 'Pick' })).toEqual({ path: '/x' });
    expect((await apiRejection(call('dialogs.chooseSaveFile', { title: 'Save', defaultPath: '/tmp/a.txt' }))).code).toBe('not-implemented');
  });

  it('validates params before any dialog opens', async () => {
    const { host, asked } = scriptedHost({ folder: ['/never'] });
    const call = await serviceFor(host);
    const bad: [ApiMethod, unknown, RegExp][] = [
      ['dialogs.chooseFolder', {}, /title/],
      ['dialogs.chooseFolder', { title: '  ' }, /title: must not be empty/],
      ['dialogs.chooseFolder', { title: 'a\nb' }, /control characters/],
      ['dialogs.chooseFolder', { title: 'Pick', defaultPath: 'x'.repeat(5000) }, /defaultPath/],
      ['dialogs.chooseFolder', { title: 'Pick', defaultPath: 'a\0b' }, /NUL/],
      ['dialogs.chooseFolder', { title: 'Pick', properties: ['openFile'] }, /properties/],
      ['dialogs.chooseSaveFile', { title: 'Save' }, /defaultPath/],
      ['dialogs.chooseSaveFile', { title: 'Save', defaultPath: '/a.txt', filters: [{ name: 'Text', extensions: ['.txt'] }] }, /without the dot/],
      ['dialogs.chooseSaveFile', { title: 'Save', defaultPath: '/a.txt', filters: [{ name: 'Text', extensions: [] }] }, /extensions/],
      ['dialogs.chooseSaveFile', { title: 'Save', defaultPath: '/a.txt', filters: [{ name: 'Text', extensions: ['txt'], x: 1 }] }, /x/],
    ];
    for (const [method, params, message] of bad) {
      const error = await apiRejection(call(method, params as never));
      expect(error.code, `${method} ${JSON.stringify(params)}`).toBe('invalid-params');
      expect(error.message).toMatch(message);
    }
    expect(asked.folder).toEqual([]);
  });

  it('earmark serve offers none: the HTTP host answers nativeDialogs false and 501', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'earmark-dialogs-http-'));
    const server = await startServer({ rendererDir: dir, createService: (host) => createService({ dbPath: path.join(dir, 'db.sqlite'), resourcesDir: null, homeDir: dir }, host) });
    try {
      const client = createApiClient(createHttpTransport({ baseUrl: server.url, token: server.token }), { validateResults: true });
      expect((await client.call('app.info', {})).nativeDialogs).toBe(false);
      expect((await apiRejection(client.call('dialogs.chooseFolder', { title: 'Pick' }))).code).toBe('not-implemented');
      const response = await fetch(`${server.url}/api/dialogs.chooseFolder`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: 'Pick' }),
      });
      expect(response.status).toBe(501);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('renderer file paths (what a dialog answered, split with string operations)', () => {
  it('splits a chosen file into its folder and name', () => {
    expect(splitFilePath('/data/exports/all.txt')).toEqual({ folder: '/data/exports', name: 'all.txt' });
    expect(splitFilePath('/all.txt')).toEqual({ folder: '/', name: 'all.txt' });
    expect(splitFilePath('C:\\Users\\me\\all.txt')).toEqual({ folder: 'C:\\Users\\me', name: 'all.txt' });
    expect(splitFilePath('C:\\all.txt')).toEqual({ folder: 'C:\\', name: 'all.txt' });
    expect(splitFilePath('all.txt')).toEqual({ folder: '', name: 'all.txt' });
  });

  it('joins and recognises absolute paths of either OS', () => {
    expect(joinPath('/data', 'a.txt')).toBe('/data/a.txt');
    expect(joinPath('/', 'a.txt')).toBe('/a.txt');
    expect(joinPath('C:\\data', 'a.txt')).toBe('C:\\data\\a.txt');
    expect(['/x', 'C:\\x', 'd:/x', '\\\\server\\share'].map(isAbsolutePath)).toEqual([true, true, true, true]);
    expect(['x', 'exports/day1', 'C:x'].map(isAbsolutePath)).toEqual([false, false, false]);
  });
});
