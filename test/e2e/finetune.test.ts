import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src-main/engine/audio/wav';
import { startServer, type RunningServer } from '../../src-main/server/server';
import type { Detector, DetectorFactory } from '../../src-main/service/detector';
import { engineDetectorFactory } from '../../src-main/service/engine-detector';
import { createService } from '../../src-main/service/service';
import { makeTinyModel, synthClip, TINY_FEATURES, type SynthEvent } from '../fixtures/finetune/setup';
import { chromiumAvailable, launchChromium, openStudioPage } from './helpers/browser';
import { ensureRendererBuilt, RENDERER_OUT } from './helpers/renderer-build';
import { detectAllInPage } from './helpers/studio';

// The learning loop in the studio: detect, correct and review files, fine-tune from the Training
// panel, compare versions in the Models panel, and re-detect the unreviewed files with the new model.
// The starting model is a tiny CRNN (8 kHz, two tone classes) so fine-tuning takes seconds; its
// first detections are scripted, so the corrections are exact. Re-detection runs the real engine.

const SHOTS = path.join(path.dirname(new URL(import.meta.url).pathname), 'screenshots');
const PARENT = 'tiny-parent';
const SECONDS = 4;

interface Clip {
  name: string;
  /** What the audio contains. */
  truth: SynthEvent[];
  /** What the scripted parent model reports. */
  predicted: (SynthEvent & { confidence: number })[];
}

const CLIPS: Clip[] = [
  { name: 'r00.wav', truth: [{ label: 'beep', onset: 0.5, offset: 1.5 }], predicted: [{ label: 'beep', onset: 0.5, offset: 1.5, confidence: 0.9 }] },
  // The parent calls this whistle a beep: the user relabels it.
  { name: 'r01.wav', truth: [{ label: 'whistle', onset: 1, offset: 2 }], predicted: [{ label: 'beep', onset: 1, offset: 2, confidence: 0.6 }] },
  // A false alarm the user deletes.
  {
    name: 'r02.wav',
    truth: [{ label: 'beep', onset: 1.5, offset: 2.5 }],
    predicted: [
      { label: 'beep', onset: 1.5, offset: 2.5, confidence: 0.8 },
      { label: 'whistle', onset: 3, offset: 3.4, confidence: 0.3 },
    ],
  },
  { name: 'r03.wav', truth: [{ label: 'whistle', onset: 0.8, offset: 1.8 }], predicted: [{ label: 'whistle', onset: 0.8, offset: 1.8, confidence: 0.7 }] },
  { name: 'r04.wav', truth: [{ label: 'beep', onset: 2, offset: 3 }], predicted: [{ label: 'beep', onset: 2, offset: 3, confidence: 0.85 }] },
  { name: 'r05.wav', truth: [{ label: 'whistle', onset: 2.2, offset: 3.2 }], predicted: [{ label: 'whistle', onset: 2.2, offset: 3.2, confidence: 0.75 }] },
  // Not reviewed: re-detection replaces u1's prediction; on u2 the user fixes the label, which must survive.
  { name: 'u1.wav', truth: [{ label: 'beep', onset: 1, offset: 2 }], predicted: [{ label: 'beep', onset: 1, offset: 2, confidence: 0.7 }] },
  { name: 'u2.wav', truth: [{ label: 'beep', onset: 1.5, offset: 2.5 }], predicted: [{ label: 'whistle', onset: 1.5, offset: 2.5, confidence: 0.5 }] },
];
const REVIEWED = CLIPS.filter((c) => c.name.startsWith('r')).map((c) => c.name);

/** The parent's detections are scripted; every other model (the fine-tunes) runs in the real engine. */
const detectorFactory: DetectorFactory = async (model) => {
  if (model.name !== PARENT) return engineDetectorFactory(model);
  const detector: Detector = {
    backend: 'scripted parent (e2e)',
    async detect(file) {
      const clip = CLIPS.find((c) => file.endsWith(c.name));
      if (!clip) throw new Error(`scripted parent: unknown file ${file}`);
      return clip.predicted.map((e) => ({ ...e }));
    },
    async dispose() {},
  };
  return detector;
};

interface Row {
  id: number;
  file: string;
  label: string;
  onset: number;
  offset: number;
  source: string;
  verified: number;
  version: number;
  deleted: number;
  model_id: number | null;
}

describe.skipIf(!chromiumAvailable)('fine-tuning loop end to end (Chromium against earmark serve)', () => {
  let tmp: string;
  let audioDir: string;
  let dbPath: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const serverErrors: string[] = [];
  const pageErrors: string[] = [];

  function query<T>(sql: string, ...params: unknown[]): T[] {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  const events = (includeDeleted = false) =>
    query<Row>(
      `SELECT e.id, r.rel_path AS file, e.label, e.onset, e.offset, e.source, e.verified, e.version, e.deleted, e.model_id
       FROM events e JOIN recordings r ON r.id = e.recording_id ${includeDeleted ? '' : 'WHERE e.deleted = 0'} ORDER BY r.rel_path, e.onset, e.id`,
    );
  const status = (file: string) => query<{ status: string }>('SELECT status FROM recordings WHERE rel_path = ?', file)[0]?.status ?? `no row for ${file}`;
  /** Database polls get more time than the 1 s default: the machine's two cores are shared. */
  const DB_POLL = { timeout: 10_000 };
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  const fileRow = (name: string): Locator => page.locator(`[data-testid="file-row"][data-name="${name}"]`);
  const current = () => page.locator('[data-testid="file-row"].current').getAttribute('data-name');

  beforeAll(async () => {
    ensureRendererBuilt();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'earmark-e2e-ft-'));
    audioDir = path.join(tmp, 'recordings');
    mkdirSync(audioDir, { recursive: true });
    CLIPS.forEach((clip, i) => writeFileSync(path.join(audioDir, clip.name), encodeWav(synthClip(SECONDS, clip.truth, 500 + i), TINY_FEATURES.sampleRate)));
    const resourcesDir = path.join(tmp, 'resources');
    await makeTinyModel(path.join(resourcesDir, 'models', PARENT), ['beep', 'whistle']);
    dbPath = path.join(tmp, 'studio.db');
    process.env.EARMARK_CACHE_DIR = path.join(tmp, 'cache');
    server = await startServer({
      rendererDir: RENDERER_OUT,
      createService: (host) =>
        createService({ dbPath, resourcesDir, detectorFactory, homeDir: tmp, training: { augmentPerFile: 0, cropSeconds: 1.28, cropsPerEpoch: 24, learningRate: 0.005 } }, host),
      onInternalError: (error, method) => serverErrors.push(`${method}: ${(error as Error)?.stack ?? String(error)}`),
    });
    browser = await launchChromium();
    page = await openStudioPage(browser, pageErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    delete process.env.EARMARK_CACHE_DIR;
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('reviews files, fine-tunes with a live chart, activates the new version and re-detects unreviewed files', async () => {
    await page.goto(server.studioUrl);
    await page.click('[data-testid="open-folder"]');
    await page.fill('[data-testid="open-folder-path"]', audioDir);
    await page.click('[data-testid="open-folder-submit"]');
    await expect.poll(() => page.locator('[data-testid="file-row"]').count()).toBe(CLIPS.length);

    // Detect everything with the (scripted) parent.
    await detectAllInPage(page);
    await expect.poll(() => events().length, DB_POLL).toBe(9);
    const parentId = query<{ id: number }>('SELECT id FROM models WHERE name = ?', PARENT)[0].id;

    // Training is refused until enough files are reviewed, and the panel says why.
    await page.click('[data-testid="open-training"]');
    await page.waitForSelector('[data-testid="training-problems"]');
    expect(await page.locator('[data-testid="training-problems"]').innerText()).toContain('0 reviewed recording(s); at least 4 are needed');
    expect(await page.locator('[data-testid="start-training"]').isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="training-panel"]', { state: 'detached' });

    // Review r00..r05, correcting r01 (relabel) and r02 (delete a false alarm) on the way.
    await fileRow('r00.wav').click();
    await page.waitForSelector('[data-testid="waveform"][data-ready="true"]');
    for (const name of REVIEWED) {
      await expect.poll(current, DB_POLL).toBe(name);
      await expect.poll(() => page.locator('[data-testid="event-row"]').count()).toBe(CLIPS.find((c) => c.name === name)!.predicted.length);
      if (name === 'r01.wav') {
        const ev = events().find((e) => e.file === name)!;
        await page.locator(`[data-testid="event-row"][data-event-id="${ev.id}"] [data-testid="event-label"]`).selectOption({ label: 'whistle' });
        await expect.poll(() => events().find((e) => e.id === ev.id)?.label, DB_POLL).toBe('whistle');
      }
      if (name === 'r02.wav') {
        const alarm = events().find((e) => e.file === name && e.label === 'whistle')!;
        await page.locator(`[data-testid="event-row"][data-event-id="${alarm.id}"] [data-testid="event-onset"]`).click();
        await page.keyboard.press('Delete');
        await expect.poll(() => events().some((e) => e.id === alarm.id), DB_POLL).toBe(false);
      }
      await page.click('[data-testid="mark-reviewed"]');
      await expect.poll(() => status(name), DB_POLL).toBe('reviewed');
    }
    // On u2 (not reviewed) the user fixes the label: a verified event re-detection must keep.
    await fileRow('u2.wav').click();
    await expect.poll(current).toBe('u2.wav');
    const u2Event = events().find((e) => e.file === 'u2.wav')!;
    await page.locator(`[data-testid="event-row"][data-event-id="${u2Event.id}"] [data-testid="event-label"]`).selectOption({ label: 'beep' });
    await expect.poll(() => events().find((e) => e.id === u2Event.id)?.verified, DB_POLL).toBe(1);
    const u2Verified = events().find((e) => e.id === u2Event.id)!;
    expect(u2Verified).toMatchObject({ label: 'beep', onset: 1.5, offset: 2.5, source: 'predicted' });
    const u1Prediction = events().find((e) => e.file === 'u1.wav')!;
    expect(u1Prediction).toMatchObject({ source: 'predicted', verified: 0, model_id: parentId });

    // The Training panel shows what the reviewed files offer per class.
    await page.click('[data-testid="open-training"]');
    await page.waitForSelector('[data-testid="material-class"]');
    expect(await page.locator('[data-testid="material-reviewed"]').innerText()).toBe('6');
    expect(
      await page.locator('[data-testid="material-class"]').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-label')}:${r.getAttribute('data-events')}`)),
    ).toEqual(['beep:3', 'whistle:3']);
    expect(await page.locator('[data-testid="training-problems"]').count()).toBe(0);

    // Fine-tune for 4 epochs; the chart gains points while it runs.
    await page.fill('[data-testid="training-epochs"]', '4');
    await page.click('[data-testid="start-training"]');
    await page.waitForSelector('[data-testid="training-job"]');
    await expect.poll(() => page.locator('[data-testid="chart-point"][data-series="loss"]').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    await page.waitForSelector('[data-testid="training-job"][data-status="done"]', { timeout: 120_000 });
    expect(await page.locator('[data-testid="chart-point"][data-series="loss"]').count()).toBe(4);
    expect(await page.locator('[data-testid="chart-point"][data-series="errorRate"]').count()).toBe(4);
    await page.waitForSelector('[data-testid="training-result"]');
    await page.waitForTimeout(300);
    await shot('10-training-done');
    const newModelId = Number(await page.locator('[data-testid="training-result"]').getAttribute('data-model-id'));

    // The database: the run, the exact recordings and event versions it used, the new active model.
    const [run] = query<{ id: number; status: string; parent_model_id: number; result_model_id: number }>('SELECT * FROM training_runs');
    expect(run).toMatchObject({ status: 'completed', parent_model_id: parentId, result_model_id: newModelId });
    const reviewedIds = query<{ id: number }>("SELECT id FROM recordings WHERE status = 'reviewed' ORDER BY id").map((r) => r.id);
    expect(reviewedIds).toHaveLength(6);
    expect(query<{ recording_id: number }>('SELECT recording_id FROM training_run_recordings WHERE run_id = ? ORDER BY recording_id', run.id).map((r) => r.recording_id)).toEqual(reviewedIds);
    const trainedOn = events().filter((e) => REVIEWED.includes(e.file));
    expect(trainedOn.map((e) => [e.file, e.label, e.verified])).toEqual([
      ['r00.wav', 'beep', 1],
      ['r01.wav', 'whistle', 1],
      ['r02.wav', 'beep', 1],
      ['r03.wav', 'whistle', 1],
      ['r04.wav', 'beep', 1],
      ['r05.wav', 'whistle', 1],
    ]);
    expect(query<{ event_id: number; version: number }>('SELECT event_id, version FROM training_run_events WHERE run_id = ? ORDER BY event_id', run.id)).toEqual(
      trainedOn.map((e) => ({ event_id: e.id, version: e.version })).sort((a, b) => a.event_id - b.event_id),
    );
    expect(query<{ id: number; active: number; parent_model_id: number | null }>('SELECT id, active, parent_model_id FROM models ORDER BY id')).toEqual([
      { id: parentId, active: 0, parent_model_id: null },
      { id: newModelId, active: 1, parent_model_id: parentId },
    ]);

    // The Models panel lists both versions side by side, the new one active.
    await page.click('[data-testid="training-open-models"]');
    await page.waitForSelector('[data-testid="models-panel"]');
    await expect.poll(() => page.locator('[data-testid="model-row"]').count()).toBe(2);
    expect(await page.locator(`[data-testid="model-row"][data-model-id="${newModelId}"]`).getAttribute('data-active')).toBe('true');
    expect(await page.locator(`[data-testid="model-row"][data-model-id="${parentId}"]`).getAttribute('data-active')).toBe('false');
    expect(await page.locator('[data-testid="model-select"]').inputValue()).toBe(String(newModelId));
    await shot('11-models');

    // Roll back to the parent and forward again.
    await page.locator(`[data-testid="model-row"][data-model-id="${parentId}"] [data-testid="model-activate"]`).click();
    await expect.poll(() => query<{ id: number }>('SELECT id FROM models WHERE active = 1')[0]?.id, DB_POLL).toBe(parentId);
    await expect.poll(() => page.locator(`[data-testid="model-row"][data-model-id="${parentId}"]`).getAttribute('data-active')).toBe('true');
    await page.locator(`[data-testid="model-row"][data-model-id="${newModelId}"] [data-testid="model-activate"]`).click();
    await expect.poll(() => query<{ id: number }>('SELECT id FROM models WHERE active = 1')[0]?.id, DB_POLL).toBe(newModelId);

    // Re-detect the unreviewed files with the new model.
    await page.locator(`[data-testid="model-row"][data-model-id="${newModelId}"] [data-testid="model-redetect"]`).click();
    await page.waitForSelector('[data-testid="detection-job"]');
    await page.waitForSelector('[data-testid="detection-job"][data-status="done"]', { timeout: 120_000 });
    expect(await page.locator('[data-testid="detection-errors"]').count()).toBe(0);
    await shot('12-redetected');
    await page.keyboard.press('Escape');

    const unreviewed = query<{ rel_path: string; status: string; last_model_id: number }>("SELECT rel_path, status, last_model_id FROM recordings WHERE status != 'reviewed' ORDER BY rel_path");
    expect(unreviewed).toEqual([
      { rel_path: 'u1.wav', status: 'detected', last_model_id: newModelId },
      { rel_path: 'u2.wav', status: 'detected', last_model_id: newModelId },
    ]);
    // u1's old prediction was replaced; whatever is predicted now comes from the new model.
    expect(events(true).find((e) => e.id === u1Prediction.id)!.deleted).toBe(1);
    for (const e of events().filter((x) => !REVIEWED.includes(x.file) && x.verified === 0)) expect(e.model_id).toBe(newModelId);
    // The verified event on u2 and every reviewed file's events are exactly as they were.
    expect(events().find((e) => e.id === u2Verified.id)).toEqual(u2Verified);
    expect(events().filter((e) => REVIEWED.includes(e.file))).toEqual(trainedOn);

    expect(pageErrors.join('\n')).toBe('');
    expect(serverErrors.join('\n')).toBe('');
  });
});
