import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAnnotations, readAnnotationFile } from '../src-main/engine/annotations';
import { decodeAudioFile } from '../src-main/engine/audio/decode';
import { encodeWav } from '../src-main/engine/audio/wav';

const ROOT = resolve(import.meta.dirname, '..');
const run = (args: string[]) => promisify(execFile)(process.execPath, ['bin/earmark.mjs', ...args], { cwd: ROOT });
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-main-job-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// The README's main job on a fresh install: the bundled model on the bundled examples, through the real binary.
describe('npx earmark detect resources/examples', () => {
  it('matches the reference annotations, scored by `earmark eval`', async () => {
    const out = join(dir, 'detections.txt');
    const { stderr } = await run(['detect', 'resources/examples', '--out', out]);
    expect(stderr).toMatch(/4 files detected/);
    const detected = await readAnnotationFile(out, 'dcase');
    const reference = await readAnnotationFile(resolve(ROOT, 'resources/examples/reference.txt'), 'dcase');
    expect([...detected.files].sort()).toEqual([...reference.files].sort());
    const { stdout } = await run(['eval', 'resources/examples/reference.txt', out, '--preset', 'dcase2017-task2', '--json']);
    const report = JSON.parse(stdout) as { overall: { error_rate: number; f_measure: number } };
    expect(report.overall.error_rate).toBe(0);
    expect(report.overall.f_measure).toBe(1);
  });

  it('finds every event of a long recording, not one per class', async () => {
    // 90 s: the gunshot example three times over, so gunshots at 4.5, 34.5 and 64.5 s.
    const { samples, sampleRate } = await decodeAudioFile(resolve(ROOT, 'resources/examples/test_gunshot_0002.flac'));
    const long = new Float32Array(samples.length * 3);
    for (let k = 0; k < 3; k++) long.set(samples, k * samples.length);
    await writeFile(join(dir, 'three-gunshots.wav'), encodeWav(long, sampleRate, { bitDepth: 16 }));
    const { stdout } = await run(['detect', join(dir, 'three-gunshots.wav')]);
    const events = parseAnnotations(stdout, 'dcase', { source: 'stdout' }).events;
    const onset = 4.487312;
    const seconds = samples.length / sampleRate;
    expect(events.map((e) => e.label)).toEqual(['gunshot', 'gunshot', 'gunshot']);
    events.forEach((e, k) => expect(Math.abs(e.onset - (onset + k * seconds))).toBeLessThanOrEqual(0.5));
  });
});
