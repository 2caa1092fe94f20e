import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src-main/engine/audio/wav';
import { collectAudioFiles, detectFiles, parseShard, selectShard, shardOf } from '../../src-main/engine/detect';
import { formatProgress } from '../../src-main/engine/detect/progress';
import { fileFeatureChunks } from '../../src-main/engine/detect/file-features';
import { createFrameScorer } from '../../src-main/engine/inference';
import type { ModelManifest } from '../../src-main/engine/model/manifest';
import { detectionPostprocess, probabilitiesToEvents } from '../../src-main/engine/postprocess';
import { BUNDLED_MODEL_DIR } from '../../src-main/engine/model/bundled';
import { energyDetector, writeFixtureModel } from './onnx-fixtures';

let dir: string;
let modelDir: string;
let audioDir: string;
const RATE = 16000;

/** Quiet noise with a loud tone between the given seconds. */
function toneFile(seconds: number, tones: [number, number][], seed = 1): Buffer {
  const x = new Float32Array(Math.round(seconds * RATE));
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = ((s / 2 ** 32) - 0.5) * 2e-3;
  }
  for (const [a, b] of tones) for (let i = Math.round(a * RATE); i < Math.round(b * RATE); i++) x[i] += 0.5 * Math.sin((2 * Math.PI * 1000 * i) / RATE);
  return encodeWav(x, RATE);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-detect-'));
  process.env.EARMARK_CACHE_DIR = join(dir, 'cache');
  modelDir = join(dir, 'model');
  const melBands = 64;
  // Silence and low noise normalise well below zero; the tone well above.
  await writeFixtureModel(modelDir, { ...energyDetector(melBands), normalization: { mean: new Array(melBands).fill(-6), std: new Array(melBands).fill(1) } });
  audioDir = join(dir, 'audio');
  await mkdir(join(audioDir, 'sub'), { recursive: true });
  await writeFile(join(audioDir, 'a.wav'), toneFile(3, [[1, 2]]));
  await writeFile(join(audioDir, 'sub', 'b.wav'), toneFile(2, []));
  await writeFile(join(audioDir, 'c.wav'), toneFile(4, [[0.5, 1], [3, 3.5]]));
  await writeFile(join(audioDir, 'broken.wav'), Buffer.from('RIFF\x10\x00\x00\x00WAVEjunk-not-a-real-wav'));
  await writeFile(join(audioDir, 'notes.txt'), 'not audio');
  await writeFile(join(audioDir, '.hidden.wav'), toneFile(1, []));
});
afterAll(async () => {
  delete process.env.EARMARK_CACHE_DIR;
  await rm(dir, { recursive: true, force: true });
});

describe('file collection and shards', () => {
  it('collects audio files recursively in sorted order, with names relative to the folder', async () => {
    const files = await collectAudioFiles([audioDir]);
    expect(files.map((f) => f.name)).toEqual(['a.wav', 'broken.wav', 'c.wav', 'sub/b.wav']);
    const single = await collectAudioFiles([join(audioDir, 'c.wav'), audioDir]);
    expect(single.map((f) => f.name)).toEqual([join(audioDir, 'c.wav'), 'a.wav', 'broken.wav', 'sub/b.wav']);
    await expect(collectAudioFiles([join(dir, 'missing')])).rejects.toThrow(/missing" does not exist/);
  });

  it('shards never overlap and together cover every file', () => {
    const names = Array.from({ length: 200 }, (_, i) => `folder${i % 7}/file-${i}.wav`).map((name) => ({ name }));
    for (const n of [1, 2, 3, 5]) {
      const parts = Array.from({ length: n }, (_, i) => selectShard(names, { index: i + 1, count: n }));
      const seen = parts.flat().map((f) => f.name);
      expect(seen.length).toBe(names.length);
      expect(new Set(seen).size).toBe(names.length);
      if (n > 1) for (const p of parts) expect(p.length).toBeGreaterThan(names.length / n / 2);
    }
    // Stable: adding files never moves the others to another shard.
    const more = [...names, ...Array.from({ length: 50 }, (_, i) => ({ name: `new/${i}.wav` }))];
    const before = selectShard(names, { index: 2, count: 3 }).map((f) => f.name);
    expect(selectShard(more, { index: 2, count: 3 }).map((f) => f.name).filter((n) => !n.startsWith('new/'))).toEqual(before);
    expect(before.every((n) => shardOf(n, 3) === 2)).toBe(true);
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseShard('5/4')).toThrow(/1 <= I <= N/);
    expect(() => parseShard('2')).toThrow(/I\/N/);
  });
});

describe('detectFiles', () => {
  it('detects a folder, reports the corrupt file with its reason and goes on', async () => {
    const summary = await detectFiles({ inputs: [audioDir], modelDir, jobs: 0 });
    expect(summary.results.map((r) => r.file.name)).toEqual(['a.wav', 'c.wav', 'sub/b.wav']);
    expect(summary.failures.map((f) => f.file.name)).toEqual(['broken.wav']);
    expect(summary.failures[0].message).toContain('broken.wav');
    expect(summary.annotations.files).toEqual(['a.wav', 'c.wav', 'sub/b.wav']);
    const events = summary.annotations.events.map((e) => [e.filename, e.label, e.onset, e.offset]);
    expect(events).toHaveLength(3);
    const near = (got: unknown, want: number) => expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(0.1);
    const expected: [string, number, number][] = [['a.wav', 1, 2], ['c.wav', 0.5, 1], ['c.wav', 3, 3.5]];
    expected.forEach(([file, on, off], i) => {
      expect(events[i][0]).toBe(file);
      expect(events[i][1]).toBe('babycry');
      near(events[i][2], on);
      near(events[i][3], off);
    });
    expect(summary.audioSeconds).toBeCloseTo(9, 2);
  });

  it('worker threads give the same result as decoding in the main thread', async () => {
    const inline = await detectFiles({ inputs: [audioDir], modelDir, jobs: 0 });
    const workers = await detectFiles({ inputs: [audioDir], modelDir, jobs: 2 });
    expect(workers.featureSource).toMatch(/2 worker threads/);
    expect(workers.annotations).toEqual(inline.annotations);
    expect(workers.failures.map((f) => [f.file.name, f.reason])).toEqual(inline.failures.map((f) => [f.file.name, f.reason]));
  });

  it('re-runs skip files already done unless they changed or --force', async () => {
    const statePath = join(dir, 'rerun.state.json');
    const first = await detectFiles({ inputs: [audioDir], modelDir, jobs: 0, statePath });
    expect(first.results.filter((r) => r.skipped)).toHaveLength(0);
    const second = await detectFiles({ inputs: [audioDir], modelDir, jobs: 0, statePath });
    expect(second.results.map((r) => [r.file.name, r.skipped])).toEqual([['a.wav', true], ['c.wav', true], ['sub/b.wav', true]]);
    expect(second.annotations).toEqual(first.annotations);
    expect(second.failures.map((f) => f.file.name)).toEqual(['broken.wav']); // failures are retried
    const later = new Date(Date.now() + 5000);
    await utimes(join(audioDir, 'c.wav'), later, later);
    const third = await detectFiles({ inputs: [audioDir], modelDir, jobs: 0, statePath });
    expect(third.results.map((r) => [r.file.name, r.skipped])).toEqual([['a.wav', true], ['c.wav', false], ['sub/b.wav', true]]);
    const forced = await detectFiles({ inputs: [audioDir], modelDir, jobs: 0, statePath, force: true });
    expect(forced.results.every((r) => !r.skipped)).toBe(true);
    // Another threshold is another result: the state no longer applies.
    const retuned = await detectFiles({ inputs: [audioDir], modelDir, jobs: 0, statePath, postprocess: { thresholds: { babycry: 0.9 } } });
    expect(retuned.results.every((r) => !r.skipped)).toBe(true);
    const state = JSON.parse(await readFile(statePath, 'utf8'));
    expect(Object.keys(state.files)).toHaveLength(3);
  });

  it("runs the network on the model's own window (the length it was trained on) unless told otherwise", async () => {
    const example = join(BUNDLED_MODEL_DIR, '..', '..', 'examples', 'test_gunshot_0001.flac');
    const manifest = JSON.parse(await readFile(join(BUNDLED_MODEL_DIR, 'model.json'), 'utf8')) as ModelManifest;
    expect(manifest.inference?.windowSeconds).toBeLessThan(10);
    const statePath = join(dir, 'window.state.json');
    const summary = await detectFiles({ inputs: [example], modelDir: BUNDLED_MODEL_DIR, jobs: 0, statePath, backend: 'tfjs' });
    expect(JSON.parse(await readFile(statePath, 'utf8')).settings.windowSeconds).toBe(manifest.inference!.windowSeconds);
    // The same events as scoring the whole file with the model's window.
    const scorer = await createFrameScorer(BUNDLED_MODEL_DIR, { backend: 'tfjs' });
    const { probs, frames } = await scorer.scoreStream(fileFeatureChunks(example, manifest.features));
    await scorer.dispose();
    const expected = probabilitiesToEvents(probs, frames, manifest.classes, detectionPostprocess(manifest.postprocess), scorer.frameSeconds, example, summary.results[0].durationSeconds);
    expect(summary.annotations.events).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    await detectFiles({ inputs: [example], modelDir: BUNDLED_MODEL_DIR, jobs: 0, statePath, backend: 'tfjs', windowSeconds: 30 });
    expect(JSON.parse(await readFile(statePath, 'utf8')).settings.windowSeconds).toBe(30);
  });
});

describe('formatProgress', () => {
  it('shows files, hours, speed and ETA', () => {
    const line = formatProgress({ filesDone: 5, filesFailed: 1, filesSkipped: 0, filesTotal: 12, audioSeconds: 7200, bytesDone: 100, bytesTotal: 300, elapsedSeconds: 24 });
    expect(line).toBe('[##########..........] 6/12 files (1 failed), 2.00 h audio, 300x real time, ETA 0:48');
  });
});
