import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAnnotations, readAnnotationFile } from '../src-main/engine/annotations';
import { evaluatePreset } from '../src-main/engine/metrics';

const ROOT = resolve(import.meta.dirname, '..');

// The README's main job on a fresh install: the bundled model on the bundled examples, through the real binary.
describe('npx earmark detect resources/examples', () => {
  it('lists every example and finds each reference event, with the right label and onset', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/earmark.mjs', 'detect', 'resources/examples'], { cwd: ROOT });
    expect(stderr).toMatch(/4 files detected/);
    const detected = parseAnnotations(stdout, 'dcase', { source: 'stdout' });
    const reference = await readAnnotationFile(resolve(ROOT, 'resources/examples/reference.txt'), 'dcase');
    expect([...detected.files].sort()).toEqual([...reference.files].sort());
    const report = evaluatePreset('dcase2017-task2', reference, detected);
    for (const label of ['babycry', 'glassbreak', 'gunshot']) expect(report.classWise[label]).toMatchObject({ Nref: 1, Ntp: 1 });
    expect(detected.events.filter((e) => e.filename === 'test_babycry_0000.flac')).toEqual([]);
  });
});
