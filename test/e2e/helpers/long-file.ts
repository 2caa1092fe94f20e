import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';

/** A long mono FLAC made by sox: quiet pink noise with a loud tone burst every minute. */
export function writeLongFlac(file: string, seconds: number, sampleRate = 44_100): void {
  execFileSync('sox', ['-n', '-r', String(sampleRate), '-c', '1', '-b', '16', file, 'synth', String(seconds), 'pinknoise', 'vol', '0.05'], { stdio: 'ignore' });
}

/** A long task of the page's main thread: when it started (page clock, ms) and how long it ran. */
export interface LongTask {
  start: number;
  duration: number;
}

/** Records the page's long tasks (over 50 ms) from its first script on; read them with longestTask() or longTasks(). */
export async function watchLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const tasks: { start: number; duration: number }[] = [];
    (window as unknown as { __longTasks: typeof tasks }).__longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

export function longTasks(page: Page): Promise<LongTask[]> {
  return page.evaluate(() => [...(window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks]);
}

export async function longestTask(page: Page): Promise<number> {
  return Math.max(0, ...(await longTasks(page)).map((task) => task.duration));
}

/** Seconds shown at the edges of the waveform, and the span of the spectrogram tile painted last. */
export interface DrawnState {
  waveReady: boolean;
  view: { start: number; end: number } | null;
  spectrogram: { start: number; end: number } | null;
}

/** Read in the page: what the waveform shows (from the ruler's view) and what the spectrogram painted. */
export function drawnState(page: Page): Promise<DrawnState> {
  return page.evaluate(() => {
    const wave = document.querySelector<HTMLElement>('[data-testid="waveform"]');
    const spec = document.querySelector<HTMLElement>('[data-testid="spectrogram"]');
    const ticks = [...document.querySelectorAll<HTMLElement>('[data-testid="ruler-tick"]')];
    const box = wave?.getBoundingClientRect();
    let view: { start: number; end: number } | null = null;
    if (box && ticks.length >= 2) {
      const a = ticks[0];
      const b = ticks[ticks.length - 1];
      const ax = a.getBoundingClientRect().left;
      const bx = b.getBoundingClientRect().left;
      const perPx = (Number(b.dataset.time) - Number(a.dataset.time)) / (bx - ax);
      if (Number.isFinite(perPx) && perPx > 0) view = { start: Number(a.dataset.time) + (box.left - ax) * perPx, end: Number(a.dataset.time) + (box.right - ax) * perPx };
    }
    const painted = spec?.dataset.paintedStart != null ? { start: Number(spec.dataset.paintedStart), end: Number(spec.dataset.paintedEnd) } : null;
    return { waveReady: wave?.dataset.ready === 'true', view, spectrogram: painted };
  });
}

/** True when the waveform is up and the spectrogram painted covers the visible span (clipped to the file). */
export function visibleSpanDrawn(state: DrawnState, duration: number, slack = 0.02): boolean {
  if (!state.waveReady || !state.view || !state.spectrogram) return false;
  const span = state.view.end - state.view.start;
  const start = Math.max(0, state.view.start);
  const end = Math.min(duration, state.view.end);
  return state.spectrogram.start <= start + span * slack && state.spectrogram.end >= end - span * slack;
}

/** Polls in the page until the visible span is drawn; returns the milliseconds it took, or null past `timeoutMs`. */
export async function timeUntilDrawn(page: Page, duration: number, timeoutMs: number, since = Date.now()): Promise<number | null> {
  while (Date.now() - since < timeoutMs) {
    // A page whose main thread is stuck does not answer: that counts as not drawn.
    const left = timeoutMs - (Date.now() - since);
    const state = await Promise.race([drawnState(page), new Promise<null>((resolve) => setTimeout(() => resolve(null), Math.max(0, left)))]);
    if (state && visibleSpanDrawn(state, duration)) return Date.now() - since;
    await page.waitForTimeout(50);
  }
  return null;
}
