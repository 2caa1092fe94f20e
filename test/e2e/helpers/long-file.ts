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

/**
 * Installed in the page by watchDrawing(), as plain JavaScript (no transpiler helpers can leak into it):
 * - `state()`: what the waveform shows (from the ruler's ticks) and what the spectrogram painted;
 * - `drawn(duration, slack)`: the waveform is up and the spectrogram painted covers the visible span;
 * - `lastInputAt`: the page-clock time of the latest trusted click, key press or wheel turn (the event's own
 *   time stamp: when the input came, even if the page was busy);
 * - `drawnSinceInput(duration, slack, timeoutMs)`: checks at every frame, and gives the milliseconds from
 *   `lastInputAt` to the first frame that shows the visible span drawn (null past the timeout).
 */
const DRAWING_SCRIPT = `(() => {
  const watch = {
    lastInputAt: 0,
    state() {
      const wave = document.querySelector('[data-testid="waveform"]');
      const spec = document.querySelector('[data-testid="spectrogram"]');
      const ticks = [...document.querySelectorAll('[data-testid="ruler-tick"]')];
      const box = wave && wave.getBoundingClientRect();
      let view = null;
      if (box && ticks.length >= 2) {
        const a = ticks[0];
        const b = ticks[ticks.length - 1];
        const ax = a.getBoundingClientRect().left;
        const bx = b.getBoundingClientRect().left;
        const perPx = (Number(b.dataset.time) - Number(a.dataset.time)) / (bx - ax);
        if (Number.isFinite(perPx) && perPx > 0) view = { start: Number(a.dataset.time) + (box.left - ax) * perPx, end: Number(a.dataset.time) + (box.right - ax) * perPx };
      }
      const painted = spec && spec.dataset.paintedStart != null ? { start: Number(spec.dataset.paintedStart), end: Number(spec.dataset.paintedEnd) } : null;
      return { waveReady: !!wave && wave.dataset.ready === 'true', view, spectrogram: painted };
    },
    drawn(duration, slack) {
      const s = watch.state();
      if (!s.waveReady || !s.view || !s.spectrogram) return false;
      const span = s.view.end - s.view.start;
      return s.spectrogram.start <= Math.max(0, s.view.start) + span * slack && s.spectrogram.end >= Math.min(duration, s.view.end) - span * slack;
    },
    drawnSinceInput(duration, slack, timeoutMs) {
      const since = watch.lastInputAt;
      return new Promise((resolve) => {
        const check = (now) => {
          if (watch.drawn(duration, slack)) resolve(now - since);
          else if (performance.now() - since > timeoutMs) resolve(null);
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      });
    },
  };
  for (const type of ['click', 'keydown', 'wheel']) {
    addEventListener(type, (e) => { if (e.isTrusted) watch.lastInputAt = e.timeStamp; }, { capture: true, passive: true });
  }
  window.__earmarkDrawing = watch;
})();`;

interface DrawingWatch {
  lastInputAt: number;
  state(): DrawnState;
  drawn(duration: number, slack: number): boolean;
  drawnSinceInput(duration: number, slack: number, timeoutMs: number): Promise<number | null>;
}
/** Share of the visible span the spectrogram may fall short at either edge. */
const SLACK = 0.02;

/** Lets timeUntilDrawn(), drawnSinceInput() and lastInputAt() read the page; call it before the page loads. */
export async function watchDrawing(page: Page): Promise<void> {
  await page.addInitScript({ content: DRAWING_SCRIPT });
}

/** The page-clock time of the page's latest click, key press or wheel turn (watchDrawing). */
export function lastInputAt(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __earmarkDrawing: DrawingWatch }).__earmarkDrawing.lastInputAt);
}

/** Polls from the test until the visible span is drawn; returns the milliseconds since `since` (test clock), or null past `timeoutMs`. */
export async function timeUntilDrawn(page: Page, duration: number, timeoutMs: number, since = Date.now()): Promise<number | null> {
  while (Date.now() - since < timeoutMs) {
    // A page whose main thread is stuck does not answer: that counts as not drawn.
    const left = timeoutMs - (Date.now() - since);
    const drawn = await Promise.race([page.evaluate(({ d, slack }) => (window as unknown as { __earmarkDrawing: DrawingWatch }).__earmarkDrawing.drawn(d, slack), { d: duration, slack: SLACK }), new Promise<null>((resolve) => setTimeout(() => resolve(null), Math.max(0, left)))]);
    if (drawn) return Date.now() - since;
    await page.waitForTimeout(50);
  }
  return null;
}

/**
 * Milliseconds from the page's latest input (click, key, wheel) to the first frame that shows the visible span
 * drawn, on the page's own clock: no test-side polling delay or driver round trip is counted. Null past
 * `timeoutMs`, or when the page does not answer within it.
 */
export async function drawnSinceInput(page: Page, duration: number, timeoutMs: number): Promise<number | null> {
  const inPage = page.evaluate(({ d, slack, limit }) => (window as unknown as { __earmarkDrawing: DrawingWatch }).__earmarkDrawing.drawnSinceInput(d, slack, limit), { d: duration, slack: SLACK, limit: timeoutMs });
  return Promise.race([inPage, new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs + 1000))]);
}
