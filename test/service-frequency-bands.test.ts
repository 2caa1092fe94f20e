import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, api, type ApiMethod, type ApiParams, type ApiResult } from '../src-main/api/contract';
import { parseAnnotations, type AnnotationFormat } from '../src-main/engine/annotations';
import { createService } from '../src-main/service/service';
import type { EarmarkService } from '../src-main/service/types';
import { fakeDetectorFactory, makeAudioFolder } from './service-helpers';

let folder: ReturnType<typeof makeAudioFolder>;
let service: EarmarkService;
let projectId: number;
let recordingId: number;
let labelId: number;

async function call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
  return (await service.call(method, params)) as ApiResult<M>;
}

beforeEach(async () => {
  folder = makeAudioFolder();
  service = await createService({ dbPath: folder.dbPath, resourcesDir: null, detectorFactory: fakeDetectorFactory, homeDir: folder.dir }, { host: 'browser', mediaUrl: (id) => `/media/${id}` });
  projectId = (await call('projects.open', { root: folder.root })).id;
  recordingId = (await call('recordings.list', { projectId })).find((r) => r.path === 'a.wav')!.id;
  labelId = (await call('labels.list', { projectId }))[0].id;
});

afterEach(async () => {
  await service.close();
  rmSync(folder.dir, { recursive: true, force: true });
});

const exportText = async (format: AnnotationFormat) => (await call('export.run', { projectId, recordingIds: [recordingId], format })).text!;

describe('frequency bands through the service', () => {
  it('creates a box, moves it, clears it, and undoes each step', async () => {
    const { event } = await call('events.create', { recordingId, labelId, onset: 0.2, offset: 0.9, lowFrequency: 500, highFrequency: 2500 });
    expect([event.lowFrequency, event.highFrequency]).toEqual([500, 2500]);
    await call('events.update', { eventId: event.id, lowFrequency: 700, highFrequency: 3000 });
    const cleared = await call('events.update', { eventId: event.id, lowFrequency: null, highFrequency: null });
    expect([cleared.event.lowFrequency, cleared.event.highFrequency]).toEqual([null, null]);
    expect(cleared.edits.undoDescription).toMatch(/^Clear the frequency band/);
    const band = async () => (await call('events.list', { recordingId })).map((e) => [e.lowFrequency, e.highFrequency]);
    await call('edits.undo', { projectId });
    expect(await band()).toEqual([[700, 3000]]);
    await call('edits.undo', { projectId });
    expect(await band()).toEqual([[500, 2500]]);
    await call('edits.redo', { projectId });
    expect(await band()).toEqual([[700, 3000]]);
  });

  it('refuses half a band in the contract and a band above Nyquist in the service', async () => {
    expect(api['events.update'].params.safeParse({ eventId: 1, lowFrequency: 100 }).success).toBe(false);
    expect(api['events.update'].params.safeParse({ eventId: 1, lowFrequency: 100, highFrequency: null }).success).toBe(false);
    expect(api['events.create'].params.safeParse({ recordingId: 1, labelId: 1, onset: 0, offset: 1, lowFrequency: 900, highFrequency: 100 }).success).toBe(false);
    const error = await service.call('events.create', { recordingId, labelId, onset: 0.2, offset: 0.9, lowFrequency: 100, highFrequency: 4100 }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('invalid-params');
    expect((error as ApiError).message).toMatch(/Nyquist frequency \(4000 Hz\)/);
  });

  it('exports bands to Raven, Audacity, CSV and JSON (Raven: 0 to Nyquist without one), and reads them back', async () => {
    await call('events.create', { recordingId, labelId, onset: 0.2, offset: 0.9, lowFrequency: 500, highFrequency: 2500 });
    await call('events.create', { recordingId, labelId, onset: 1, offset: 1.5 });
    const label = (await call('labels.list', { projectId }))[0].name;

    const raven = await exportText('raven');
    expect(raven.split('\n').slice(1, 3)).toEqual([`1\tSpectrogram 1\t1\t0.2\t0.9\t500\t2500\t${label}`, `2\tSpectrogram 1\t1\t1\t1.5\t0\t4000\t${label}`]);
    expect(await exportText('audacity')).toBe(`0.2\t0.9\t${label}\n\\\t500\t2500\n1\t1.5\t${label}\n`);
    expect(await exportText('csv')).toBe(`filename,onset,offset,label,confidence,low_frequency,high_frequency\r\na.wav,0.2,0.9,${label},,500,2500\r\na.wav,1,1.5,${label},,,\r\n`);
    const json = JSON.parse(await exportText('json')) as { events: Record<string, unknown>[] };
    expect(json.events).toEqual([
      { filename: 'a.wav', onset: 0.2, offset: 0.9, label, lowFrequency: 500, highFrequency: 2500 },
      { filename: 'a.wav', onset: 1, offset: 1.5, label },
    ]);

    const expected = [
      { filename: 'a.wav', onset: 0.2, offset: 0.9, label, lowFrequency: 500, highFrequency: 2500 },
      { filename: 'a.wav', onset: 1, offset: 1.5, label },
    ];
    for (const format of ['audacity', 'csv', 'json'] as const) {
      expect(parseAnnotations(await exportText(format), format, { filename: 'a.wav' }).events, format).toEqual(expected);
    }
    // Raven has no "unset": the band-less event comes back as the whole spectrum.
    expect(parseAnnotations(raven, 'raven', { filename: 'a.wav' }).events).toEqual([expected[0], { ...expected[1], lowFrequency: 0, highFrequency: 4000 }]);
  });
});
