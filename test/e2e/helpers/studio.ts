import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parseTime } from '../../../src-renderer/lib/time';
import { startServer, type RunningServer } from '../../../src-main/server/server';
import { createService } from '../../../src-main/service/service';
import type { HostContext } from '../../../src-main/service/types';
import { PLANTED, writeAudioFolder, type PlantedFile } from './audio';
import { launchChromium } from './browser';
import { scriptedDetectorFor, writeScriptedResources } from './detector';
import { ensureRendererBuilt, RENDERER_OUT } from './renderer-build';

export interface Studio {
  server: RunningServer;
  tmp: string;
  audioDir: string;
  dbPath: string;
  dispose(): Promise<void>;
}

/** Test-only host hooks: `earmark serve` offers no system dialogs, so a test stands in for them. */
export type StudioHostHooks = Pick<HostContext, 'chooseFolder' | 'chooseSaveFile'>;

/** A temp folder of generated audio (`planted`) and `earmark serve`'s server on a temp database. */
export async function startStudio(planted: readonly PlantedFile[] = PLANTED, hostHooks: StudioHostHooks = {}): Promise<Studio> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'earmark-e2e-'));
  const audioDir = path.join(tmp, 'recordings');
  writeAudioFolder(audioDir, planted);
  const resourcesDir = writeScriptedResources(path.join(tmp, 'resources'));
  const dbPath = path.join(tmp, 'studio.db');
  const errors: string[] = [];
  const server = await startServer({
    rendererDir: RENDERER_OUT,
    createService: (host) => createService({ dbPath, resourcesDir, detectorFactory: scriptedDetectorFor(planted), homeDir: tmp }, { ...host, ...hostHooks }),
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

/**
 * Opens `dir` through the Open folder dialog and waits until its files are listed. Returns the page-clock
 * time (performance.now()) of the first frame that showed them. With `keyDelayMs`, the path is typed key by
 * key at that pace, as a person types it; otherwise it is filled in at once.
 */
export async function openFolderInPage(page: Page, dir: string, files: number, keyDelayMs?: number): Promise<number> {
  await page.click('[data-testid="open-folder"]');
  if (keyDelayMs === undefined) await page.fill('[data-testid="open-folder-path"]', dir);
  else {
    // The field opens on the listed folder's path: cleared first, as a person selects it and types over it.
    const field = page.locator('[data-testid="open-folder-path"]');
    await field.fill('');
    await field.pressSequentially(dir, { delay: keyDelayMs });
  }
  await page.click('[data-testid="open-folder-submit"]');
  const listed = await page.waitForFunction((n) => document.querySelectorAll('[data-testid="file-row"]').length === n && performance.now(), files);
  return (await listed.jsonValue()) as number;
}

/** Opens a listed file by name and waits until its waveform is ready and its spectrogram painted. */
export async function openFileInPage(page: Page, name: string): Promise<void> {
  await page.click(`[data-testid="file-row"][data-name="${name}"]`);
  await page.waitForSelector('[data-testid="waveform"][data-ready="true"]');
  await page.waitForSelector('[data-testid="spectrogram"][data-painted-end]');
}

/** Runs detection over the open project from the Detection panel, waits for it to finish and closes the panel. */
export async function detectAllInPage(page: Page): Promise<void> {
  await page.click('[data-testid="open-detection"]');
  await page.click('[data-testid="start-detection"]');
  await page.waitForSelector('[data-testid="detection-job"][data-status="done"]', { timeout: 60_000 });
  await page.keyboard.press('Escape');
}

/** The transport clock's current time, in seconds (NaN while it shows –). */
export async function clockSeconds(page: Page): Promise<number> {
  const parsed = parseTime(await page.locator('[data-testid="time"] .now').innerText());
  return parsed.ok ? parsed.value : NaN;
}

/** A FLAC that cannot be decoded: the magic number, then no STREAMINFO. */
export const BROKEN_FLAC = Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(64, 7)]);

export interface StudioPage {
  studio: Studio;
  browser: Browser;
  page: Page;
  dispose(): Promise<void>;
}

/** The studio in Chromium at `viewport`, with the generated folder (plus `extraFiles`) open in the page. */
export async function openStudioInChromium(
  viewport: { width: number; height: number },
  extraFiles: Record<string, Buffer> = {},
  planted: readonly PlantedFile[] = PLANTED,
  hostHooks: StudioHostHooks = {},
): Promise<StudioPage> {
  ensureRendererBuilt();
  const studio = await startStudio(planted, hostHooks);
  for (const [name, bytes] of Object.entries(extraFiles)) writeFileSync(path.join(studio.audioDir, name), bytes);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport });
  await page.goto(studio.server.studioUrl);
  await openFolderInPage(page, studio.audioDir, planted.length + Object.keys(extraFiles).length);
  return {
    studio,
    browser,
    page,
    async dispose() {
      await browser.close();
      await studio.dispose();
    },
  };
}
