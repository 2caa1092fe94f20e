import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { BenchRow, BenchSection } from './lib';
import { PLANTED, writeAudioFolder } from '../test/e2e/helpers/audio';
import { CHROMIUM_MISSING, chromiumAvailable, launchChromium } from '../test/e2e/helpers/browser';
import { drawnSinceInput, lastInputAt, longTasks, watchDrawing, watchLongTasks, writeLongFlac, type LongTask } from '../test/e2e/helpers/long-file';
import { ensureRendererBuilt } from '../test/e2e/helpers/renderer-build';
import { startServeProcess } from '../test/e2e/helpers/serve-process';
import { openFolderInPage } from '../test/e2e/helpers/studio';

const SECONDS = 3600;
/**
 * The path is typed into the Open folder dialog at a person's pace (about 2 s for the bench's path), not filled
 * in at once: a user never opens a folder within a second of the page coming up, and the service's first-look
 * warm-up runs in that time.
 */
const TYPING_KEY_DELAY_MS = 40;
const STEPS = 3;
/** A step not drawn within this counts as this long (and is noted). */
const STEP_TIMEOUT_MS = 30_000;
const FIRST_DRAW_TIMEOUT_MS = 120_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Milliseconds from each of `steps` inputs until the visible span is drawn (timeouts as STEP_TIMEOUT_MS). */
async function stepTimes(page: Page, steps: number, act: () => Promise<void>): Promise<{ times: number[]; timedOut: number }> {
  const times: number[] = [];
  let timedOut = 0;
  for (let i = 0; i < steps; i++) {
    await act();
    const drawn = await drawnSinceInput(page, SECONDS, STEP_TIMEOUT_MS).then((ms) => (ms === null ? null : Math.round(ms)));
    if (drawn === null) timedOut++;
    times.push(drawn ?? STEP_TIMEOUT_MS);
  }
  return { times, timedOut };
}

/** The studio in Chromium against `earmark serve`, a 1-hour 44.1 kHz FLAC opened first (issue 10). */
export const studioSection: BenchSection = {
  name: 'studio',
  async run() {
    if (!chromiumAvailable) return { skipped: CHROMIUM_MISSING };
    if (spawnSync('which', ['sox'], { stdio: 'ignore' }).status !== 0) return { skipped: 'sox not installed (it writes the 1-hour FLAC)' };
    ensureRendererBuilt();
    const tmp = mkdtempSync(path.join(tmpdir(), 'earmark-bench-studio-'));
    const audioDir = path.join(tmp, 'recordings');
    writeAudioFolder(audioDir, PLANTED);
    writeLongFlac(path.join(audioDir, 'a-long.flac'), SECONDS);
    // `earmark serve` in its own process, as users run it: in this process, its event loop would also
    // carry the browser driver's traffic.
    const serve = await startServeProcess(['--db', path.join(tmp, 'studio.db')]);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await watchLongTasks(page);
      await watchDrawing(page);
      await page.goto(serve.url);
      // The user opens the folder once the studio is up: its start-up is measured by the long tasks, not here.
      await page.waitForSelector('[data-testid="waveform-view"]');
      await page.waitForLoadState('networkidle');
      await page.evaluate(() => new Promise((resolve) => requestIdleCallback(resolve, { timeout: 2000 })));
      // All on the page's clock, from the dialog's Open click (the input event's own time stamp), when the user
      // has asked for the folder; the toolbar button's row adds the dialog and the test typing the path.
      const buttonAtPage = await page.evaluate(() => performance.now());
      const listedAt = await openFolderInPage(page, audioDir, PLANTED.length + 1, TYPING_KEY_DELAY_MS);
      const clickAt = await lastInputAt(page);
      const dialog = Math.round(clickAt - buttonAtPage);
      const listed = Math.round(listedAt - clickAt);
      const waveReady = page
        .waitForFunction(() => document.querySelector('[data-testid="waveform"][data-ready="true"]') !== null && performance.now(), undefined, { timeout: FIRST_DRAW_TIMEOUT_MS })
        .then(async (handle) => Math.round(((await handle.jsonValue()) as number) - clickAt));
      const firstDraw = await drawnSinceInput(page, SECONDS, FIRST_DRAW_TIMEOUT_MS).then((ms) => (ms === null ? null : Math.round(ms)));
      const waveform = await waveReady.catch(() => null);
      const wave = (await page.locator('[data-testid="waveform"]').boundingBox())!;
      await page.mouse.move(wave.x + wave.width * 0.7, wave.y + wave.height / 2);
      const zoom = await stepTimes(page, STEPS, () => page.keyboard.press('+'));
      const scroll = await stepTimes(page, STEPS, () => page.mouse.wheel(600, 0));
      const tasks = await longTasks(page);
      const longest = tasks.reduce((a, b) => (b.duration > a.duration ? b : a), { start: 0, duration: 0 });
      // Where each fell, so that a slow run can be told apart: page start-up (before the button), or the
      // folder's first look (after it).
      const sinceButton = (t: LongTask): number => Math.round(t.start - buttonAtPage);
      const fromButton = (t: LongTask): string => `${Math.round(t.duration)} ms at ${sinceButton(t) < 0 ? '-' : '+'}${Math.abs(sinceButton(t))}`;
      const when = `${Math.abs(sinceButton(longest))} ms ${sinceButton(longest) < 0 ? 'before' : 'after'} the Open folder button`;
      const load = `load avg ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`;
      const row = (metric: string, value: number, target: string, notes?: string): BenchRow => ({ section: 'studio', metric, value, unit: 'ms', target, notes });
      const timeouts = (n: number) => (n ? `${n} step(s) not drawn within ${STEP_TIMEOUT_MS} ms` : undefined);
      return [
        row('1 h FLAC opened first: visible span drawn', firstDraw ?? FIRST_DRAW_TIMEOUT_MS, '< 1000', firstDraw === null ? `not drawn within ${FIRST_DRAW_TIMEOUT_MS} ms` : `from the Open click in the Open folder dialog to the first frame that shows it (page clock); ${load}`),
        row('  the same from the toolbar button', firstDraw === null ? FIRST_DRAW_TIMEOUT_MS : firstDraw + dialog, '', `adds the dialog and the test typing the path (${dialog} ms)`),
        row('  of which: folder scanned and listed', listed, '', 'from the Open click: projects.open and the file list'),
        row('  of which: listed to drawn', firstDraw === null ? FIRST_DRAW_TIMEOUT_MS : firstDraw - listed, '', 'the first file opens by itself: overview peaks, whole-file spectrogram, first paint'),
        row('  of which: waveform ready', waveform ?? FIRST_DRAW_TIMEOUT_MS, '', 'from the Open click: overview peaks and the player'),
        row(`zoom step (median of ${STEPS})`, median(zoom.times), '< 200', timeouts(zoom.timedOut)),
        row(`zoom step (slowest of ${STEPS})`, Math.max(...zoom.times), '< 200'),
        row(`scroll step (median of ${STEPS})`, median(scroll.times), '< 200', timeouts(scroll.timedOut)),
        row(`scroll step (slowest of ${STEPS})`, Math.max(...scroll.times), '< 200'),
        row('longest main-thread task', Math.round(longest.duration), '< 100', `PerformanceObserver longtask, from page load; it started ${when}; ${tasks.length} task(s) over 50 ms${tasks.length ? ` (from the button: ${tasks.map(fromButton).join(', ')})` : ''}`),
      ];
    } finally {
      await browser.close();
      await serve.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
