import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_MISSING } from './helpers/browser';
import { PLANTED } from './helpers/audio';
import { clockSeconds, detectAllInPage, openStudioInChromium, type StudioPage } from './helpers/studio';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

const [glass, gunshot] = PLANTED.find((f) => f.relPath === 'rec_b.wav')!.events;
// Playback runs in real time: waits are generous for a loaded machine, and nothing asserts how long anything took.
const PLAYBACK = { timeout: 30_000 };

describe.skipIf(!chromiumAvailable)('listening (Chromium against earmark serve)', () => {
  let session: StudioPage;
  let page: Page;
  /** The table lists events by onset: glassbreak, then gunshot. */
  const row = (ev: typeof glass) => page.locator('[data-testid="event-row"]').nth(ev === glass ? 0 : 1);
  const speed = () => page.locator('[data-testid="speed"]').inputValue();
  const playing = async () => ((await page.locator('[data-testid="play"]').getAttribute('class')) ?? '').split(' ').includes('on');

  beforeAll(async () => {
    session = await openStudioInChromium({ width: 1440, height: 900 });
    page = session.page;
    await detectAllInPage(page);
    await page.locator('[data-testid="file-row"][data-name="rec_b.wav"]').click();
    await page.waitForSelector('[data-testid="waveform"][data-ready="true"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="event-row"]').length === 2);
  });

  afterAll(() => session?.dispose());

  it('steps the playback rate from 0.25× to 2× with < and >', async () => {
    expect(await speed()).toBe('1');
    for (const want of ['1.25', '1.5', '2', '2']) {
      await page.keyboard.press('>');
      await expect.poll(speed).toBe(want);
    }
    for (let i = 0; i < 8; i++) await page.keyboard.press('<');
    await expect.poll(speed).toBe('0.25');
  });

  it('plays the selected event (P) and, with loop on, plays it again from its onset', async () => {
    await row(glass).click();
    await page.keyboard.press('l');
    await expect.poll(() => page.locator('[data-testid="loop"].on').count()).toBe(1);
    // At 0.25× the 0.4 s event lasts 1.6 s: the clock must come back to the onset after reaching the end.
    let sawEnd = false;
    let latest = 0;
    await expect
      .poll(async () => {
        latest = await clockSeconds(page);
        if (latest >= glass.offset - 0.1) sawEnd = true;
        return sawEnd && latest < glass.offset - 0.2;
      }, PLAYBACK)
      .toBe(true);
    expect(latest).toBeGreaterThanOrEqual(glass.onset - 0.01);
    // Loop off: the event plays to its end once more, then playback stops.
    await page.keyboard.press('l');
    await expect.poll(playing, PLAYBACK).toBe(false);
  });

  it('auto-advances to the next event and stops after the last', async () => {
    for (let i = 0; i < 8; i++) await page.keyboard.press('>');
    await expect.poll(speed).toBe('2');
    await page.keyboard.press('a');
    await expect.poll(() => page.locator('[data-testid="auto-advance"].on').count()).toBe(1);
    await row(glass).click();
    await page.keyboard.press('p');
    await expect.poll(() => row(gunshot).getAttribute('class'), PLAYBACK).toContain('selected');
    await expect.poll(playing, PLAYBACK).toBe(false);
    expect(await clockSeconds(page)).toBeCloseTo(gunshot.offset, 1);
    expect(await row(glass).getAttribute('class')).not.toContain('selected');
  });

  it('fetches none of a file\'s audio when it opens, only once it plays', async () => {
    const media: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/media/')) media.push(request.url());
    });
    // A file not opened before, so nothing of it is in the browser's cache.
    await page.locator('[data-testid="file-row"][data-name="rec_c.wav"]').click();
    await page.waitForSelector('[data-testid="waveform"][data-ready="true"]');
    await page.waitForSelector('[data-testid="spectrogram"][data-painted-end]');
    // The waveform is drawn from the service's peaks; an hour of audio streamed in now would compete with drawing it.
    await page.waitForTimeout(300);
    expect(media).toEqual([]);
    await page.click('[data-testid="play"]');
    await expect.poll(() => media.length, PLAYBACK).toBeGreaterThan(0);
    await expect.poll(playing, PLAYBACK).toBe(true);
    await page.click('[data-testid="play"]');
    await expect.poll(playing, PLAYBACK).toBe(false);
  });
});
