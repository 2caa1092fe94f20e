import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_MISSING, launchChromium } from './helpers/browser';
import { PLANTED, writeAudioFolder } from './helpers/audio';
import { ensureRendererBuilt, ROOT } from './helpers/renderer-build';
import { startServeProcess, type ServeProcess } from './helpers/serve-process';
import { openFolderInPage } from './helpers/studio';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

describe.skipIf(!chromiumAvailable)('earmark serve start-up (Chromium against the CLI)', () => {
  let tmp: string;
  let browser: Browser;
  let page: Page;
  let running: ServeProcess | null = null;

  beforeAll(async () => {
    ensureRendererBuilt();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'earmark-serve-'));
    writeAudioFolder(path.join(tmp, 'first'));
    writeAudioFolder(path.join(tmp, 'second'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  afterAll(async () => {
    if (running) await running.stop();
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('opens --open-folder in the page, keeps the address with --port, and reopens the last project', async () => {
    const port = await freePort();
    const args = ['--port', String(port), '--db', path.join(tmp, 'studio.db')];
    const first = await startServeProcess([...args, '--open-folder', path.join(tmp, 'first')]);
    running = first;
    expect(first.url.startsWith(`http://127.0.0.1:${port}/?token=`)).toBe(true);
    await page.goto(first.url);
    await expect.poll(() => page.locator('[data-testid="project-name"]').textContent()).toBe('first');
    await expect.poll(() => page.locator('[data-testid="file-row"]').count()).toBe(PLANTED.length);
    await page.waitForSelector('[data-testid="waveform"][data-ready="true"]');
    // The production page never evaluates the API's zod schemas: they are a chunk of their own, not fetched.
    expect(readdirSync(path.join(ROOT, 'out', 'renderer', 'assets')).some((f) => /^contract-.*\.js$/.test(f))).toBe(true);
    const scripts = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.js')));
    expect(scripts.length).toBeGreaterThan(1);
    expect(scripts.filter((n) => /\/contract-[^/]*\.js$/.test(n))).toEqual([]);

    // The user opens another folder in the page, then restarts the studio without --open-folder.
    await openFolderInPage(page, path.join(tmp, 'second'), PLANTED.length);
    await expect.poll(() => page.locator('[data-testid="project-name"]').textContent()).toBe('second');
    expect(await first.stop()).toBe(0);
    running = null;

    const second = await startServeProcess(args);
    running = second;
    expect(second.url).toBe(first.url);
    await page.reload();
    await expect.poll(() => page.locator('[data-testid="project-name"]').textContent()).toBe('second');
    await expect.poll(() => page.locator('[data-testid="file-row"]').count()).toBe(PLANTED.length);
    await page.waitForSelector('[data-testid="waveform"][data-ready="true"]');
  });
});
