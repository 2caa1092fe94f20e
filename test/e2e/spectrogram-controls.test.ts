import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResult } from '../../src-main/api/contract';
import { chromiumAvailable, CHROMIUM_MISSING } from './helpers/browser';
import { openFileInPage, openStudioInChromium, type StudioPage } from './helpers/studio';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

const SPECTROGRAM = '[data-testid="spectrogram"]';

describe.skipIf(!chromiumAvailable)('spectrogram height, frequency range and FFT size (Chromium against earmark serve)', () => {
  let session: StudioPage;
  let page: Page;
  const pageErrors: string[] = [];

  const call = <T>(method: string, params: unknown) => session.studio.server.service.call(method, params) as Promise<T>;
  const rect = async (selector: string) => (await page.locator(selector).first().boundingBox())!;
  const attr = (name: string) => page.locator(SPECTROGRAM).getAttribute(name);
  /** Where the box's top and bottom edges sit, as fractions of the spectrogram's height from its top. */
  const boxEdges = async (): Promise<[number, number]> => {
    const spec = await rect(SPECTROGRAM);
    const box = await rect('[data-testid="freq-box"]');
    return [(box.y - spec.y) / spec.height, (box.y + box.height - spec.y) / spec.height];
  };
  const tickLabels = () => page.locator('[data-testid="spectrogram-tick"]').allInnerTexts();

  async function openQuietFile(): Promise<void> {
    await openFileInPage(page, 'rec_c.wav');
  }

  beforeAll(async () => {
    session = await openStudioInChromium({ width: 1440, height: 900 });
    page = session.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const projectId = (await call<{ id: number }[]>('projects.list', {}))[0].id;
    const recordingId = (await call<ApiResult<'recordings.list'>>('recordings.list', { projectId })).find((r) => r.name === 'rec_c.wav')!.id;
    const label = await call<{ id: number }>('labels.create', { projectId, name: 'whistle' });
    await call('events.create', { recordingId, labelId: label.id, onset: 2, offset: 4, lowFrequency: 2000, highFrequency: 3000 });
    await openQuietFile();
    await page.click('[data-testid="scale-linear"]');
    await page.waitForSelector(`${SPECTROGRAM}[data-max-hz="8000"]`);
  }, 120_000);

  afterAll(() => session?.dispose());

  it('shows a chosen frequency range, with the boxes and the axis on it, and refuses an empty range', async () => {
    // Linear, 0 Hz to Nyquist (8 kHz): a 2–3 kHz box spans 62.5 % to 75 % of the height from the top.
    let [top, bottom] = await boxEdges();
    expect(top).toBeCloseTo(1 - 3000 / 8000, 2);
    expect(bottom).toBeCloseTo(1 - 2000 / 8000, 2);
    expect(await attr('data-min-hz')).toBe('0');

    await page.click('[data-testid="spectrogram-settings"]');
    await page.fill('[data-testid="spec-min-hz"]', '1000');
    await page.fill('[data-testid="spec-max-hz"]', '5k');
    await page.press('[data-testid="spec-max-hz"]', 'Enter');
    await page.waitForSelector(`${SPECTROGRAM}[data-min-hz="1000"][data-max-hz="5000"][data-painted-end]`);
    // 1–5 kHz: the same box now spans 50 % to 75 %, and the axis runs from 1000 at the bottom to 5k at the top.
    await expect.poll(async () => (await boxEdges())[0]).toBeCloseTo(0.5, 2);
    [top, bottom] = await boxEdges();
    expect(bottom).toBeCloseTo(0.75, 2);
    expect(await tickLabels()).toEqual(['1.0k', '2.0k', '3.0k', '4.0k', '5.0k']);

    await page.fill('[data-testid="spec-min-hz"]', '6000');
    await page.fill('[data-testid="spec-max-hz"]', '2000');
    await page.press('[data-testid="spec-max-hz"]', 'Enter');
    await page.waitForSelector('[data-testid="spec-range-error"]');
    expect(await attr('data-min-hz')).toBe('1000');
    await page.fill('[data-testid="spec-min-hz"]', '1000');
    await page.fill('[data-testid="spec-max-hz"]', '5000');
    await page.press('[data-testid="spec-max-hz"]', 'Enter');
    await expect.poll(() => page.locator('[data-testid="spec-range-error"]').count()).toBe(0);
    await page.waitForSelector(`${SPECTROGRAM}[data-min-hz="1000"][data-max-hz="5000"]`);
  });

  it('computes the spectrogram with the chosen FFT size', async () => {
    expect(await attr('data-fft-size')).toBe('512'); // auto for 256 linear bins
    await page.locator('[data-testid="spec-fft"]').selectOption('4096');
    await page.waitForSelector(`${SPECTROGRAM}[data-fft-size="4096"][data-painted-end]`);
    await page.locator('[data-testid="spec-fft"]').selectOption('256');
    await page.waitForSelector(`${SPECTROGRAM}[data-fft-size="256"][data-painted-end]`);
    await page.keyboard.press('Escape');
  });

  it('resizes by its lower edge, repaints at the new height with the boxes in place, and keeps all of it after a reload', async () => {
    const before = await rect(SPECTROGRAM);
    const handle = await rect('[data-testid="spectrogram-resize"]');
    const grip = { x: handle.x + handle.width / 2, y: handle.y + handle.height / 2 };
    await page.mouse.move(grip.x, grip.y);
    await page.mouse.down();
    for (let i = 1; i <= 5; i++) await page.mouse.move(grip.x, grip.y - (150 * i) / 5);
    await page.mouse.up();
    await expect.poll(async () => (await rect(SPECTROGRAM)).height).toBeLessThan(before.height - 140);
    const after = await rect(SPECTROGRAM);
    expect(after.height).toBeGreaterThan(before.height - 160);
    // The canvas is repainted at the new size, and the box follows the axis.
    await expect.poll(() => page.locator(`${SPECTROGRAM} canvas`).evaluate((c: HTMLCanvasElement) => c.height / c.getBoundingClientRect().height)).toBeCloseTo(1, 1);
    const [top, bottom] = await boxEdges();
    expect(top).toBeCloseTo(0.5, 2);
    expect(bottom).toBeCloseTo(0.75, 2);

    await page.reload();
    await openQuietFile();
    await page.waitForSelector(`${SPECTROGRAM}[data-min-hz="1000"][data-max-hz="5000"][data-fft-size="256"]`);
    expect(Math.abs((await rect(SPECTROGRAM)).height - after.height)).toBeLessThan(2);

    // A double click gives the space back.
    await page.dblclick('[data-testid="spectrogram-resize"]');
    await expect.poll(async () => Math.abs((await rect(SPECTROGRAM)).height - before.height)).toBeLessThan(2);
    expect(pageErrors).toEqual([]);
  });
});
