import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_MISSING, launchChromium } from './helpers/browser';
import { PLANTED } from './helpers/audio';
import { ensureRendererBuilt } from './helpers/renderer-build';
import { startStudio, type Studio } from './helpers/studio';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

// The Open folder dialog lists the home folder when it opens. On a busy machine that listing can
// arrive after the user typed a path; it used to overwrite the typed path, so "Open" opened the
// home folder (here the studio's temp folder, the parent of recordings/) instead.
/** Holds the page's folder listings back until `release()`; `requested` settles when the first is asked for. */
async function holdFolderListings(page: Page): Promise<{ requested: Promise<void>; release: () => void }> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let listingRequested!: () => void;
  const requested = new Promise<void>((resolve) => (listingRequested = resolve));
  await page.route('**/api/folders.list', async (route) => {
    listingRequested();
    await held;
    await route.continue();
  });
  return { requested, release };
}

describe.skipIf(!chromiumAvailable)('open folder dialog (Chromium against earmark serve)', () => {
  let studio: Studio;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureRendererBuilt();
    studio = await startStudio();
    browser = await launchChromium();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.dispose();
  });

  it('opens the typed folder even when the initial folder listing arrives after the typing', async () => {
    const { requested, release } = await holdFolderListings(page);

    await page.goto(studio.server.studioUrl);
    await page.click('[data-testid="open-folder"]');
    await requested;
    await page.fill('[data-testid="open-folder-path"]', studio.audioDir);
    release();
    // The home folder's listing (studio.tmp) is shown, but the typed path stays.
    await page.waitForSelector(`[data-testid="folder-listing"][data-path="${studio.tmp}"]`);
    expect(await page.inputValue('[data-testid="open-folder-path"]')).toBe(studio.audioDir);

    await page.click('[data-testid="open-folder-submit"]');
    await expect.poll(() => page.locator('[data-testid="file-row"]').count()).toBe(PLANTED.length);
    const db = new Database(studio.dbPath, { readonly: true, fileMustExist: true });
    try {
      expect(db.prepare('SELECT root_dir FROM projects').all()).toEqual([{ root_dir: studio.audioDir }]);
      expect(db.prepare('SELECT rel_path FROM recordings ORDER BY rel_path').all()).toEqual(PLANTED.map((p) => ({ rel_path: p.relPath })).sort((a, b) => a.rel_path.localeCompare(b.rel_path)));
    } finally {
      db.close();
    }
  });

  it('leaves the path field alone once the user is on it, though nothing is typed yet; a folder clicked in the listing still fills it', async () => {
    // A studio of its own: no project open yet, so the field starts empty and the listing would fill it.
    const fresh = await startStudio();
    const freshPage = await browser.newPage();
    try {
      const { requested, release } = await holdFolderListings(freshPage);
      await freshPage.goto(fresh.server.studioUrl);
      await freshPage.click('[data-testid="open-folder"]');
      await requested;
      await freshPage.focus('[data-testid="open-folder-path"]');
      release();
      await freshPage.waitForSelector(`[data-testid="folder-listing"][data-path="${fresh.tmp}"]`);
      // Filling it now would put the listing's folder in front of what the user types next.
      expect(await freshPage.inputValue('[data-testid="open-folder-path"]')).toBe('');

      await freshPage.click('[data-testid="folder-listing"] .entry >> text=recordings');
      await expect.poll(() => freshPage.inputValue('[data-testid="open-folder-path"]')).toBe(fresh.audioDir);
    } finally {
      await freshPage.close();
      await fresh.dispose();
    }
  });
});
