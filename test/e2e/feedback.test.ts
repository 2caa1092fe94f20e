import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_MISSING } from './helpers/browser';
import type { PlantedFile } from './helpers/audio';
import { BROKEN_FLAC, detectAllInPage, openStudioInChromium, type StudioPage } from './helpers/studio';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

/** Two overlapping events (their chips collide unless stacked) and one low-confidence prediction. */
const FILES: PlantedFile[] = [
  {
    relPath: 'a_close.wav',
    events: [
      { label: 'glassbreak', onset: 3, offset: 3.4, confidence: 0.81 },
      { label: 'gunshot', onset: 3.1, offset: 3.5, confidence: 0.7 },
      { label: 'babycry', onset: 7, offset: 8, confidence: 0.4 },
    ],
  },
  { relPath: 'c_plain.wav', events: [{ label: 'babycry', onset: 1, offset: 2.5, confidence: 0.92 }] },
];

interface Rect {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

describe.skipIf(!chromiumAvailable)('feedback (Chromium against earmark serve)', () => {
  let session: StudioPage;
  let page: Page;
  const current = () => page.locator('[data-testid="file-row"].current').getAttribute('data-name');
  const toasts = (kind: string) => page.locator(`[data-testid="toast"][data-kind="${kind}"] .msg`).allInnerTexts();
  function query<T>(sql: string, ...params: unknown[]): T[] {
    const db = new Database(session.studio.dbPath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  const status = (relPath: string) => query<{ status: string }>('SELECT status FROM recordings WHERE rel_path = ?', relPath)[0]?.status;

  async function openViaDialog(dir: string): Promise<void> {
    await page.click('[data-testid="open-folder"]');
    await page.fill('[data-testid="open-folder-path"]', dir);
    await page.click('[data-testid="open-folder-submit"]');
  }

  beforeAll(async () => {
    session = await openStudioInChromium({ width: 1440, height: 900 }, { 'b_broken.flac': BROKEN_FLAC }, FILES);
    page = session.page;
    await detectAllInPage(page);
  });

  afterAll(() => session?.dispose());

  it('says so when a folder holds no audio, keeps the open project, and lists no such folder as recent', async () => {
    const empty = path.join(session.studio.tmp, 'empty');
    const notes = path.join(session.studio.tmp, 'notes');
    mkdirSync(empty);
    mkdirSync(notes);
    writeFileSync(path.join(notes, 'readme.txt'), 'not audio');
    for (const dir of [empty, notes]) {
      await openViaDialog(dir);
      await expect.poll(() => toasts('error')).toContainEqual(expect.stringContaining(`No audio files (WAV, FLAC, MP3 or OGG) in ${dir}`));
      await expect.poll(() => page.locator('[data-testid="file-row"]').count()).toBe(3);
    }
    await page.click('[data-testid="open-folder"]');
    await expect.poll(() => page.locator('[data-testid="recent-project"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-root')))).toEqual([session.studio.audioDir]);
    await page.keyboard.press('Escape');
  });

  it('does not show internal API names in error messages', async () => {
    await openViaDialog('recordings');
    await expect.poll(() => toasts('error')).toContainEqual(expect.stringMatching(/^"recordings" is not a full folder path: type an absolute path/));
    expect((await toasts('error')).join('\n')).not.toMatch(/projects\.open|recordings\.\w+:/);
  });

  it('stacks label chips inside the waveform so that none covers the ruler or another chip', async () => {
    await page.locator('[data-testid="file-row"][data-name="a_close.wav"]').click();
    await expect.poll(() => page.locator('[data-testid="waveform"]').getAttribute('data-ready')).toBe('true');
    // Verifying an event redraws its chip: it must keep out of its neighbour's way.
    const gunshot = query<{ id: number }>("SELECT id FROM events WHERE label = 'gunshot' AND deleted = 0")[0];
    await page.click(`[data-testid="event-row"][data-event-id="${gunshot.id}"] [data-testid="verify"]`);
    await expect.poll(() => query<{ verified: number }>('SELECT verified FROM events WHERE id = ?', gunshot.id)[0].verified).toBe(1);

    const problems = async (): Promise<string[]> => {
      const ruler = (await page.locator('[data-testid="ruler"]').boundingBox())!;
      const chips = await page.locator('[data-testid="region"]').evaluateAll((regions) =>
        regions.map((region) => {
          const content = region.querySelector('[part~="region-content"]');
          const chip = content?.querySelector('[data-testid="region-chip"]') ?? content;
          const r = chip!.getBoundingClientRect();
          return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, text: chip!.textContent };
        }),
      );
      const out: string[] = [];
      if (chips.length !== 3) out.push(`${chips.length} chips`);
      const overlap = (a: Rect, b: Rect) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
      chips.forEach((a, i) => {
        if (a.top < ruler.y + ruler.height - 0.5) out.push(`${a.text} covers the ruler`);
        for (const b of chips.slice(i + 1)) if (overlap(a, b)) out.push(`${a.text} covers ${b.text}`);
      });
      return out;
    };
    await expect.poll(problems).toEqual([]);
    await page.click('[data-testid="zoom-in"]');
    await page.click('[data-testid="zoom-fit"]');
    await expect.poll(problems).toEqual([]);
  });

  it('asks before "Mark reviewed" accepts low-confidence predictions; Enter skips broken files and says when the list ends', async () => {
    expect(await current()).toBe('a_close.wav');
    const questions: string[] = [];
    page.once('dialog', (d) => {
      questions.push(d.message());
      void d.dismiss();
    });
    await page.click('[data-testid="mark-reviewed"]');
    await expect.poll(() => questions).toEqual([expect.stringContaining('1 predicted event has a confidence below 0.5')]);
    expect(status('a_close.wav')).toBe('detected');

    page.once('dialog', (d) => {
      questions.push(d.message());
      void d.accept();
    });
    await page.keyboard.press('Enter');
    await expect.poll(() => status('a_close.wav')).toBe('reviewed');
    expect(questions).toHaveLength(2);
    // b_broken.flac cannot be opened: Enter goes past it.
    await expect.poll(current).toBe('c_plain.wav');

    await page.keyboard.press('Enter');
    await expect.poll(() => status('c_plain.wav')).toBe('reviewed');
    await expect.poll(() => toasts('info')).toContainEqual('That was the last file in the list: 2 of 3 reviewed');
    expect(await current()).toBe('c_plain.wav');
    expect(questions).toHaveLength(2);
  });
});
