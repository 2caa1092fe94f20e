import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiMethod, type ApiParams, type ApiResult } from '../src-main/api/contract';
import { openStore, type Store } from '../src-main/engine/store';
import { createService } from '../src-main/service/service';
import type { EarmarkService } from '../src-main/service/types';
import { apiRejection, callService, fakeDetectorFactory, makeAudioFolder, waitFor } from './service-helpers';

let folder: ReturnType<typeof makeAudioFolder>;
let store: Store;
let service: EarmarkService;

const call = <M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> => callService(service, method, params);
const rejection = apiRejection;

beforeEach(async () => {
  folder = makeAudioFolder();
  // The fake detector finds babycry at 0.9 and gunshot at 0.4 in each file.
  writeFileSync(path.join(folder.modelDir, 'model.json'), JSON.stringify({ postprocess: { thresholds: { babycry: 0.85, gunshot: 0.1 } } }));
  store = openStore(folder.dbPath);
  store.addModel({ name: 'test-model', dirPath: folder.modelDir, classes: ['babycry', 'glassbreak', 'gunshot'] });
  service = await createService({ store, resourcesDir: null, detectorFactory: fakeDetectorFactory, homeDir: folder.dir }, { host: 'browser', mediaUrl: (id) => `/media/${id}` });
});

afterEach(async () => {
  await service.close();
  store.close();
  rmSync(folder.dir, { recursive: true, force: true });
});

async function detected() {
  const project = await call('projects.open', { root: folder.root });
  const { jobId } = await call('detection.start', { projectId: project.id });
  await waitFor(async () => ((await call('jobs.get', { jobId })).status === 'running' ? undefined : true));
  const labels = await call('labels.list', { projectId: project.id });
  const id = (name: string) => labels.find((l) => l.name === name)!.id;
  return { project, labels, id };
}

describe('service: review queue', () => {
  it('orders predictions by distance to their class threshold, by label or by time, and counts verdicts', async () => {
    const { project, id } = await detected();
    const queue = await call('review.queue', { projectId: project.id });
    const summary = (q: ApiResult<'review.queue'>) => q.items.map((i) => `${i.path}:${i.event.labelId === id('babycry') ? 'babycry' : 'gunshot'}`);
    expect(queue.order).toBe('uncertain');
    expect(summary(queue)).toEqual(['a.wav:babycry', 'sub/b.wav:babycry', 'a.wav:gunshot', 'sub/b.wav:gunshot']);
    expect(queue.items.map((i) => i.threshold)).toEqual([0.85, 0.85, 0.1, 0.1]);
    expect(summary(await call('review.queue', { projectId: project.id, order: 'time' }))).toEqual(['a.wav:babycry', 'a.wav:gunshot', 'sub/b.wav:babycry', 'sub/b.wav:gunshot']);
    expect(summary(await call('review.queue', { projectId: project.id, order: 'label' }))).toEqual(['a.wav:babycry', 'sub/b.wav:babycry', 'a.wav:gunshot', 'sub/b.wav:gunshot']);

    const [first, second] = queue.items;
    expect((await call('review.decide', { eventId: first.event.id, decision: 'accept' })).item.state).toBe('accepted');
    const rejected = await call('review.decide', { eventId: second.event.id, decision: 'reject' });
    expect(rejected.item.state).toBe('rejected');
    expect(rejected.edits.undoDescription).toBe('Reject babycry event');
    const after = await call('review.queue', { projectId: project.id });
    expect([after.total, after.reviewed]).toEqual([4, 2]);
    expect((await call('events.list', { recordingId: second.event.recordingId })).map((e) => e.id)).not.toContain(second.event.id);
    await call('edits.undo', { projectId: project.id });
    expect((await call('review.queue', { projectId: project.id })).reviewed).toBe(1);
  });
});

describe('service: labels', () => {
  it('renames a label with its events and refuses a name another label has in any case', async () => {
    const { project, id } = await detected();
    expect((await rejection(call('labels.update', { labelId: id('gunshot'), name: 'BabyCry' }))).code).toBe('conflict');
    expect((await rejection(call('labels.update', { labelId: id('gunshot'), name: 'gun\tshot' }))).code).toBe('invalid-params');
    await call('labels.update', { labelId: id('gunshot'), name: 'shot', color: '#abcdef' });
    const labels = await call('labels.list', { projectId: project.id });
    expect(labels.find((l) => l.id === id('gunshot'))).toMatchObject({ name: 'shot', color: '#abcdef', eventCount: 2 });
    const exported = await call('export.run', { projectId: project.id, format: 'dcase' });
    expect(exported.text).toContain('\tshot');
    expect(exported.text).not.toContain('gunshot');
  });

  it('deletes a label with events only when told to delete or move them', async () => {
    const { project, id } = await detected();
    const refused = await rejection(call('labels.delete', { labelId: id('gunshot') }));
    expect(refused.code).toBe('conflict');
    expect(refused.details).toEqual({ eventCount: 2 });
    expect((await rejection(call('labels.delete', { labelId: id('gunshot'), events: 'move' }))).code).toBe('invalid-params');
    const moved = await call('labels.delete', { labelId: id('gunshot'), events: 'move', moveToLabelId: id('glassbreak') });
    expect(moved.eventCount).toBe(2);
    expect(moved.recordingIds).toHaveLength(2);
    const deleted = await call('labels.delete', { labelId: id('babycry'), events: 'delete' });
    expect(deleted.eventCount).toBe(2);
    const labels = await call('labels.list', { projectId: project.id });
    expect(labels.map((l) => [l.name, l.eventCount])).toEqual([['glassbreak', 2]]);
  });
});
