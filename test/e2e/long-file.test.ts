import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_MISSING, launchChromium } from './helpers/browser';
import { longestTask, timeUntilDrawn, watchDrawing, watchLongTasks, writeLongFlac } from './helpers/long-file';
import { ensureRendererBuilt } from './helpers/renderer-build';
import { openFolderInPage, startStudio, type Studio } from './helpers/studio';
import { hasTool } from '../engine/audio-fixtures';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

const LONG_SECONDS = 20 * 60;
/** Generous: the target is under 1 s; a page that decodes or draws the whole file misses this by far. */
const DRAWN_WITHIN_MS = 10_000;

describe.skipIf(!chromiumAvailable || !hasTool('sox'))('a 20-minute FLAC opened first (Chromium against earmark serve)', () => {
  let studio: Studio;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureRendererBuilt();
    studio = await startStudio();
    // Sorted first, so the folder opens on it.
    writeLongFlac(path.join(studio.audioDir, 'a-long.flac'), LONG_SECONDS);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await watchLongTasks(page);
    await watchDrawing(page);
    // Every switch of the detail layer, from the page's first script on.
    await page.addInitScript(() => {
      const switches: string[] = [];
      (window as unknown as { __detailSwitches: string[] }).__detailSwitches = switches;
      new MutationObserver((records) => {
        for (const r of records) switches.push((r.target as HTMLElement).getAttribute('data-active') ?? '');
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-active'] });
    });
    await page.goto(studio.server.studioUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.dispose();
  });

  it('draws the waveform and spectrogram of the visible span, and each zoom step, without stalling the page', async () => {
    const opened = Date.now();
    await openFolderInPage(page, studio.audioDir, 4);
    expect(await page.locator('[data-testid="file-row"]').first().getAttribute('data-name')).toBe('a-long.flac');
    const firstDraw = await timeUntilDrawn(page, LONG_SECONDS, DRAWN_WITHIN_MS, opened);
    console.info(`long file: first draw ${firstDraw} ms`);
    expect(firstDraw, 'whole file drawn').not.toBeNull();
    expect(await page.locator('[data-testid="time"]').innerText()).toContain('20:00');
    // Fitted to the view, the player's own waveform is fine enough: the detail layer (and the player's
    // re-render to hide its waveform) must not switch on for a window measured before the file loaded.
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __detailSwitches: string[] }).__detailSwitches)).not.toContain('true');

    const wave = (await page.locator('[data-testid="waveform"]').boundingBox())!;
    await page.mouse.move(wave.x + wave.width * 0.7, wave.y + wave.height / 2);
    for (const step of ['+', '+', '+', 'scroll']) {
      const since = Date.now();
      if (step === 'scroll') await page.mouse.wheel(600, 0);
      else await page.keyboard.press(step);
      const drawn = await timeUntilDrawn(page, LONG_SECONDS, DRAWN_WITHIN_MS, since);
      console.info(`long file: ${step} drawn in ${drawn} ms`);
      expect(drawn, `after ${step}`).not.toBeNull();
    }
    // Zoomed well in: the view is a small part of the file.
    expect(await page.locator('[data-testid="minimap-window"]').evaluate((el) => el.getBoundingClientRect().width)).toBeLessThan(wave.width / 2);
    expect(await longestTask(page), 'longest main-thread task, ms').toBeLessThan(1_000);
    expect(pageErrors).toEqual([]);
  });
});
