import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertCommand } from '../src-main/cli/commands/convert';
import { commands } from '../src-main/cli/registry';
import { readAnnotationFile } from '../src-main/engine/annotations/index';
import { capture } from './cli-io';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-cli-convert-'));
  await writeFile(join(dir, 'labels.txt'), '1.5\t2.25\tbird\n\\\t800\t6000\n3\t4\tfrog\n');
  await writeFile(join(dir, 'events.txt'), 'a.wav\t1\t2\tdog\nb.wav\t3\t4\tcat\nc.wav\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('earmark convert', () => {
  it('Audacity -> CSV -> Raven keeps events; --filename names the recording', async () => {
    let io = capture();
    expect(await convertCommand.run([join(dir, 'labels.txt'), join(dir, 'out.csv'), '--from', 'audacity', '--filename', 'rec1.wav'], io)).toBe(0);
    expect(await readFile(join(dir, 'out.csv'), 'utf8')).toBe('filename,onset,offset,label,confidence,low_frequency,high_frequency\r\nrec1.wav,1.5,2.25,bird,,800,6000\r\nrec1.wav,3,4,frog,,,\r\n');
    io = capture();
    expect(await convertCommand.run([join(dir, 'labels.txt'), join(dir, 'out.raven.txt'), '--from', 'audacity', '--to', 'raven', '--filename', 'rec1.wav'], io)).toBe(0);
    const raven = await readAnnotationFile(join(dir, 'out.raven.txt'), 'raven', { filename: 'rec1.wav' });
    expect(raven.events[0]).toEqual({ filename: 'rec1.wav', onset: 1.5, offset: 2.25, label: 'bird', lowFrequency: 800, highFrequency: 6000 });
  });

  it('several recordings to a per-file format: a folder gets one file each; a single file is refused', async () => {
    let io = capture();
    expect(await convertCommand.run([join(dir, 'events.txt'), join(dir, 'tracks') + '/', '--to', 'audacity'], io)).toBe(0);
    expect((await readdir(join(dir, 'tracks'))).sort()).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect(await readFile(join(dir, 'tracks', 'b.txt'), 'utf8')).toBe('3\t4\tcat\n');
    io = capture();
    expect(await convertCommand.run([join(dir, 'events.txt'), join(dir, 'one.txt'), '--to', 'audacity'], io)).toBe(2);
    expect(io.err).toMatch(/audacity holds one recording but .* has 3; give a folder as OUT/);
  });

  it('DCASE -> JSON -> DCASE round trip, format from extension', async () => {
    expect(await convertCommand.run([join(dir, 'events.txt'), join(dir, 'events.json')], capture())).toBe(0);
    expect(await convertCommand.run([join(dir, 'events.json'), join(dir, 'back.txt'), '--to', 'dcase'], capture())).toBe(0);
    expect(await readFile(join(dir, 'back.txt'), 'utf8')).toBe(await readFile(join(dir, 'events.txt'), 'utf8'));
  });

  it('argument and input errors are specific', async () => {
    let io = capture();
    expect(await convertCommand.run([join(dir, 'events.txt'), join(dir, 'x.out')], io)).toBe(2);
    expect(io.err).toContain('cannot tell the output format from');
    io = capture();
    expect(await convertCommand.run([join(dir, 'events.txt'), join(dir, 'x.csv'), '--from', 'mp3'], io)).toBe(2);
    expect(io.err).toContain('--from must be one of dcase, audacity, raven, csv, json');
    io = capture();
    expect(await convertCommand.run([join(dir, 'nothing.txt'), join(dir, 'x.csv')], io)).toBe(2);
    expect(io.err).toContain('nothing.txt: file not found');
  });
});

const registered = commands.some((c) => c.name === 'convert');
describe.skipIf(!registered)(`earmark convert through bin/earmark.mjs${registered ? '' : ' (convert is not registered in src-main/cli/registry.ts yet: skipping)'}`, () => {
  it('converts in a child process', async () => {
    const bin = resolve(import.meta.dirname, '..', 'bin', 'earmark.mjs');
    await promisify(execFile)(process.execPath, [bin, 'convert', join(dir, 'events.txt'), join(dir, 'bin.csv')]);
    expect((await readAnnotationFile(join(dir, 'bin.csv'))).events).toHaveLength(2);
  });
});
