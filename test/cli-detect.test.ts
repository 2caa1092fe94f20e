import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCommand } from '../src-main/cli/commands/detect';
import { openStore } from '../src-main/engine/store';
import { energyDetector, writeFixtureModel } from './engine/onnx-fixtures';
import { capture, tone } from './cli-io';

let dir: string;
let modelDir: string;
let audioDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-cli-detect-'));
  process.env.EARMARK_CACHE_DIR = join(dir, 'cache');
  modelDir = join(dir, 'model');
  await writeFixtureModel(modelDir, { ...energyDetector(64), normalization: { mean: new Array(64).fill(-6), std: new Array(64).fill(1) } });
  audioDir = join(dir, 'rec');
  await mkdir(join(audioDir, 'night'), { recursive: true });
  await writeFile(join(audioDir, 'cry.wav'), tone(3, 1, 2));
  await writeFile(join(audioDir, 'night', 'quiet.wav'), tone(2, 0, 0));
  await writeFile(join(audioDir, 'zz-corrupt.flac'), Buffer.from('fLaC but nothing after it'));
});
afterAll(async () => {
  delete process.env.EARMARK_CACHE_DIR;
  await rm(dir, { recursive: true, force: true });
});

describe('earmark detect', () => {
  it('writes the DCASE list to stdout, lists the corrupt file and exits 3', async () => {
    const io = capture();
    const code = await detectCommand.run([audioDir, '--model', modelDir, '--jobs', '1'], io);
    expect(code).toBe(3);
    expect(io.out).toBe('cry.wav\t0.96\t2.04\tbabycry\nnight/quiet.wav\n');
    expect(io.err).toMatch(/zz-corrupt\.flac/);
    expect(io.err).toMatch(/2 files detected, 1 failed/);
  });

  it('writes --out, skips done files on a re-run, applies --threshold', async () => {
    const out = join(dir, 'det.txt');
    const args = [join(audioDir, 'cry.wav'), '--model', modelDir, '--out', out, '--jobs', '0'];
    expect(await detectCommand.run(args, capture())).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(`${join(audioDir, 'cry.wav')}\t0.96\t2.04\tbabycry\n`);
    const again = capture();
    expect(await detectCommand.run(args, again)).toBe(0);
    expect(again.err).toMatch(/0 files detected, 1 already done/);
    expect(await detectCommand.run([...args, '--threshold', 'babycry=0.999999'], capture())).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(`${join(audioDir, 'cry.wav')}\n`);
  });

  it('stores recordings, predicted events and a detection run with --db', async () => {
    const db = join(dir, 'project.db');
    expect(await detectCommand.run([audioDir, '--model', modelDir, '--db', db, '--jobs', '0', '--format', 'json', '--out', join(dir, 'x.json')], capture())).toBe(3);
    const store = openStore(db);
    try {
      const [project] = store.listProjects();
      const recordings = store.listRecordings(project.id);
      expect(recordings.map((r) => [r.relPath, r.status]).sort()).toEqual([['cry.wav', 'detected'], ['night/quiet.wav', 'detected'], ['zz-corrupt.flac', 'error']]);
      const cry = recordings.find((r) => r.relPath === 'cry.wav')!;
      expect(store.listEvents({ recordingId: cry.id }).map((e) => [e.label, e.onset, e.offset])).toEqual([['babycry', 0.96, 2.04]]);
      const [run] = store.listDetectionRuns(project.id);
      expect([run.status, run.filesDone, run.filesFailed]).toEqual(['completed', 2, 1]);
    } finally {
      store.close();
    }
  });

  it('fills a database given on a re-run whose files the state file already marks done', async () => {
    const out = join(dir, 'late.txt');
    const args = [audioDir, '--model', modelDir, '--jobs', '0', '--out', out];
    expect(await detectCommand.run(args, capture())).toBe(3);
    const db = join(dir, 'late.db');
    const again = capture();
    expect(await detectCommand.run([...args, '--db', db], again)).toBe(3);
    expect(again.err).toMatch(/already done/);
    const store = openStore(db);
    const [project] = store.listProjects();
    const cry = store.listRecordings(project.id).find((r) => r.relPath === 'cry.wav')!;
    const stored = store.listEvents({ projectId: project.id }).length;
    const status = cry.status;
    const events = store.listEvents({ recordingId: cry.id }).map((e) => [e.label, e.onset, e.offset]);
    store.close();
    expect(status).toBe('detected');
    expect(events).toEqual([['babycry', 0.96, 2.04]]);
    // A third run finds this model's detections already stored and writes nothing twice.
    expect(await detectCommand.run([...args, '--db', db], capture())).toBe(3);
    const reopened = openStore(db);
    try {
      expect(reopened.listEvents({ projectId: project.id }).length).toBe(stored);
      expect(reopened.eventHistory(reopened.listEvents({ recordingId: cry.id })[0].id)).toHaveLength(1);
    } finally {
      reopened.close();
    }
  });

  it('writes the whole --out file and counts each file once when the database stays locked', async () => {
    const db = join(dir, 'locked.db');
    openStore(db).close();
    const holder = new Database(db);
    holder.exec('BEGIN IMMEDIATE');
    process.env.EARMARK_BUSY_TIMEOUT_MS = '20';
    try {
      const out = join(dir, 'locked.txt');
      const io = capture();
      expect(await detectCommand.run([audioDir, '--model', modelDir, '--jobs', '0', '--db', db, '--out', out], io)).toBe(3);
      expect(await readFile(out, 'utf8')).toBe('cry.wav\t0.96\t2.04\tbabycry\nnight/quiet.wav\n');
      expect(io.err).toMatch(/2 files detected, 1 failed;/);
      expect(io.err).toMatch(/Database .*locked\.db: \d+ writes? failed \(the annotation output is complete/);
      expect(io.err).toMatch(/database is locked/);
    } finally {
      delete process.env.EARMARK_BUSY_TIMEOUT_MS;
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('explains usage mistakes', async () => {
    const io = capture();
    expect(await detectCommand.run([audioDir, '--model', modelDir, '--shard', '3/2'], io)).toBe(2);
    expect(io.err).toMatch(/--shard/);
    const io2 = capture();
    expect(await detectCommand.run([audioDir, '--model', modelDir, '--threshold', 'dog=0.3'], io2)).toBe(2);
    expect(io2.err).toMatch(/unknown class "dog"/);
    const io3 = capture();
    expect(await detectCommand.run([join(dir, 'nope'), '--model', modelDir], io3)).toBe(2);
    expect(io3.err).toMatch(/nope" does not exist/);
  });
});
