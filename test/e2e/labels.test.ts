import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Label, SoundEventRow } from '../../src-main/api/contract';
import { chromiumAvailable, CHROMIUM_MISSING } from './helpers/browser';
import { detectAllInPage, openStudioInChromium, type StudioPage } from './helpers/studio';

if (!chromiumAvailable) console.warn(CHROMIUM_MISSING);

describe.skipIf(!chromiumAvailable)('labels in the UI (Chromium against earmark serve)', () => {
  let session: StudioPage;
  let page: Page;
  let projectId: number;
  let recB: number;

  const call = <T>(method: string, params: unknown) => session.studio.server.service.call(method, params) as Promise<T>;
  const labels = () => call<Label[]>('labels.list', { projectId });
  const labelNames = async () => (await labels()).map((l) => l.name).sort();
  const eventLabels = async () => {
    const byId = new Map((await labels()).map((l) => [l.id, l.name]));
    return (await call<SoundEventRow[]>('events.list', { recordingId: recB })).map((e) => byId.get(e.labelId));
  };
  /** The label names the event table shows, in row order. */
  const tableLabels = () =>
    page.$$eval('[data-testid="event-row"] [data-testid="event-label"]', (selects) => selects.map((s) => (s as HTMLSelectElement).selectedOptions[0]?.text));
  const row = (name: string) => page.locator(`[data-testid="label-row"][data-label="${name}"]`);
  const setColour = (selector: string, colour: string) =>
    page.locator(selector).evaluate((el, value) => {
      const input = el as HTMLInputElement;
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }, colour);
  const openDialog = async () => {
    await page.click('[data-testid="open-labels"]');
    await page.waitForSelector('[data-testid="labels-dialog"]');
  };

  beforeAll(async () => {
    session = await openStudioInChromium({ width: 1280, height: 800 });
    page = session.page;
    await detectAllInPage(page);
    await page.locator('[data-testid="file-row"][data-name="rec_b.wav"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="event-row"]').length === 2);
    const project = (await call<{ id: number }[]>('projects.list', {}))[0];
    projectId = project.id;
    recB = (await call<{ id: number; name: string }[]>('recordings.list', { projectId })).find((r) => r.name === 'rec_b.wav')!.id;
  }, 120_000);

  afterAll(() => session?.dispose());

  it('creates a label with a colour and the next free key, refusing a name that exists in another case', async () => {
    await openDialog();
    await page.fill('[data-testid="new-label-name"]', 'Gunshot');
    await page.click('[data-testid="new-label-add"]');
    await expect.poll(() => page.locator('[data-testid="new-label-error"]').innerText()).toContain('already a label "gunshot"');
    await page.fill('[data-testid="new-label-name"]', 'siren');
    await setColour('[data-testid="new-label-color"]', '#123456');
    await page.click('[data-testid="new-label-add"]');
    await row('siren').waitFor();
    expect(await row('siren').locator('.kbd').innerText()).toBe('4');
    expect((await labels()).find((l) => l.name === 'siren')).toMatchObject({ color: '#123456', shortcut: '4' });
    await page.keyboard.press('Escape');
    // At once a label for events: the table's label menu offers it.
    const options = await page.locator('[data-testid="event-row"]').first().locator('option').allInnerTexts();
    expect(options).toContain('siren');
  });

  it('recolours a label: kept in the database, shown on the events after a reload', async () => {
    await openDialog();
    await setColour('[data-testid="label-row"][data-label="gunshot"] [data-testid="label-color"]', '#00ff00');
    await expect.poll(async () => (await labels()).find((l) => l.name === 'gunshot')?.color).toBe('#00ff00');
    await page.keyboard.press('Escape');
    await page.reload();
    await page.locator('[data-testid="file-row"][data-name="rec_b.wav"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="event-row"]').length === 2);
    const swatch = page.locator('[data-testid="event-row"]').nth(1).locator('.swatch');
    await expect.poll(() => swatch.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(0, 255, 0)');
  });

  it('renames a label with its events, and refuses a name with a tab (it would break DCASE files)', async () => {
    await openDialog();
    const name = row('glassbreak').locator('[data-testid="label-name"]');
    await name.fill('glass\tshatter');
    await name.press('Enter');
    await expect.poll(() => row('glassbreak').locator('[data-testid="label-error"]').innerText()).toContain('tabs');
    expect(await labelNames()).toContain('glassbreak');
    await name.fill('glass shatter');
    await name.press('Enter');
    await row('glass shatter').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(tableLabels).toEqual(['glass shatter', 'gunshot']);
    expect(await eventLabels()).toEqual(['glass shatter', 'gunshot']);
    expect(await labelNames()).not.toContain('glassbreak');
  });

  it('deletes a label only after asking what becomes of its events: moved to another label, or deleted', async () => {
    await openDialog();
    await row('gunshot').locator('[data-testid="label-delete"]').click();
    const panel = page.locator('[data-testid="label-delete-panel"]');
    await expect.poll(() => panel.innerText()).toContain('1 event');
    expect(await labelNames()).toContain('gunshot');
    await panel.locator('[data-testid="label-move-target"]').selectOption({ label: 'siren' });
    await panel.locator('[data-testid="label-fate-move"]').check();
    await panel.locator('[data-testid="label-delete-confirm"]').click();
    await expect.poll(() => row('gunshot').count()).toBe(0);
    expect(await eventLabels()).toEqual(['glass shatter', 'siren']);
    await expect.poll(tableLabels).toEqual(['glass shatter', 'siren']);

    await row('siren').locator('[data-testid="label-delete"]').click();
    await panel.locator('[data-testid="label-fate-delete"]').check();
    await panel.locator('[data-testid="label-delete-confirm"]').click();
    await expect.poll(() => row('siren').count()).toBe(0);
    await expect.poll(() => page.locator('[data-testid="event-row"]').count()).toBe(1);
    expect(await eventLabels()).toEqual(['glass shatter']);
    expect(await labelNames()).toEqual(['babycry', 'glass shatter']);
  });
});
