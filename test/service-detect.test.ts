import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResult } from '../src-main/api/contract';
import { encodeWav } from '../src-main/engine/audio/wav';
import { openStore, type Store } from '../src-main/engine/store';
import { createService } from '../src-main/service/service';
import type { EarmarkService } from '../src-main/service/types';
import { energyDetector, writeFixtureModel } from './engine/onnx-fixtures';
import { waitFor } from './service-helpers';

// The service with the real detection engine (worker-thread features, ONNX/tfjs network) on a tiny
// fixture model that fires 'babycry' wherever a loud 1 kHz tone plays.

const RATE = 16000;
let dir: string;
let store: Store;
let service: EarmarkService;

function toneFile(seconds: number, tones: [number, number][]): Buffer {
  const x = new Float32Array(Math.round(seconds * RATE));
  let s = 7;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = (s / 2 ** 32 - 0.5) * 2e-3;
  }
  for (const [a, b] of tones) for (let i = Math.round(a * RATE); i < Math.round(b * RATE); i++) x[i] += 0.5 * Math.sin((2 * Math.PI * 1000 * i) / RATE);
  return encodeWav(x, RATE);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-svc-detect-'));
  process.env.EARMARK_CACHE_DIR = join(dir, 'cache');
  const resources = join(dir, 'resources');
  const melBands = 64;
  await writeFixtureModel(join(resources, 'models', 'fixture'), { ...energyDetector(melBands), normalization: { mean: new Array(melBands).fill(-6), std: new Array(melBands).fill(1) } });
  await mkdir(join(dir, 'audio'), { recursive: true });
  await writeFile(join(dir, 'audio', 'a.wav'), toneFile(3, [[1, 2]]));
  await writeFile(join(dir, 'audio', 'b.wav'), toneFile(2, []));
  store = openStore(join(dir, 'db.sqlite'));
  // Bundled models under resources/models are registered at startup (the first becomes active).
  service = await createService({ store, resourcesDir: resources, homeDir: dir }, { host: 'browser', mediaUrl: (id) => `/media/${id}` });
});

afterAll(async () => {
  await service?.close();
  store?.close();
  delete process.env.EARMARK_CACHE_DIR;
  await rm(dir, { recursive: true, force: true });
});

describe('service detection with the engine', () => {
  it('registers the bundled model, detects in the background and stores predicted events', async () => {
    const models = (await service.call('models.list', {})) as ApiResult<'models.list'>;
    expect(models).toMatchObject([{ name: 'fixture', origin: 'bundled', active: true }]);
    const project = (await service.call('projects.open', { root: join(dir, 'audio') })) as ApiResult<'projects.open'>;
    const { jobId } = (await service.call('detection.start', { projectId: project.id })) as { jobId: string };
    const job = await waitFor(async () => {
      const j = (await service.call('jobs.get', { jobId })) as ApiResult<'jobs.get'>;
      return j.status === 'running' ? undefined : j;
    }, 60_000);
    expect(job.message).toBeNull();
    expect(job).toMatchObject({ status: 'done', errors: [], progress: { done: 2, total: 2 } });
    const recordings = (await service.call('recordings.list', { projectId: project.id })) as ApiResult<'recordings.list'>;
    expect(recordings.map((r) => [r.path, r.status, r.eventCount])).toEqual([
      ['a.wav', 'detected', 1],
      ['b.wav', 'detected', 0],
    ]);
    const events = (await service.call('events.list', { recordingId: recordings[0].id })) as ApiResult<'events.list'>;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: 'predicted', verified: false });
    expect(Math.abs(events[0].onset - 1)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(events[0].offset - 2)).toBeLessThanOrEqual(0.1);
    const labels = (await service.call('labels.list', { projectId: project.id })) as ApiResult<'labels.list'>;
    expect(labels.find((l) => l.id === events[0].labelId)?.name).toBe('babycry');
    const info = (await service.call('app.info', {})) as ApiResult<'app.info'>;
    expect(info.backend).toBeTruthy();
  });
});
