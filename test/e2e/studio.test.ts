import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_MISSING, launchChromium, openStudioPage } from './helpers/browser';
import { DURATION } from './helpers/audio';
import { ensureRendererBuilt } from './helpers/renderer-build';
import { startStudio, type Studio } from './helpers/studio';

const SHOTS = path.join(path.dirname(new URL(import.meta.url).pathname), 'screenshots');

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

interface EventDbRow {
  id: number;
  file: string;
  label: string;
  onset: number;
  offset: number;
  confidence: number | null;
  source: string;
  verified: number;
  version: number;
}

describe.skipIf(!chromiumAvailable)('studio end to end (Chromium against earmark serve)', () => {
  let studio: Studio;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const db = () => new Database(studio.dbPath, { readonly: true, fileMustExist: true });
  function eventRows(): EventDbRow[] {
    const conn = db();
    try {
      return conn
        .prepare(
          `SELECT e.id, r.rel_path AS file, e.label, e.onset, e.offset, e.confidence, e.source, e.verified, e.version
           FROM events e JOIN recordings r ON r.id = e.recording_id WHERE e.deleted = 0 ORDER BY r.rel_path, e.onset`,
        )
        .all() as EventDbRow[];
    } finally {
      conn.close();
    }
  }
  function recordingStatus(relPath: string): string {
    const conn = db();
    try {
      return (conn.prepare('SELECT status FROM recordings WHERE rel_path = ?').get(relPath) as { status: string }).status;
    } finally {
      conn.close();
    }
  }
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  const fileRow = (name: string): Locator => page.locator(`[data-testid="file-row"][data-name="${name}"]`);
  async function saved(): Promise<void> {
    await page.waitForSelector('[data-testid="save-state"][data-state="saved"]');
  }

  beforeAll(async () => {
    ensureRendererBuilt();
    studio = await startStudio();
    browser = await launchChromium();
    page = await openStudioPage(browser, pageErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.dispose();
  });

  it('opens a folder, detects, corrects, reviews and exports', async () => {
    await page.goto(studio.server.studioUrl);
    await shot('00-empty');

    // Open the folder of generated audio.
    await page.click('[data-testid="open-folder"]');
    await page.fill('[data-testid="open-folder-path"]', studio.audioDir);
    await shot('01-open-folder');
    await page.click('[data-testid="open-folder-submit"]');
    await expect.poll(() => page.locator('[data-testid="file-row"]').count()).toBe(3);
    expect(await page.locator('[data-testid="file-row"]').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-name')}:${r.getAttribute('data-status')}`))).toEqual([
      'rec_a.wav:not-run',
      'rec_b.wav:not-run',
      'rec_c.wav:not-run',
    ]);
    await page.waitForSelector('[data-testid="waveform"][data-ready="true"]');

    // Run detection over the project.
    await page.click('[data-testid="open-detection"]');
    await page.click('[data-testid="start-detection"]');
    await page.waitForSelector('[data-testid="detection-job"]');
    await shot('02-detection-running');
    await page.waitForSelector('[data-testid="detection-job"][data-status="done"]', { timeout: 60_000 });
    await shot('03-detection-done');
    await page.keyboard.press('Escape');
    await expect.poll(() => fileRow('rec_b.wav').getAttribute('data-status')).toBe('detected');

    // Review rec_b: its two predicted events appear as regions.
    await fileRow('rec_b.wav').click();
    await page.waitForSelector('[data-testid="waveform"][data-ready="true"]');
    await expect.poll(() => page.locator('[data-testid="region"]').count()).toBe(2);
    await expect.poll(() => page.locator('[data-testid="region"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-source')))).toEqual(['predicted', 'predicted']);
    await page.waitForTimeout(500); // spectrogram tile
    await shot('04-review');

    await expect.poll(() => eventRows().filter((r) => r.file === 'rec_b.wav').length).toBe(2);
    const before = eventRows().filter((r) => r.file === 'rec_b.wav');
    expect(before.map(({ label, onset, offset, confidence, source, verified }) => ({ label, onset, offset, confidence, source, verified }))).toEqual([
      { label: 'glassbreak', onset: 3, offset: 3.4, confidence: 0.81, source: 'predicted', verified: 0 },
      { label: 'gunshot', onset: 6.2, offset: 6.5, confidence: 0.66, source: 'predicted', verified: 0 },
    ]);
    const glass = before[0];

    // Drag the right edge of the glassbreak region from 3.4 s to about 3.9 s.
    const wave = await page.locator('[data-testid="waveform"]').boundingBox();
    const pxPerSec = wave!.width / DURATION;
    const handle = page.locator(`[data-testid="region"][data-event-id="${glass.id}"] [part~="region-handle-right"]`);
    const hb = (await handle.boundingBox())!;
    const y = hb.y + hb.height / 2;
    const x0 = hb.x + hb.width / 2;
    await page.mouse.move(x0, y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(x0 + (0.5 * pxPerSec * i) / 10, y);
    await page.mouse.up();
    await expect.poll(() => eventRows().find((r) => r.id === glass.id)!.version).toBe(glass.version + 1);
    await saved();
    const dragged = eventRows().find((r) => r.id === glass.id)!;
    expect(dragged.onset).toBe(3);
    expect(Math.abs(dragged.offset - 3.9)).toBeLessThan(2 / pxPerSec);
    expect(Math.round(dragged.offset * 1000) / 1000).toBe(dragged.offset); // stored in ms, as the UI snaps
    expect(dragged).toMatchObject({ label: 'glassbreak', verified: 1 });
    const row = page.locator(`[data-testid="event-row"][data-event-id="${glass.id}"]`);
    await expect.poll(() => row.locator('[data-testid="event-offset"]').innerText()).toBe(`0:0${dragged.offset.toFixed(3)}`);
    expect(await page.locator(`[data-testid="region"][data-event-id="${glass.id}"]`).getAttribute('data-source')).toBe('verified');

    // Relabel it in the event table.
    await row.locator('[data-testid="event-label"]').selectOption({ label: 'gunshot' });
    await expect.poll(() => eventRows().find((r) => r.id === glass.id)!.label).toBe('gunshot');
    await saved();
    await shot('05-edited');

    // Undo restores the label, redo applies it again; the drag stays.
    await page.locator('body').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
    await page.keyboard.press('Control+z');
    await expect.poll(() => eventRows().find((r) => r.id === glass.id)!.label).toBe('glassbreak');
    await expect.poll(() => row.locator('[data-testid="event-label"]').evaluate((s) => (s as HTMLSelectElement).selectedOptions[0].text)).toBe('glassbreak');
    expect(eventRows().find((r) => r.id === glass.id)!.offset).toBe(dragged.offset);
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => eventRows().find((r) => r.id === glass.id)!.label).toBe('gunshot');
    await expect.poll(() => row.locator('[data-testid="event-label"]').evaluate((s) => (s as HTMLSelectElement).selectedOptions[0].text)).toBe('gunshot');

    // The help overlay lists the shortcuts.
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid="help-overlay"]');
    await shot('06-help');
    await page.keyboard.press('Escape');

    // Mark reviewed: the file's status changes and the next file opens.
    await page.click('[data-testid="mark-reviewed"]');
    await expect.poll(() => fileRow('rec_b.wav').getAttribute('data-status')).toBe('reviewed');
    expect(recordingStatus('rec_b.wav')).toBe('reviewed');
    await expect.poll(() => page.locator('[data-testid="file-row"].current').getAttribute('data-name')).toBe('rec_c.wav');

    // Export the project as DCASE into the project folder (the 4 documented columns: no confidence unless asked).
    await page.click('[data-testid="open-export"]');
    expect(await page.locator('[data-testid="export-format"]').inputValue()).toBe('dcase');
    await page.fill('[data-testid="export-path"]', 'exports/annotations.txt');
    await shot('07-export');
    await page.click('[data-testid="export-run"]');
    await page.waitForSelector('[data-testid="export-result"]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="export-dialog"]', { state: 'detached' });
    const exported = readFileSync(path.join(studio.audioDir, 'exports', 'annotations.txt'), 'utf8');
    expect(exported).toBe(
      [
        'day1/rec_a.wav\t1\t2.5\tbabycry',
        `rec_b.wav\t3\t${dragged.offset}\tgunshot`,
        'rec_b.wav\t6.2\t6.5\tgunshot',
        'rec_c.wav',
        '',
      ].join('\n'),
    );

    // Final database state: the corrected event, and the prediction that marking the file reviewed
    // confirmed (reviewed files' events become verified training material); rec_a stays untouched.
    expect(eventRows().map(({ file, label, onset, offset, verified }) => ({ file, label, onset, offset, verified }))).toEqual([
      { file: 'day1/rec_a.wav', label: 'babycry', onset: 1, offset: 2.5, verified: 0 },
      { file: 'rec_b.wav', label: 'gunshot', onset: 3, offset: dragged.offset, verified: 1 },
      { file: 'rec_b.wav', label: 'gunshot', onset: 6.2, offset: 6.5, verified: 1 },
    ]);
    expect(eventRows()[0].source).toBe('predicted');
    expect(pageErrors.join("\n")).toBe("");
  });

  it('draws, splits, merges and deletes events with the mouse and keyboard, and zooms', async () => {
    // Continues in the same page and project: rec_a still has its one predicted babycry.
    await fileRow('rec_a.wav').click();
    await page.waitForSelector('[data-testid="waveform"][data-ready="true"]');
    await expect.poll(() => page.locator('[data-testid="region"]').count()).toBe(1);
    const wave = (await page.locator('[data-testid="waveform"]').boundingBox())!;
    const xAt = (t: number) => wave.x + (t / DURATION) * wave.width;
    const pxPerSec = wave.width / DURATION;
    const rowsA = () => eventRows().filter((r) => r.file === 'day1/rec_a.wav');

    // Draw a glassbreak event from 5 s to 6 s on empty waveform.
    await page.locator('[data-testid="draw-label"]').selectOption({ label: '2 · glassbreak' });
    const y = wave.y + wave.height / 2;
    await page.mouse.move(xAt(5), y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(xAt(5 + i / 10), y);
    await page.mouse.up();
    await expect.poll(() => rowsA().length).toBe(2);
    const drawn = rowsA()[1];
    expect(drawn).toMatchObject({ label: 'glassbreak', source: 'human', verified: 1, confidence: null });
    // wavesurfer's drag selection starts its region 5 px wide, so the end may overshoot by that much.
    expect(Math.abs(drawn.onset - 5)).toBeLessThan(2 / pxPerSec);
    expect(Math.abs(drawn.offset - 6)).toBeLessThan(7 / pxPerSec);

    // Click inside it on the spectrogram (seeks and selects), then S splits at the cursor.
    const spec = (await page.locator('[data-testid="spectrogram"]').boundingBox())!;
    await page.mouse.click(spec.x + (5.5 / DURATION) * spec.width, spec.y + spec.height / 2);
    await page.keyboard.press('s');
    await expect.poll(() => rowsA().length).toBe(3);
    const [, left, right] = rowsA();
    expect(left.onset).toBe(drawn.onset);
    expect(right.offset).toBe(drawn.offset);
    expect(left.offset).toBe(right.onset);
    expect(Math.abs(left.offset - 5.5)).toBeLessThan(2 / pxPerSec);

    // Select both halves in the table (Ctrl+click), M merges them back into one event.
    await page.locator(`[data-testid="event-row"][data-event-id="${left.id}"] [data-testid="event-onset"]`).click();
    await page.locator(`[data-testid="event-row"][data-event-id="${right.id}"] [data-testid="event-onset"]`).click({ modifiers: ['Control'] });
    await page.keyboard.press('m');
    await expect.poll(() => rowsA().length).toBe(2);
    expect(rowsA()[1]).toMatchObject({ label: 'glassbreak', onset: drawn.onset, offset: drawn.offset });

    // Zoom in with the keyboard and look at the linear-frequency spectrogram.
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.click('[data-testid="scale-linear"]');
    await page.waitForTimeout(600);
    await shot('08-zoomed-linear');

    // Delete removes it; Ctrl+Z brings it back.
    await page.keyboard.press('Delete');
    await expect.poll(() => rowsA().length).toBe(1);
    await page.keyboard.press('Control+z');
    await expect.poll(() => rowsA().length).toBe(2);
    expect(rowsA()[1]).toMatchObject({ label: 'glassbreak', onset: drawn.onset, offset: drawn.offset });
    await expect.poll(() => page.locator('[data-testid="event-row"]').count()).toBe(2);

    // The cursor is at the first half's onset (5 s): ← seeks back 1 s, then ] steps to the restored
    // event, selects it and scrolls it into view (regions off screen are not in the DOM).
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press(']');
    const restored = page.locator(`[data-testid="region"][data-event-id="${rowsA()[1].id}"]`);
    await expect.poll(() => restored.count()).toBe(1);
    await expect.poll(() => page.locator(`[data-testid="event-row"][data-event-id="${rowsA()[1].id}"]`).getAttribute('class')).toContain('selected');
    expect(pageErrors.join('\n')).toBe('');
  });
});
