import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResult, SoundEventRow } from '../../src-main/api/contract';
import { chromiumAvailable, CHROMIUM_MISSING } from './helpers/browser';
import { DURATION, SAMPLE_RATE } from './helpers/audio';
import { openFileInPage, openStudioInChromium, type StudioPage } from './helpers/studio';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

describe.skipIf(!chromiumAvailable)('frequency-bounded events on the spectrogram (Chromium against earmark serve)', () => {
  let session: StudioPage;
  let page: Page;
  let recordingId: number;
  const pageErrors: string[] = [];

  const call = <T>(method: string, params: unknown) => session.studio.server.service.call(method, params) as Promise<T>;
  const events = () => call<SoundEventRow[]>('events.list', { recordingId });
  const band = async () => (await events()).map((e) => [e.lowFrequency, e.highFrequency]);
  const boxRect = async () => page.locator('[data-testid="freq-box"]').first().boundingBox();
  const nyquist = SAMPLE_RATE / 2;

  async function dragBy(from: { x: number; y: number }, to: { x: number; y: number }, shift = false): Promise<void> {
    await page.mouse.move(from.x, from.y);
    if (shift) await page.keyboard.down('Shift');
    await page.mouse.down();
    for (let i = 1; i <= 5; i++) await page.mouse.move(from.x + ((to.x - from.x) * i) / 5, from.y + ((to.y - from.y) * i) / 5);
    await page.mouse.up();
    if (shift) await page.keyboard.up('Shift');
  }

  beforeAll(async () => {
    session = await openStudioInChromium({ width: 1440, height: 900 });
    page = session.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const projectId = (await call<{ id: number }[]>('projects.list', {}))[0].id;
    recordingId = (await call<ApiResult<'recordings.list'>>('recordings.list', { projectId })).find((r) => r.name === 'rec_c.wav')!.id;
    await openFileInPage(page, 'rec_c.wav');
  }, 120_000);

  afterAll(() => session?.dispose());

  it('draws a box with Shift+drag, resizes and moves it by its edges, undoes, clears it with B, and exports it', async () => {
    const spec = (await page.locator('[data-testid="spectrogram"]').boundingBox())!;
    const at = (time: number, fromTop: number) => ({ x: spec.x + (time / DURATION) * spec.width, y: spec.y + fromTop * spec.height });

    // Draw: 3 s to 5 s, between 30 % and 70 % of the height.
    await dragBy(at(3, 0.3), at(5, 0.7), true);
    await expect.poll(async () => (await events()).length).toBe(1);
    const [drawn] = await events();
    expect(drawn.onset).toBeCloseTo(3, 1);
    expect(drawn.offset).toBeCloseTo(5, 1);
    expect(drawn.lowFrequency).toBeGreaterThan(0);
    expect(drawn.highFrequency).toBeGreaterThan(drawn.lowFrequency!);
    expect(drawn.highFrequency).toBeLessThan(nyquist);
    // The box sits where it was drawn.
    await expect.poll(boxRect).not.toBeNull();
    const box = (await boxRect())!;
    const drawnFrom = at(3, 0.3);
    const drawnTo = at(5, 0.7);
    expect(Math.abs(box.x - drawnFrom.x)).toBeLessThan(4);
    expect(Math.abs(box.x + box.width - drawnTo.x)).toBeLessThan(4);
    expect(Math.abs(box.y - drawnFrom.y)).toBeLessThan(4);
    expect(Math.abs(box.y + box.height - drawnTo.y)).toBeLessThan(4);
    expect(await page.locator('[data-testid="event-band"]').innerText()).toMatch(/–.*Hz/);

    // Drag the top edge up: only the high frequency rises.
    await dragBy({ x: box.x + box.width / 2, y: box.y }, { x: box.x + box.width / 2, y: box.y - spec.height * 0.15 });
    await expect.poll(async () => (await events())[0].highFrequency).toBeGreaterThan(drawn.highFrequency!);
    const raised = (await events())[0];
    expect([raised.onset, raised.offset, raised.lowFrequency]).toEqual([drawn.onset, drawn.offset, drawn.lowFrequency]);

    // Drag the right edge 1 s later.
    const resized = (await boxRect())!;
    await dragBy({ x: resized.x + resized.width, y: resized.y + resized.height / 2 }, { x: resized.x + resized.width + spec.width / DURATION, y: resized.y + resized.height / 2 });
    await expect.poll(async () => (await events())[0].offset).toBeCloseTo(6, 1);

    // Move the whole box down and earlier by its body.
    const beforeMove = (await events())[0];
    const moving = (await boxRect())!;
    const centre = { x: moving.x + moving.width / 2, y: moving.y + moving.height / 2 };
    await dragBy(centre, { x: centre.x - spec.width / DURATION, y: centre.y + spec.height * 0.1 });
    await expect.poll(async () => (await events())[0].onset).toBeCloseTo(beforeMove.onset - 1, 1);
    const moved = (await events())[0];
    expect(moved.offset - moved.onset).toBeCloseTo(beforeMove.offset - beforeMove.onset, 2);
    expect(moved.highFrequency!).toBeLessThan(beforeMove.highFrequency!);

    // Undo steps back through the box edits like any event edit.
    await page.keyboard.press('Control+z');
    await expect.poll(band).toEqual([[beforeMove.lowFrequency, beforeMove.highFrequency]]);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(band).toEqual([[moved.lowFrequency, moved.highFrequency]]);

    // B clears the selected event's band; the box goes, the event stays; undo brings it back.
    await page.locator('[data-testid="event-row"]').first().click();
    await page.keyboard.press('b');
    await expect.poll(band).toEqual([[null, null]]);
    await expect.poll(() => page.locator('[data-testid="freq-box"]').count()).toBe(0);
    await page.keyboard.press('Control+z');
    await expect.poll(band).toEqual([[moved.lowFrequency, moved.highFrequency]]);
    await expect.poll(() => page.locator('[data-testid="freq-box"]').count()).toBe(1);

    const projectId = (await call<{ id: number }[]>('projects.list', {}))[0].id;
    const raven = await call<ApiResult<'export.run'>>('export.run', { projectId, recordingIds: [recordingId], format: 'raven' });
    expect(raven.text!.split('\n')[1].split('\t').slice(3, 7).map(Number)).toEqual([moved.onset, moved.offset, moved.lowFrequency, moved.highFrequency]);

    // The table's clear button does the same as B.
    await page.click('[data-testid="clear-band"]');
    await expect.poll(band).toEqual([[null, null]]);
    expect(pageErrors).toEqual([]);
  });

  it('Shift+drag inside the selected event sets its band and keeps its times', async () => {
    const spec = (await page.locator('[data-testid="spectrogram"]').boundingBox())!;
    const [event] = await events();
    await page.locator(`[data-testid="event-row"][data-event-id="${event.id}"]`).click();
    const mid = (event.onset + event.offset) / 2;
    const x = (t: number) => spec.x + (t / DURATION) * spec.width;
    await dragBy({ x: x(mid), y: spec.y + spec.height * 0.2 }, { x: x(mid + 0.3), y: spec.y + spec.height * 0.5 }, true);
    await expect.poll(async () => (await events())[0].lowFrequency).not.toBeNull();
    const after = await events();
    expect(after).toHaveLength(1);
    expect([after[0].onset, after[0].offset]).toEqual([event.onset, event.offset]);
    expect(pageErrors).toEqual([]);
  });
});
