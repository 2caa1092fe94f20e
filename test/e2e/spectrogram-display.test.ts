import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_MISSING } from './helpers/browser';
import { openFileInPage, openStudioInChromium, type StudioPage } from './helpers/studio';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

interface Picture {
  /** Mean of r, g and b over the painted spectrogram. */
  brightness: number;
  /** Largest difference between a pixel's channels (0: all grey). */
  colourfulness: number;
}

describe.skipIf(!chromiumAvailable)('spectrogram display controls (Chromium against earmark serve)', () => {
  let session: StudioPage;
  let page: Page;
  const pageErrors: string[] = [];

  /** Samples the spectrogram canvas on a grid, away from the cursor line (NaN while it is not laid out or not painted). */
  const picture = (): Promise<Picture> =>
    page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="spectrogram"] canvas')!;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let sum = 0;
      let count = 0;
      let colourfulness = 0;
      for (let y = 2; y < canvas.height - 2; y += 7) {
        for (let x = Math.floor(canvas.width * 0.2); x < canvas.width - 2; x += 11) {
          const o = (y * canvas.width + x) * 4;
          const [r, g, b, a] = [data[o], data[o + 1], data[o + 2], data[o + 3]];
          if (a < 255) return { brightness: Number.NaN, colourfulness: Number.NaN }; // cleared, not painted yet
          sum += (r + g + b) / 3;
          count++;
          colourfulness = Math.max(colourfulness, Math.max(r, g, b) - Math.min(r, g, b));
        }
      }
      // A canvas not laid out yet (no rows to sample) is no picture: NaN fails every comparison, so polls wait.
      return count === 0 ? { brightness: Number.NaN, colourfulness: Number.NaN } : { brightness: sum / count, colourfulness };
    });

  beforeAll(async () => {
    session = await openStudioInChromium({ width: 1440, height: 900 });
    page = session.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await openFileInPage(page, 'rec_b.wav');
  }, 120_000);

  afterAll(() => session?.dispose());

  it('recolours the spectrogram with the colour map, gain and contrast, and keeps the choice after a reload', async () => {
    await expect.poll(async () => (await picture()).colourfulness).toBeGreaterThan(40); // magma
    await page.click('[data-testid="spectrogram-settings"]');
    await page.locator('[data-testid="spec-colormap"]').selectOption('grey');
    await expect.poll(async () => (await picture()).colourfulness).toBeLessThanOrEqual(2);
    const grey = await picture();

    await page.locator('[data-testid="spec-gain"]').fill('20');
    await expect.poll(async () => (await picture()).brightness).toBeGreaterThan(grey.brightness + 20);
    const brighter = await picture();
    await page.locator('[data-testid="spec-contrast"]').fill('3');
    await expect.poll(async () => Math.abs((await picture()).brightness - brighter.brightness)).toBeGreaterThan(5);

    await page.locator('[data-testid="spec-colormap"]').selectOption('inverted grey');
    await page.locator('[data-testid="spec-contrast"]').fill('1');
    await page.locator('[data-testid="spec-gain"]').fill('0');
    await expect.poll(async () => (await picture()).brightness).toBeGreaterThan(255 - grey.brightness - 3);

    await page.reload();
    await page.click('[data-testid="file-row"][data-name="rec_b.wav"]');
    await page.waitForSelector('[data-testid="spectrogram"][data-painted-end]');
    await page.click('[data-testid="spectrogram-settings"]');
    expect(await page.locator('[data-testid="spec-colormap"]').inputValue()).toBe('inverted grey');
    await page.click('[data-testid="spec-reset"]');
    await expect.poll(async () => (await picture()).colourfulness).toBeGreaterThan(40);
    expect(pageErrors).toEqual([]);
  });
});
