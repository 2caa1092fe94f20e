import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalCommand } from '../src-main/cli/commands/eval';
import { commands } from '../src-main/cli/registry';
import { SED_EVAL_REFERENCE_DIR, sedEvalReferenceAvailable } from './corpus';
import { capture } from './cli-io';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-cli-eval-'));
  await writeFile(join(dir, 'ref.txt'), 'a.wav\t1.0\t3.0\tdog\na.wav\t5.0\t6.0\tcat\nb.wav\n');
  await writeFile(join(dir, 'est.txt'), 'a.wav\t1.1\t2.9\tdog\na.wav\t5.0\t6.0\tdog\nb.wav\t2\t3\tcat\n');
  await mkdir(join(dir, 'refdir'));
  await mkdir(join(dir, 'estdir'));
  await writeFile(join(dir, 'refdir', 'rec1.txt'), '1\t2\tbird\n');
  await writeFile(join(dir, 'estdir', 'rec1.txt'), '1.1\t2.1\tbird\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('earmark eval', () => {
  it('prints one JSON object with sed_eval-style keys (hand-counted case)', async () => {
    const io = capture();
    expect(await evalCommand.run([join(dir, 'ref.txt'), join(dir, 'est.txt'), '--json'], io)).toBe(0);
    const result = JSON.parse(io.out);
    // a.wav: dog hit; cat at 5-6 labelled dog = substitution. b.wav: cat is a false alarm.
    expect(result.overall).toMatchObject({ Nref: 2, Nsys: 3, Ntp: 1, substitutions: 1, Nfp: 1, Nfn: 0 });
    expect(result.overall.error_rate).toBeCloseTo(1, 12);
    expect(result.overall.precision).toBeCloseTo(1 / 3, 12);
    expect(result.overall.recall).toBe(0.5);
    expect(result.overall.f_measure).toBeCloseTo(0.4, 12);
    expect(result.class_wise.dog).toMatchObject({ precision: 0.5, recall: 1 });
    expect(result.class_wise.cat.precision).toBe(0);
    expect(result.class_wise_average.f_measure).toBeCloseTo((2 / 3 + 0) / 2, 12);
    expect(typeof result.class_wise_average.error_rate).toBe('number');
    expect(result.parameters).toEqual({ t_collar: 0.2, evaluate_onset: true, evaluate_offset: true, percentage_of_length: 0.5, event_matching: 'optimal' });
  });

  it('prints a readable report with a class-wise table', async () => {
    const io = capture();
    expect(await evalCommand.run([join(dir, 'ref.txt'), join(dir, 'est.txt'), '--metric', 'segment'], io)).toBe(0);
    expect(io.out).toMatch(/^Segment-based metrics, segments of 1 s/);
    expect(io.out).toMatch(/Class-wise average \(macro-average\)/);
    expect(io.out).toMatch(/\n {2}dog +\|\s+2 \|\s+3 \|/); // dog: reference segments 1-2, estimated 1-2 and 5
  });

  it('reads folders: files pair by name, events without a file name get the file stem', async () => {
    const io = capture();
    expect(await evalCommand.run([join(dir, 'refdir'), join(dir, 'estdir'), '--json'], io)).toBe(0);
    expect(JSON.parse(io.out).overall).toMatchObject({ Ntp: 1, Nref: 1, Nsys: 1 });
  });

  it('typed argument errors exit 2 with a specific message', async () => {
    for (const [args, message] of [
      [['--collar', 'abc'], '--collar expects a number, got "abc"'],
      [['--collar', '0'], '--collar must be greater than 0'],
      [['--metric', 'frame'], '--metric must be one of event, segment'],
      [['--resolution=-1'], '--resolution must be greater than 0'],
    ] as const) {
      const io = capture();
      expect(await evalCommand.run([join(dir, 'ref.txt'), join(dir, 'est.txt'), ...args], io)).toBe(2);
      expect(io.err).toContain(message);
    }
    const io = capture();
    expect(await evalCommand.run([join(dir, 'ref.txt')], io)).toBe(2);
    expect(io.err).toContain('missing ESTIMATED');
  });

  it('bad input files exit 2 naming the file and line', async () => {
    await writeFile(join(dir, 'bad.txt'), 'a.wav\t1\t2\tdog\na.wav\t4\t3\tdog\n');
    const io = capture();
    expect(await evalCommand.run([join(dir, 'ref.txt'), join(dir, 'bad.txt')], io)).toBe(2);
    expect(io.err).toContain(`${join(dir, 'bad.txt')}:2: offset 3 is before onset 4`);
  });

  it.skipIf(!sedEvalReferenceAvailable)('--preset dcase2017-task2 on binary5 (hand count: only babycry_002 onset is within 0.5 s)', async () => {
    const io = capture();
    expect(await evalCommand.run([join(SED_EVAL_REFERENCE_DIR, 'binary5.txt'), join(SED_EVAL_REFERENCE_DIR, 'binary5_detected.txt'), '--preset', 'dcase2017-task2', '--json'], io)).toBe(0);
    const result = JSON.parse(io.out);
    expect(result.preset).toBe('dcase2017-task2');
    expect(result.class_wise.babycry).toMatchObject({ Nref: 4, Nsys: 2, Ntp: 1 });
    expect(result.class_wise_average.error_rate).toBeCloseTo((3 + 1) / 4, 12);
  });
});

const registered = commands.some((c) => c.name === 'eval');
describe.skipIf(!registered)(`earmark eval through bin/earmark.mjs${registered ? '' : ' (eval is not registered in src-main/cli/registry.ts yet: skipping)'}`, () => {
  it('runs in a child process and prints JSON', async () => {
    const bin = resolve(import.meta.dirname, '..', 'bin', 'earmark.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'eval', join(dir, 'ref.txt'), join(dir, 'est.txt'), '--json']);
    expect(JSON.parse(stdout).overall.Ntp).toBe(1);
    const failed = await promisify(execFile)(process.execPath, [bin, 'eval', join(dir, 'ref.txt'), join(dir, 'est.txt'), '--collar', 'abc']).catch((e) => e);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('--collar expects a number');
  });
});
