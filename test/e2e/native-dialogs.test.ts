import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FolderDialogOptions, SaveFileDialogOptions } from '../../src-main/service/types';
import { chromiumAvailable, CHROMIUM_MISSING } from './helpers/browser';
import { PLANTED, SAMPLE_RATE } from './helpers/audio';
import { detectAllInPage, openFolderInPage, openStudioInChromium, startStudio, type Studio, type StudioPage } from './helpers/studio';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

const RAVEN_HEADER = 'Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tAnnotation';
const DCASE = ['day1/rec_a.wav\t1\t2.5\tbabycry', 'rec_b.wav\t3\t3.4\tglassbreak', 'rec_b.wav\t6.2\t6.5\tgunshot', 'rec_c.wav', ''].join('\n');

// `earmark serve` has no system dialogs; here the test stands in for the desktop host's, answering
// from a script, so the renderer's Choose… buttons run against the real service and export.
describe.skipIf(!chromiumAvailable)('system folder and save dialogs (Chromium, a host that offers them)', () => {
  let session: StudioPage;
  let studio: Studio;
  let page: Page;
  let picked: string;
  const answers = { folder: [] as (string | null)[], file: [] as (string | null)[] };
  const asked = { folder: [] as FolderDialogOptions[], file: [] as SaveFileDialogOptions[] };

  beforeAll(async () => {
    picked = mkdtempSync(path.join(os.tmpdir(), 'earmark-picked-'));
    session = await openStudioInChromium({ width: 1440, height: 900 }, {}, PLANTED, {
      chooseFolder: async (options) => {
        asked.folder.push(options);
        return answers.folder.shift() ?? null;
      },
      chooseSaveFile: async (options) => {
        asked.file.push(options);
        return answers.file.shift() ?? null;
      },
    });
    ({ studio, page } = session);
    await detectAllInPage(page);
  });

  afterAll(async () => {
    await session?.dispose();
    rmSync(picked, { recursive: true, force: true });
  });

  async function openExport(format: string): Promise<void> {
    await page.click('[data-testid="open-export"]');
    await page.locator('[data-testid="export-format"]').selectOption(format);
  }

  async function runExport(): Promise<string> {
    await page.click('[data-testid="export-run"]');
    await page.waitForSelector('[data-testid="export-result"]');
    const text = await page.locator('[data-testid="export-result"]').innerText();
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="export-dialog"]', { state: 'detached' });
    return text;
  }

  it('Choose… fills the folder from the folder dialog (cancel keeps it) and the export is written there', async () => {
    const folder = path.join(picked, 'raven');
    mkdirSync(folder);
    await openExport('raven');
    expect(await page.locator('[data-testid="export-choose-file"]').count()).toBe(0); // one file per recording: no file to name

    answers.folder.push(null);
    await page.click('[data-testid="export-choose-folder"]');
    await expect.poll(() => asked.folder.length).toBe(1);
    expect(asked.folder[0]).toEqual({ title: 'Export to folder', defaultPath: studio.audioDir });
    expect(await page.inputValue('[data-testid="export-folder"]')).toBe(studio.audioDir);

    answers.folder.push(folder);
    await page.click('[data-testid="export-choose-folder"]');
    await expect.poll(() => page.inputValue('[data-testid="export-folder"]')).toBe(folder);
    expect(await runExport()).toContain(`as 3 files to ${folder}`);
    const nyquist = SAMPLE_RATE / 2;
    expect(readFileSync(path.join(folder, 'day1', 'rec_a.selections.txt'), 'utf8')).toBe(
      [RAVEN_HEADER, `1\tSpectrogram 1\t1\t1\t2.5\t0\t${nyquist}\tbabycry`, ''].join('\n'),
    );
    expect(readFileSync(path.join(folder, 'rec_c.selections.txt'), 'utf8')).toBe(`${RAVEN_HEADER}\n`);
  });

  it('Choose… beside the file name fills folder and name from the save dialog and the export writes that file', async () => {
    const folder = path.join(picked, 'dcase');
    mkdirSync(folder);
    await openExport('dcase');
    await page.fill('[data-testid="export-folder"]', 'relative');

    answers.file.push(null);
    await page.click('[data-testid="export-choose-file"]');
    await expect.poll(() => asked.file.length).toBe(1);
    expect(asked.file[0]).toEqual({
      title: 'Export annotations as',
      defaultPath: path.join(studio.audioDir, 'relative', 'annotations_dcase.txt'),
      filters: [{ name: 'DCASE (tab-separated)', extensions: ['txt'] }],
    });
    expect(await page.inputValue('[data-testid="export-folder"]')).toBe('relative');
    expect(await page.inputValue('[data-testid="export-path"]')).toBe('');

    answers.file.push(path.join(folder, 'chosen.txt'));
    await page.click('[data-testid="export-choose-file"]');
    await expect.poll(() => page.inputValue('[data-testid="export-path"]')).toBe('chosen.txt');
    expect(await page.inputValue('[data-testid="export-folder"]')).toBe(folder);
    expect(await runExport()).toContain(`to ${path.join(folder, 'chosen.txt')}`);
    expect(readFileSync(path.join(folder, 'chosen.txt'), 'utf8')).toBe(DCASE);
  });

  it('Browse… in the Open folder dialog fills the path from the folder dialog', async () => {
    await page.click('[data-testid="open-folder"]');
    await page.fill('[data-testid="open-folder-path"]', studio.tmp);
    answers.folder.push(studio.audioDir);
    const before = asked.folder.length;
    await page.click('[data-testid="open-folder-browse"]');
    await expect.poll(() => asked.folder.length).toBe(before + 1);
    expect(asked.folder[before]).toEqual({ title: 'Open a folder of recordings', defaultPath: studio.tmp });
    await expect.poll(() => page.inputValue('[data-testid="open-folder-path"]')).toBe(studio.audioDir);
    await page.waitForSelector(`[data-testid="folder-listing"][data-path="${studio.audioDir}"]`);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="open-folder-dialog"]', { state: 'detached' });
  });

  it('shows no Choose… or Browse… where the host has no dialogs (plain earmark serve)', async () => {
    const plain = await startStudio();
    const other = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await other.goto(plain.server.studioUrl);
      await openFolderInPage(other, plain.audioDir, PLANTED.length);
      await other.click('[data-testid="open-export"]');
      await other.waitForSelector('[data-testid="export-folder"]');
      expect(await other.locator('[data-testid="export-path"]').count()).toBe(1);
      expect(await other.locator('[data-testid="export-choose-folder"], [data-testid="export-choose-file"]').count()).toBe(0);
      await other.keyboard.press('Escape');
      await other.click('[data-testid="open-folder"]');
      await other.waitForSelector('[data-testid="open-folder-path"]');
      expect(await other.locator('[data-testid="open-folder-browse"]').count()).toBe(0);
    } finally {
      await other.close();
      await plain.dispose();
    }
  });
});
