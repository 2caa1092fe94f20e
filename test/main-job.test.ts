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
  it('is scored by `earmark eval` against the reference: no false alarm, the glass break and the gunshot found', async () => {
    const out = join(dir, 'detections.txt');
    const { stderr } = await run(['detect', 'resources/examples', '--out', out]);
    expect(stderr).toMatch(/4 files detected/);
    const detected = await readAnnotationFile(out, 'dcase');
    const reference = await readAnnotationFile(resolve(ROOT, 'resources/examples/reference.txt'), 'dcase');
    expect([...detected.files].sort()).toEqual([...reference.files].sort());
    const { stdout } = await run(['eval', 'resources/examples/reference.txt', out, '--preset', 'dcase2017-task2', '--json']);
    type Counts = { Nref: number; Ntp: number; insertions: number };
    const report = JSON.parse(stdout) as { overall: Counts; class_wise: Record<string, Counts> };
    // The bundled model's measured state (MODEL_CARD.md): the -6 dB baby cry is missed; the rest matches.
    expect(report.overall.insertions).toBe(0);
    expect(report.class_wise.glassbreak).toMatchObject({ Nref: 1, Ntp: 1 });
    expect(report.class_wise.gunshot).toMatchObject({ Nref: 1, Ntp: 1 });
  });

  it('finds every event of a long recording, not one per class', async () => {
    // 80 s in 10 s pieces: the gunshot example at 0, 30 and 60 s, the event-free example in between, so
    // gunshots at 7.8, 37.8 and 67.8 s (the case: three gunshots, one report).
    const gun = await decodeAudioFile(resolve(ROOT, 'resources/examples/test_gunshot_0001.flac'));
    const quiet = await decodeAudioFile(resolve(ROOT, 'resources/examples/test_babycry_0000.flac'));
    const pieces = [gun, quiet, quiet, gun, quiet, quiet, gun, quiet].map((a) => a.samples);
    const long = new Float32Array(pieces.reduce((n, p) => n + p.length, 0));
    pieces.reduce((at, p) => (long.set(p, at), at + p.length), 0);
    await writeFile(join(dir, 'three-gunshots.wav'), encodeWav(long, gun.sampleRate, { bitDepth: 16 }));
    const { stdout } = await run(['detect', join(dir, 'three-gunshots.wav')]);
    const events = parseAnnotations(stdout, 'dcase', { source: 'stdout' }).events;
    const piece = gun.samples.length / gun.sampleRate;
    expect(events.map((e) => e.label)).toEqual(['gunshot', 'gunshot', 'gunshot']);
    events.forEach((e, k) => expect(Math.abs(e.onset - (7.781 + 3 * k * piece))).toBeLessThanOrEqual(0.5));
  });
});
