import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_MISSING } from './helpers/browser';
import { openStudioInChromium, type StudioPage } from './helpers/studio';

const SHOTS = path.join(path.dirname(new URL(import.meta.url).pathname), 'screenshots');
const LONG_LABEL = 'distant emergency vehicle siren with doppler shift';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

interface Control {
  name: string;
  bar: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
  hit: boolean;
}

describe.skipIf(!chromiumAvailable)('studio layout (Chromium against earmark serve)', () => {
  let session: StudioPage;
  let page: Page;

  beforeAll(async () => {
    session = await openStudioInChromium({ width: 1280, height: 800 });
    page = session.page;
    const { studio } = session;
    const { id: projectId } = (await studio.server.service.call('projects.open', { root: studio.audioDir })) as { id: number };
    await studio.server.service.call('labels.create', { projectId, name: LONG_LABEL });
    await page.reload();
    await page.waitForSelector('[data-testid="waveform"][data-ready="true"]');
    await page.locator('[data-testid="draw-label"]').selectOption({ label: LONG_LABEL });
  });

  afterAll(() => session?.dispose());

  /** Every control of the top bar and the transport bar, with whether a click at its centre reaches it. */
  const controls = (): Promise<Control[]> =>
    page.evaluate(() =>
      ['topbar', 'transport'].flatMap((bar) =>
        [...document.querySelectorAll<HTMLElement>(`[data-testid="${bar}"] :is(button, select, input, [data-testid="time"])`)]
          .filter((el) => el.getClientRects().length > 0)
          .map((el) => {
            const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return { name: el.dataset.testid ?? el.textContent!.trim().slice(0, 20), bar, left: r.left, right: r.right, top: r.top, bottom: r.bottom, hit: !!hit && (hit === el || el.contains(hit)) };
          }),
      ),
    );

  for (const [width, height] of [[1280, 800], [1920, 1080]]) {
    it(`fits every toolbar control on screen at ${width}×${height}, with a long label name`, async () => {
      await page.setViewportSize({ width, height });
      await expect.poll(async () => (await page.locator('[data-testid="transport"]').boundingBox())!.width).toBeLessThanOrEqual(width);
      const all = await controls();
      expect(all.map((c) => c.name)).toEqual(expect.arrayContaining(['mark-reviewed', 'zoom-fit', 'scale-linear', 'draw-label', 'open-export', 'open-help']));
      for (const c of all) {
        expect(c.left, c.name).toBeGreaterThanOrEqual(0);
        expect(c.right, c.name).toBeLessThanOrEqual(width);
        expect(c.hit, `${c.name} is covered or clipped`).toBe(true);
      }
      for (const a of all) {
        for (const b of all) {
          if (a === b) continue;
          const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
          expect(overlap, `${a.name} overlaps ${b.name}`).toBe(false);
        }
      }
      // The clock stays on one line.
      const clock = (await page.locator('[data-testid="time"]').boundingBox())!;
      expect(clock.height).toBeLessThan(24);
      await page.screenshot({ path: path.join(SHOTS, `layout-${width}x${height}.png`) });
    });
  }
});
