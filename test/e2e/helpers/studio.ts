import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../../src-main/server/server';
import { createService } from '../../../src-main/service/service';
import { writeAudioFolder } from './audio';
import { scriptedDetectorFactory, writeScriptedResources } from './detector';
import { RENDERER_OUT } from './renderer-build';

export interface Studio {
  server: RunningServer;
  tmp: string;
  audioDir: string;
  dbPath: string;
  dispose(): Promise<void>;
}

/** A temp folder of generated audio and `earmark serve`'s server on a temp database. */
export async function startStudio(): Promise<Studio> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'earmark-e2e-'));
  const audioDir = path.join(tmp, 'recordings');
  writeAudioFolder(audioDir);
  const resourcesDir = writeScriptedResources(path.join(tmp, 'resources'));
  const dbPath = path.join(tmp, 'studio.db');
  const errors: string[] = [];
  const server = await startServer({
    rendererDir: RENDERER_OUT,
    createService: (host) => createService({ dbPath, resourcesDir, detectorFactory: scriptedDetectorFactory, homeDir: tmp }, host),
    onInternalError: (error, method) => errors.push(`${method}: ${(error as Error)?.stack ?? String(error)}`),
  });
  return {
    server,
    tmp,
    audioDir,
    dbPath,
    async dispose() {
      await server.close();
      rmSync(tmp, { recursive: true, force: true });
      if (errors.length) throw new Error(`server reported internal errors:\n${errors.join('\n')}`);
    },
  };
}
