import { rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashFile, openStore, type Store } from '../src-main/engine/store';
import { encodeWav } from '../src-main/engine/audio/wav';
import { BackgroundHasher, placeholderHash } from '../src-main/service/deferred-hash';
import { createService } from '../src-main/service/service';
import type { EarmarkService } from '../src-main/service/types';
import { callService, fakeDetectorFactory, makeAudioFolder, waitFor } from './service-helpers';

let folder: ReturnType<typeof makeAudioFolder>;
let store: Store;
let service: EarmarkService;

beforeEach(async () => {
  folder = makeAudioFolder();
  store = openStore(folder.dbPath);
  service = await createService({ store, resourcesDir: null, detectorFactory: fakeDetectorFactory, homeDir: folder.dir }, { host: 'browser', mediaUrl: (id) => `/media/${id}` });
});

afterEach(async () => {
  await service.close();
  store.close();
  rmSync(folder.dir, { recursive: true, force: true });
});

describe('opening a folder does not wait for its files to be hashed', () => {
  it('lists new files at once, fills in their sha256 in the background without touching their state, and rehashes known files on reopen', async () => {
    const project = await callService(service, 'projects.open', { root: folder.root });
    const a = path.join(folder.root, 'a.wav');
    const real = await hashFile(a);
    const row = () => store.listRecordings(project.id).find((r) => r.relPath === 'a.wav')!;
    await waitFor(() => (row().contentHash === real ? true : undefined));

    await callService(service, 'recordings.setReviewed', { recordingId: row().id, reviewed: true });
    await callService(service, 'projects.open', { root: folder.root });
    expect(row().status).toBe('reviewed'); // unchanged bytes: nothing reset

    // Changed bytes are seen on the next open (known files are hashed before listing).
    const samples = new Float32Array(8000).fill(0.25);
    writeFileSync(a, encodeWav(samples, 8000));
    utimesSync(a, new Date(), new Date(Date.now() + 5000));
    await callService(service, 'projects.open', { root: folder.root });
    expect(row().contentHash).toBe(await hashFile(a));
    expect(row().status).toBe('new');
  });

  it('a file left with its placeholder (closed before it was hashed) keeps its review, and gets its hash on the next open', async () => {
    const b = path.join(folder.root, 'sub', 'b.wav');
    const project = store.createProject({ name: 'audio', rootDir: folder.root });
    const info = statSync(b);
    const placeholder = placeholderHash(b, info.size, info.mtimeMs);
    const [row] = store.upsertRecordings(project.id, [{ relPath: 'sub/b.wav', absPath: b, contentHash: placeholder, durationSeconds: 3 }]).inserted;
    store.markReviewed(row.id, true);
    await callService(service, 'projects.open', { root: folder.root });
    expect(store.getRecording(row.id).status).toBe('reviewed');
    const real = await hashFile(b);
    await waitFor(() => (store.getRecording(row.id).contentHash === real ? true : undefined));
    expect(store.getRecording(row.id).status).toBe('reviewed');
  });
});

describe('the background hasher', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('starts a batch only after its delay (the first file is drawn first), then hashes every file in order', async () => {
    const files = [path.join(folder.root, 'a.wav'), path.join(folder.root, 'sub', 'b.wav')];
    const hashed: [string, string][] = [];
    const hasher = new BackgroundHasher(() => undefined, 300);
    for (const file of files) hasher.add(file, (hash) => hashed.push([file, hash]));
    await sleep(100);
    expect(hashed).toEqual([]);
    await hasher.idle();
    expect(hashed).toEqual([[files[0], await hashFile(files[0])], [files[1], await hashFile(files[1])]]);
  });

  it('stopped during its delay, hashes nothing and does not wait the delay out', async () => {
    const hashed: string[] = [];
    const hasher = new BackgroundHasher(() => undefined, 60_000);
    hasher.add(path.join(folder.root, 'a.wav'), (hash) => hashed.push(hash));
    await hasher.stop();
    await hasher.idle();
    expect(hashed).toEqual([]);
  });
});

