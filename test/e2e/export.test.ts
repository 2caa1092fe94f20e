import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_MISSING } from './helpers/browser';
import { SAMPLE_RATE } from './helpers/audio';
import { BROKEN_FLAC, detectAllInPage, openStudioInChromium, type Studio, type StudioPage } from './helpers/studio';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

const RAVEN_HEADER = 'Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tAnnotation';

describe.skipIf(!chromiumAvailable)('export dialog (Chromium against earmark serve)', () => {
  let session: StudioPage;
  let studio: Studio;
  let page: Page;
  let outside: string;

  beforeAll(async () => {
    session = await openStudioInChromium({ width: 1440, height: 900 }, { 'broken.flac': BROKEN_FLAC });
    ({ studio, page } = session);
    outside = path.join(studio.tmp, 'elsewhere');
    mkdirSync(outside);
    await detectAllInPage(page);
  });

  afterAll(() => session?.dispose());

  async function exportTo(options: { format: string; folder: string; fileName?: string; confidence?: boolean; overwrite?: boolean }): Promise<string> {
    await page.click('[data-testid="open-export"]');
    await page.locator('[data-testid="export-format"]').selectOption(options.format);
    await page.fill('[data-testid="export-folder"]', options.folder);
    if (options.fileName) await page.fill('[data-testid="export-path"]', options.fileName);
    if (options.confidence) await page.check('[data-testid="export-confidence"]');
    if (options.overwrite) await page.check('[data-testid="export-overwrite"]');
    await page.click('[data-testid="export-run"]');
    await page.waitForSelector('[data-testid="export-result"]');
    const skipped = await page.locator('[data-testid="export-skipped-file"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')));
    expect(skipped).toEqual(['broken.flac']);
    const text = await page.locator('[data-testid="export-result"]').innerText();
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="export-dialog"]', { state: 'detached' });
    return text;
  }

  it('writes Raven and Audacity one file per recording into a folder outside the project, leaving out the undecodable file', async () => {
    const raven = path.join(outside, 'raven');
    expect(await exportTo({ format: 'raven', folder: raven })).toContain(`as 3 files to ${raven}`);
    const nyquist = SAMPLE_RATE / 2;
    expect(readFileSync(path.join(raven, 'rec_b.selections.txt'), 'utf8')).toBe(
      [RAVEN_HEADER, `1\tSpectrogram 1\t1\t3\t3.4\t0\t${nyquist}\tglassbreak`, `2\tSpectrogram 1\t1\t6.2\t6.5\t0\t${nyquist}\tgunshot`, ''].join('\n'),
    );
    expect(readFileSync(path.join(raven, 'day1', 'rec_a.selections.txt'), 'utf8')).toBe([RAVEN_HEADER, `1\tSpectrogram 1\t1\t1\t2.5\t0\t${nyquist}\tbabycry`, ''].join('\n'));
    expect(readFileSync(path.join(raven, 'rec_c.selections.txt'), 'utf8')).toBe(`${RAVEN_HEADER}\n`);
    expect(existsSync(path.join(raven, 'broken.selections.txt'))).toBe(false);

    const audacity = path.join(outside, 'audacity');
    await exportTo({ format: 'audacity', folder: audacity });
    expect(readFileSync(path.join(audacity, 'rec_b.txt'), 'utf8')).toBe('3\t3.4\tglassbreak\n6.2\t6.5\tgunshot\n');
    expect(readFileSync(path.join(audacity, 'day1', 'rec_a.txt'), 'utf8')).toBe('1\t2.5\tbabycry\n');
  });

  it('writes DCASE with the 4 documented columns, confidence only when asked, never over a recording', async () => {
    await exportTo({ format: 'dcase', folder: outside, fileName: 'all.txt' });
    const lines = ['day1/rec_a.wav\t1\t2.5\tbabycry', 'rec_b.wav\t3\t3.4\tglassbreak', 'rec_b.wav\t6.2\t6.5\tgunshot', 'rec_c.wav', ''];
    expect(readFileSync(path.join(outside, 'all.txt'), 'utf8')).toBe(lines.join('\n'));
    await exportTo({ format: 'dcase', folder: outside, fileName: 'all.txt', confidence: true, overwrite: true });
    expect(readFileSync(path.join(outside, 'all.txt'), 'utf8')).toBe(
      ['day1/rec_a.wav\t1\t2.5\tbabycry\t0.92', 'rec_b.wav\t3\t3.4\tglassbreak\t0.81', 'rec_b.wav\t6.2\t6.5\tgunshot\t0.66', 'rec_c.wav', ''].join('\n'),
    );

    // The protections stay: a recording of the project is never replaced, even when asked to.
    const audio = readFileSync(path.join(studio.audioDir, 'rec_b.wav'));
    await page.click('[data-testid="open-export"]');
    await page.fill('[data-testid="export-folder"]', studio.audioDir);
    await page.fill('[data-testid="export-path"]', 'rec_b.wav');
    await page.check('[data-testid="export-overwrite"]');
    await page.click('[data-testid="export-run"]');
    await expect.poll(() => page.locator('[data-testid="toast"][data-kind="error"]').allInnerTexts()).toEqual([expect.stringContaining('audio file')]);
    expect(await page.locator('[data-testid="export-result"]').count()).toBe(0);
    expect(readFileSync(path.join(studio.audioDir, 'rec_b.wav')).equals(audio)).toBe(true);
  });
});
