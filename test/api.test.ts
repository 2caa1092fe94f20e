import { describe, expect, it, vi } from 'vitest';
import { api, ApiError, ApiEvent, apiMethods, isApiMethod, parseParams } from '../src-main/api/contract';
import { createApiClient, type ApiTransport } from '../src-main/api/client';

function invalid(method: string, params: unknown): ApiError {
  try {
    parseParams(method, params);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error(`${method} accepted ${JSON.stringify(params)}`);
}

describe('contract schemas', () => {
  it('lists every method issue 4 asks for', () => {
    for (const m of ['app.info', 'projects.open', 'recordings.peaks', 'recordings.spectrogram', 'recordings.mediaUrl', 'events.split', 'events.merge', 'events.history', 'edits.undo', 'edits.redo', 'detection.start', 'detection.cancel', 'jobs.list', 'models.activate', 'training.start', 'export.run']) {
      expect(apiMethods).toContain(m);
    }
    expect(isApiMethod('toString')).toBe(false);
    expect(isApiMethod('__proto__')).toBe(false);
  });

  it('accepts good params and fills defaults', () => {
    expect(parseParams('export.run', { projectId: 1 })).toEqual({ projectId: 1, format: 'dcase', verifiedOnly: false, overwrite: false });
    expect(parseParams('detection.start', { projectId: 2, recordingIds: [1, 2] })).toEqual({ projectId: 2, recordingIds: [1, 2], force: false });
    expect(parseParams('recordings.spectrogram', { recordingId: 1, start: 0, end: 10 })).toMatchObject({ scale: 'mel', columns: 1024, bins: 128 });
    expect(parseParams('labels.create', { projectId: 1, name: '  dog bark ', color: '#AABBCC', shortcut: 'd' })).toMatchObject({ name: 'dog bark' });
  });

  it('rejects wrong types, out-of-range numbers, unknown keys and inconsistent times', () => {
    expect(invalid('events.update', { eventId: '1' }).message).toMatch(/^events\.update: eventId: /);
    expect(invalid('events.update', { eventId: 1, onset: Number.NaN }).code).toBe('invalid-params');
    expect(invalid('events.update', { eventId: 1, onset: Infinity }).code).toBe('invalid-params');
    expect(invalid('events.update', { eventId: 1, onset: -0.5 }).message).toMatch(/onset/);
    expect(invalid('events.update', { eventId: 1, onset: 3, offset: 2 }).message).toMatch(/onset must be before offset/);
    expect(invalid('events.create', { recordingId: 1, labelId: 1, onset: 2, offset: 2 }).message).toMatch(/onset must be before offset/);
    expect(invalid('events.create', { recordingId: 1, labelId: 1, onset: 0, offset: 1e12 }).message).toMatch(/offset/);
    expect(invalid('events.update', { eventId: 1, sql: 'DROP' }).message).toMatch(/sql/);
    expect(invalid('events.merge', { eventIds: [1] }).message).toMatch(/eventIds/);
    expect(invalid('events.history', { eventId: 1, recordingId: 2 }).message).toMatch(/exactly one/);
    expect(invalid('labels.create', { projectId: 1, name: 'a\u0000b' }).message).toMatch(/control characters/);
    expect(invalid('labels.create', { projectId: 1, name: '   ' }).message).toMatch(/empty/);
    expect(invalid('projects.open', { root: 'x'.repeat(5000) }).code).toBe('invalid-params');
    expect(invalid('detection.cancel', { jobId: '../etc' }).message).toMatch(/job ids/);
    expect(invalid('recordings.peaks', { recordingId: 1, peaksPerSecond: 0 }).message).toMatch(/peaksPerSecond/);
    expect(invalid('projects.get', null).code).toBe('invalid-params');
    expect(invalid('unknown.method', {}).code).toBe('unknown-method');
  });

  it('result and event schemas parse what the service produces', () => {
    const job = { id: 'det_x', kind: 'detection', projectId: 1, status: 'running', progress: { done: 1, total: 2, fraction: 0.5 }, current: 'a.wav', errors: [], message: null, startedAt: 't', finishedAt: null, epochs: [], resultModelId: null };
    expect(api['jobs.get'].result.parse(job)).toEqual(job);
    expect(ApiEvent.safeParse({ type: 'job.progress', job }).success).toBe(true);
    expect(ApiEvent.safeParse({ type: 'job.progress', job: { ...job, status: 'exploded' } }).success).toBe(false);
  });
});

describe('api client', () => {
  function transport(reply: (method: string, params: unknown) => unknown): ApiTransport & { sent: unknown[] } {
    const listeners = new Set<(e: unknown) => void>();
    const sent: unknown[] = [];
    return {
      sent,
      async call(method, params) {
        sent.push([method, params]);
        return reply(method, params);
      },
      subscribe(listener) {
        listeners.add(listener);
        // Deliver one good and one malformed event synchronously.
        listener({ type: 'models.changed' });
        listener({ type: 'bogus' });
        return () => listeners.delete(listener);
      },
    };
  }

  it('returns validated results and turns wire errors into ApiError', async () => {
    const t = transport((method) => {
      if (method === 'edits.state') return { projectId: 1, canUndo: true, canRedo: false, undoDescription: 'Add event', redoDescription: null };
      if (method === 'projects.get') throw { code: 'not-found', message: 'project 9: not found' };
      return { wrong: true };
    });
    const client = createApiClient(t, { validateResults: true });
    expect(await client.call('edits.state', { projectId: 1 })).toMatchObject({ canUndo: true });
    const notFound = await client.call('projects.get', { projectId: 9 }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ApiError);
    expect((notFound as ApiError).code).toBe('not-found');
    const bad = await client.call('projects.list', {}).catch((e: unknown) => e);
    expect((bad as ApiError).message).toMatch(/projects\.list returned an unexpected result/);
    const seen: unknown[] = [];
    client.subscribe((e) => seen.push(e));
    await vi.waitFor(() => expect(seen).toEqual([{ type: 'models.changed' }]));
  });

  it('without validation (production pages), passes results through and drops events of unknown types', async () => {
    const client = createApiClient(transport(() => ({ wrong: true })), { validateResults: false });
    expect(await client.call('projects.list', {})).toEqual({ wrong: true });
    const seen: unknown[] = [];
    client.subscribe((e) => seen.push(e));
    expect(seen).toEqual([{ type: 'models.changed' }]);
  });
});
