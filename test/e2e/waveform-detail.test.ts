import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResult } from '../../src-main/api/contract';
import { encodeWav } from '../../src-main/engine/audio/wav';
import { chromiumAvailable, CHROMIUM_MISSING } from './helpers/browser';
import { openStudioInChromium, type StudioPage } from './helpers/studio';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

const RATE = 8000;
const SECONDS = 600;
/** Two 4 ms clicks 12 ms apart: one overview peak (15 ms at 40,000 peaks for 10 minutes) holds both. */
const CLICKS = [300, 300.016];
const CLICK_SECONDS = 0.004;

function quietFileWithClicks(): Buffer {
  const samples = new Float32Array(RATE * SECONDS);
  let seed = 5;
  for (let i = 0; i < samples.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    samples[i] = (seed / 2 ** 32 - 0.5) * 0.01;
  }
  for (const at of CLICKS) samples.fill(0.8, Math.round(at * RATE), Math.round((at + CLICK_SECONDS) * RATE));
  return Buffer.from(encodeWav(samples, RATE));
}

/** Runs of columns where the detail layer draws the waveform taller than half its height. */
interface Run {
  from: number;
  to: number;
}

describe.skipIf(!chromiumAvailable)('waveform detail when zoomed in on a long file (Chromium against earmark serve)', () => {
  let session: StudioPage;
  let page: Page;
  const pageErrors: string[] = [];
  const detail = () => page.locator('[data-testid="waveform-detail"]');
  const detailRate = async () => Number((await detail().getAttribute('data-peaks-per-second')) ?? 0);

  const loudRuns = (): Promise<Run[]> =>
    detail().evaluate((canvas: HTMLCanvasElement) => {
      const { width, height } = canvas;
      const data = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
      const runs: { from: number; to: number }[] = [];
      for (let x = 0; x < width; x++) {
        let drawn = 0;
        for (let y = 0; y < height; y++) if (data[(y * width + x) * 4 + 3] > 0) drawn++;
        if (drawn <= height / 2) continue;
        const last = runs[runs.length - 1];
        if (last && last.to === x) last.to = x + 1;
        else runs.push({ from: x, to: x + 1 });
      }
      return runs;
    });

  beforeAll(async () => {
    session = await openStudioInChromium({ width: 1440, height: 900 }, { 'clicks.wav': quietFileWithClicks() });
    page = session.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const call = <T>(method: string, params: unknown) => session.studio.server.service.call(method, params) as Promise<T>;
    const projectId = (await call<{ id: number }[]>('projects.list', {}))[0].id;
    const recordingId = (await call<ApiResult<'recordings.list'>>('recordings.list', { projectId })).find((r) => r.name === 'clicks.wav')!.id;
    const label = await call<{ id: number }>('labels.create', { projectId, name: 'click' });
    await call('events.create', { recordingId, labelId: label.id, onset: CLICKS[0], offset: CLICKS[1] + CLICK_SECONDS });
    await page.click('[data-testid="file-row"][data-name="clicks.wav"]');
    await page.waitForSelector('[data-testid="waveform"][data-ready="true"]');
  }, 120_000);

  afterAll(() => session?.dispose());

  it('draws the visible span from its own peaks at screen resolution, and follows a scroll', async () => {
    expect(await detail().getAttribute('data-active')).toBe('false'); // the whole file: the overview is fine enough
    for (let i = 0; i < 30 && (await detail().getAttribute('data-active')) !== 'true'; i++) await page.keyboard.press('+');
    // It takes over as soon as the player's own waveform (at most 8,000 peaks) is coarser than the screen,
    // long before the overview (40,000) is: more than half a minute is still in view, drawn from the overview.
    const visibleShare = () =>
      page.evaluate(() => {
        const win = document.querySelector('[data-testid="minimap-window"]')!.getBoundingClientRect();
        return win.width / document.querySelector('[data-testid="minimap"]')!.getBoundingClientRect().width;
      });
    expect((await visibleShare()) * SECONDS).toBeGreaterThan(30);
    await page.waitForTimeout(500);
    expect(await detailRate()).toBeCloseTo(40_000 / SECONDS, 3);
    for (let i = 0; i < 12; i++) await page.keyboard.press('+');
    await page.click('[data-testid="event-row"]'); // brings the clicks into view
    await expect.poll(detailRate, { timeout: 15_000 }).toBeGreaterThan(1000);

    // Both clicks, apart, each a few pixels wide: the overview would draw them as one 15 ms block.
    await expect.poll(async () => (await loudRuns()).length).toBe(2);
    const [first, second] = await loudRuns();
    const pxPerMs = (await detailRate()) / 1000 / (await page.evaluate(() => window.devicePixelRatio || 1));
    expect(second.from - first.to).toBeGreaterThan(12 * pxPerMs * 0.6);
    expect(first.to - first.from).toBeLessThan(CLICK_SECONDS * 1000 * pxPerMs * 2 + 2);
    await page.screenshot({ path: path.join(path.dirname(new URL(import.meta.url).pathname), 'screenshots', 'waveform-detail.png') });

    // A scroll brings the clicks out of view and fetches the peaks of the new span.
    const startBefore = Number(await detail().getAttribute('data-start'));
    const wave = (await page.locator('[data-testid="waveform"]').boundingBox())!;
    await page.mouse.move(wave.x + wave.width / 2, wave.y + wave.height / 2);
    for (let i = 0; i < 6; i++) await page.mouse.wheel(1500, 0);
    await expect.poll(async () => Number(await detail().getAttribute('data-start')), { timeout: 15_000 }).toBeGreaterThan(startBefore);
    await expect.poll(async () => (await loudRuns()).length).toBe(0);
    expect(await detailRate()).toBeGreaterThan(1000);
    expect(pageErrors).toEqual([]);
  });
});
