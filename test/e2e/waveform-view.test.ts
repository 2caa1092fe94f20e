import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_MISSING } from './helpers/browser';
import { DURATION } from './helpers/audio';
import { BROKEN_FLAC, clockSeconds, openStudioInChromium, type StudioPage } from './helpers/studio';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

interface Box {
  left: number;
  width: number;
}
interface RulerState {
  ticks: { time: number; x: number; major: boolean }[];
  wave: Box & { y: number };
  minimap: Box;
  window: Box | null;
}

describe.skipIf(!chromiumAvailable)('waveform view (Chromium against earmark serve)', () => {
  let studio: StudioPage;
  let page: Page;
  const pageErrors: string[] = [];
  const fileRow = (name: string) => page.locator(`[data-testid="file-row"][data-name="${name}"]`);
  const waveReady = () => page.locator('[data-testid="waveform"]').getAttribute('data-ready');

  beforeAll(async () => {
    studio = await openStudioInChromium({ width: 1440, height: 900 }, { 'broken.flac': BROKEN_FLAC });
    page = studio.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(() => studio?.dispose());

  it('shows why a file failed to open, and nothing of the file shown before', async () => {
    await fileRow('rec_b.wav').click();
    await expect.poll(waveReady).toBe('true');
    const wave = (await page.locator('[data-testid="waveform"]').boundingBox())!;
    await page.mouse.click(wave.x + wave.width * 0.6, wave.y + wave.height / 2);
    await expect.poll(() => clockSeconds(page)).toBeGreaterThan(5);

    await fileRow('broken.flac').click();
    await page.waitForSelector('[data-testid="file-error"]');
    expect(await page.locator('[data-testid="file-error"]').innerText()).toContain('broken.flac could not be opened');
    expect(await page.locator('[data-testid="file-error-reason"]').innerText()).toMatch(/cannot decode .*broken\.flac.*FLAC/);
    expect(await page.locator('[data-testid="time"]').innerText()).toBe('– / –');
    expect(await waveReady()).toBe('false');
    expect(await page.locator('[data-testid="play"]').isDisabled()).toBe(true);
    // The error covers the waveform, ruler and spectrogram: the previous picture cannot show through.
    for (const part of ['waveform', 'spectrogram', 'ruler', 'minimap']) {
      const box = (await page.locator(`[data-testid="${part}"]`).boundingBox())!;
      const covered = await page.evaluate(
        ({ x, y }) => !!document.elementFromPoint(x, y)?.closest('[data-testid="file-error"]'),
        { x: box.x + box.width / 2, y: box.y + box.height / 2 },
      );
      expect(covered, part).toBe(true);
    }
    expect(await page.locator('[data-testid="region"]').count()).toBe(0);

    // A good file opens normally afterwards.
    await fileRow('rec_c.wav').click();
    await expect.poll(waveReady).toBe('true');
    expect(await page.locator('[data-testid="file-error"]').count()).toBe(0);
    expect(await page.locator('[data-testid="time"]').innerText()).toBe('0:00.000 / 0:10.000');
    expect(pageErrors).toEqual([]);
  });

  it('keeps the ruler and the minimap window on the player time through zoom, scroll, wheel and fit', async () => {
    await fileRow('rec_c.wav').click(); // no events: a click on the waveform only seeks
    await expect.poll(waveReady).toBe('true');

    const state = (): Promise<RulerState> =>
      page.evaluate(() => {
        const rect = (sel: string) => document.querySelector(sel)?.getBoundingClientRect() ?? null;
        const wave = rect('[data-testid="waveform"]')!;
        const minimap = rect('[data-testid="minimap"]')!;
        const win = rect('[data-testid="minimap-window"]');
        return {
          ticks: [...document.querySelectorAll<HTMLElement>('[data-testid="ruler-tick"]')].map((el) => ({
            time: Number(el.dataset.time),
            x: el.getBoundingClientRect().left,
            major: el.querySelector('.label') != null,
          })),
          wave: { left: wave.left, width: wave.width, y: wave.top + wave.height / 2 },
          minimap: { left: minimap.left, width: minimap.width },
          window: win ? { left: win.left, width: win.width } : null,
        };
      });

    /** '' when every tick sits where the player seeks for its time (within 1 px), else what is wrong. */
    async function mismatch(): Promise<string> {
      const s = await state();
      const inside = s.ticks.filter((t) => t.x >= s.wave.left + 20 && t.x <= s.wave.left + s.wave.width - 20);
      const labelled = inside.filter((t) => t.major);
      const [a, b] = labelled.length >= 2 ? [labelled[0], labelled[labelled.length - 1]] : [inside[0], inside[inside.length - 1]];
      if (!a || !b || a === b) return `too few ticks in view: ${JSON.stringify(s.ticks.slice(0, 5))}`;
      const secondsPerPx = (b.time - a.time) / (b.x - a.x);
      for (const tick of [a, b]) {
        await page.mouse.click(tick.x, s.wave.y);
        const time = await clockSeconds(page);
        if (Math.abs(time - tick.time) > secondsPerPx + 5e-4) return `the ruler puts ${tick.time} s at x=${tick.x}, where the player seeks to ${time} s`;
      }
      for (const t of s.ticks) {
        const expected = a.x + (t.time - a.time) / secondsPerPx;
        if (Math.abs(t.x - expected) > 1) return `tick ${t.time} s at x=${t.x}, expected ${expected}`;
      }
      const start = a.time + (s.wave.left - a.x) * secondsPerPx;
      const end = start + s.wave.width * secondsPerPx;
      const left = s.minimap.left + (Math.max(0, start) / DURATION) * s.minimap.width;
      const right = s.minimap.left + (Math.min(DURATION, end) / DURATION) * s.minimap.width;
      if (!s.window || Math.abs(s.window.left - left) > 1 || Math.abs(s.window.left + s.window.width - right) > 1) {
        return `minimap window ${JSON.stringify(s.window)} for ${start.toFixed(3)}–${end.toFixed(3)} s, expected left ${left} right ${right}`;
      }
      const after = await state();
      return JSON.stringify(after.ticks) === JSON.stringify(s.ticks) ? '' : 'the ruler moved while it was checked';
    }

    const wave = (await page.locator('[data-testid="waveform"]').boundingBox())!;
    const over = (fraction: number) => page.mouse.move(wave.x + wave.width * fraction, wave.y + wave.height / 2);
    const steps: [string, () => Promise<unknown>][] = [
      ['whole file', async () => undefined],
      ['zoom in twice with +', async () => {
        await page.keyboard.press('+');
        await page.keyboard.press('+');
      }],
      ['scroll right', async () => {
        await over(0.5);
        await page.mouse.wheel(400, 0);
      }],
      ['wheel zoom in', async () => {
        await over(0.7);
        await page.mouse.wheel(0, -300);
      }],
      ['scroll left', async () => {
        await over(0.5);
        await page.mouse.wheel(-150, 0);
      }],
      ['zoom out with −', () => page.keyboard.press('-')],
      ['fit', () => page.click('[data-testid="zoom-fit"]')],
    ];
    let zoomedPast = false;
    for (const [name, act] of steps) {
      await act();
      await expect.poll(mismatch, { message: name, timeout: 15_000 }).toBe('');
      const s = await state();
      zoomedPast ||= s.window!.width < s.minimap.width / 2;
    }
    expect(zoomedPast, 'the steps zoomed in to under half the file').toBe(true);
    // Fit shows the whole file again: the minimap window spans the minimap.
    const fitted = await state();
    expect(Math.abs(fitted.window!.width - fitted.minimap.width)).toBeLessThanOrEqual(1);
    expect(pageErrors).toEqual([]);
  });

  it('draws the whole file in the minimap, with the played part and cursor, and seeks where it is clicked or dragged', async () => {
    await fileRow('rec_b.wav').click();
    await expect.poll(waveReady).toBe('true');
    // Columns with waveform pixels, of the unplayed colour (#3c4a5c) and of the played one (#5e7ea6).
    const columns = () =>
      page.locator('[data-testid="minimap-canvas"]').evaluate((el) => {
        const c = el as HTMLCanvasElement;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const kinds = { wave: 0, played: 0, width: c.width };
        for (let x = 0; x < c.width; x++) {
          let wave = false;
          let played = false;
          for (let y = 0; y < c.height; y++) {
            const i = (y * c.width + x) * 4;
            if (data[i + 3] < 64) continue;
            const near = (r: number, g: number, b: number) => Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 12;
            if (near(0x3c, 0x4a, 0x5c)) wave = true;
            if (near(0x5e, 0x7e, 0xa6)) played = true;
          }
          kinds.wave += wave ? 1 : 0;
          kinds.played += played ? 1 : 0;
        }
        return kinds;
      });
    await expect.poll(async () => (await columns()).wave).toBeGreaterThan(0);
    const strip = (await page.locator('[data-testid="minimap"]').boundingBox())!;
    await page.mouse.click(strip.x + strip.width * 0.75, strip.y + strip.height / 2);
    await expect.poll(() => clockSeconds(page)).toBeCloseTo(DURATION * 0.75, 0);
    const after = await columns();
    expect(after.played / after.width).toBeGreaterThan(0.7);
    expect(after.played / after.width).toBeLessThan(0.8);
    expect(after.wave / after.width).toBeGreaterThan(0.15);

    // A drag seeks as it goes.
    await page.mouse.move(strip.x + strip.width * 0.5, strip.y + strip.height / 2);
    await page.mouse.down();
    await page.mouse.move(strip.x + strip.width * 0.25, strip.y + strip.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => clockSeconds(page)).toBeCloseTo(DURATION * 0.25, 0);
    expect(pageErrors).toEqual([]);
  });
});
