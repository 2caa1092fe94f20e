import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AnnotationFormatError,
  AnnotationParseError,
  formatAnnotations,
  formatNumber,
  guessAnnotationFormat,
  parseAnnotations,
  readAnnotationFile,
  splitByFile,
  writeAnnotationFile,
  type AnnotationFormat,
  type AnnotationSet,
} from '../../src-main/engine/annotations/index';
import { SED_EVAL_REFERENCE_DIR, sedEvalReferenceAvailable } from '../corpus';

const multiFile: AnnotationSet = {
  files: ['a.wav', 'b, "quoted".wav', 'empty.wav'],
  events: [
    { filename: 'a.wav', onset: 0.1, offset: 0.30000000000000004, label: 'babycry', confidence: 0.9 },
    { filename: 'a.wav', onset: 0.8814731551300574, offset: 2.7214731551300573, label: 'glass break' },
    { filename: 'b, "quoted".wav', onset: 3, offset: 4.5, label: 'gunshot' },
  ],
};
const singleFile: AnnotationSet = {
  files: ['rec1.wav'],
  events: [
    { filename: 'rec1.wav', onset: 1.25, offset: 2.5, label: 'bird song', lowFrequency: 1200, highFrequency: 8000 },
    { filename: 'rec1.wav', onset: 3, offset: 3, label: 'click' },
  ],
};
const clean = (set: AnnotationSet): AnnotationSet => ({ files: set.files, events: set.events.map((e) => ({ ...e, offset: Number(formatNumber(e.offset)) })) });

function expectParseError(fn: () => unknown, message: string | RegExp, line?: number): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AnnotationParseError);
    expect((error as Error).message).toMatch(message);
    if (line !== undefined) expect((error as AnnotationParseError).line).toBe(line);
    return;
  }
  throw new Error('expected an AnnotationParseError');
}

describe('round trips', () => {
  for (const format of ['dcase', 'csv', 'json'] as AnnotationFormat[]) {
    it(`${format}: multi-file set with an event-less file survives write + read`, () => {
      const text = formatAnnotations(multiFile, format);
      expect(text).not.toContain('0.30000000000000004');
      expect(parseAnnotations(text, format)).toEqual(clean(multiFile));
    });
  }
  for (const format of ['audacity', 'raven', 'dcase', 'csv', 'json'] as AnnotationFormat[]) {
    it(`${format}: single recording survives write + read`, () => {
      const text = formatAnnotations(singleFile, format);
      const back = parseAnnotations(text, format, { filename: 'rec1.wav' });
      const expected = format === 'dcase' ? { ...singleFile, events: singleFile.events.map(({ lowFrequency, highFrequency, ...e }) => e) } : singleFile;
      expect(back).toEqual(expected);
    });
  }
  it('numbers: 6 decimals without float noise, full precision when needed', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(1.5e-3)).toBe('0.0015');
    expect(formatNumber(0.8814731551300574)).toBe('0.8814731551300574');
    expect(formatNumber(10.200000000000001)).toBe('10.2');
    expect(formatNumber(4.644176637346825)).toBe('4.644176637346825');
  });
});

describe('DCASE lists', () => {
  it('reads 4-column, 3-column, whitespace, padded and name-only lines', () => {
    const set = parseAnnotations('a.wav\t  0.100000\t  2.200000\tbabycry\nb.wav\nc.wav 1 2 Train horn\n# comment\n\n', 'dcase');
    expect(set.files).toEqual(['a.wav', 'b.wav', 'c.wav']);
    expect(set.events).toEqual([
      { filename: 'a.wav', onset: 0.1, offset: 2.2, label: 'babycry' },
      { filename: 'c.wav', onset: 1, offset: 2, label: 'Train horn' },
    ]);
    expect(parseAnnotations('1.2\t2.3\tevent1', 'dcase', { filename: 'x.wav' }).events[0]).toEqual({ filename: 'x.wav', onset: 1.2, offset: 2.3, label: 'event1' });
    expect(parseAnnotations('f.wav\tstreet\t0.5\t1.5\tcar\n', 'dcase').events[0]).toEqual({ filename: 'f.wav', onset: 0.5, offset: 1.5, label: 'car' });
    expect(parseAnnotations('123\t1\t2\tdog\n', 'dcase').events[0].filename).toBe('123');
  });
  it('names file, line and reason for bad lines', () => {
    expectParseError(() => parseAnnotations('a.wav\t1\t2\tx\na.wav\t4.1\t3.2\tdog\n', 'dcase', { source: 'events.txt' }), 'events.txt:2: offset 3.2 is before onset 4.1', 2);
    expectParseError(() => parseAnnotations('a.wav\t1\tabc\tdog\n', 'dcase', { source: 'e.txt' }), /e\.txt:1: no onset and offset found \("abc" is not a number\)/, 1);
    expectParseError(() => parseAnnotations('a.wav\t1\t2\n', 'dcase', { source: 'e.txt' }), /e\.txt:1: missing label/);
    expectParseError(() => parseAnnotations('a.wav\t-1\t2\tdog\n', 'dcase'), /onset -1 is negative/);
  });
  it.skipIf(!sedEvalReferenceAvailable)('reads every sed_eval reference file', async () => {
    const names = (await readdir(SED_EVAL_REFERENCE_DIR)).filter((n) => n.endsWith('.txt') && !n.startsWith('file_list') && n !== 'LICENSE.txt');
    expect(names.length).toBeGreaterThanOrEqual(20);
    for (const name of names) {
      const set = await readAnnotationFile(join(SED_EVAL_REFERENCE_DIR, name), 'dcase');
      for (const e of set.events) expect(e.offset).toBeGreaterThanOrEqual(e.onset);
    }
    const street = await readAnnotationFile(join(SED_EVAL_REFERENCE_DIR, 'street_fold1_reference.txt'));
    expect(street.events).toHaveLength(142);
    expect(new Set(street.events.map((e) => e.label))).toEqual(new Set(['brakes squeaking', 'car', 'children', 'large vehicle', 'people speaking', 'people walking']));
  });
});

describe('Audacity and Raven', () => {
  it('Audacity: frequency lines attach to the label before them; -1 means unset', () => {
    const set = parseAnnotations('1.000000\t2.000000\tbird\n\\\t500.000000\t4000.000000\n3\t4\tfrog\n\\\t-1.000000\t-1.000000\n', 'audacity', { filename: 'r.wav' });
    expect(set.events).toEqual([
      { filename: 'r.wav', onset: 1, offset: 2, label: 'bird', lowFrequency: 500, highFrequency: 4000 },
      { filename: 'r.wav', onset: 3, offset: 4, label: 'frog' },
    ]);
    expectParseError(() => parseAnnotations('\\\t1\t2\n', 'audacity', { source: 'l.txt' }), /l\.txt:1: frequency line/);
  });
  it('Raven: liberal header, one row per selection, Species column, Begin File', () => {
    const text = [
      'Selection\tView\tChannel\tBegin File\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tSpecies',
      '1\tWaveform 1\t1\tx.wav\t0.5\t1.5\t0\t0\tAMRO',
      '1\tSpectrogram 1\t1\tx.wav\t0.5\t1.5\t0\t0\tAMRO',
      '2\tSpectrogram 1\t1\ty.wav\t2\t3\t1000\t5000\tBLJA',
    ].join('\r\n');
    const set = parseAnnotations(text, 'raven');
    expect(set.files).toEqual(['x.wav', 'y.wav']);
    expect(set.events).toEqual([
      { filename: 'x.wav', onset: 0.5, offset: 1.5, label: 'AMRO' },
      { filename: 'y.wav', onset: 2, offset: 3, label: 'BLJA', lowFrequency: 1000, highFrequency: 5000 },
    ]);
    expectParseError(() => parseAnnotations('Selection\tView\nx\ty\n', 'raven', { source: 't.txt' }), /t\.txt:1: header has no "Begin Time \(s\)" column/);
  });
  it('writing several recordings to a per-file format is refused with a clear message; splitByFile gives one set each', () => {
    for (const format of ['audacity', 'raven'] as const) {
      expect(() => formatAnnotations(multiFile, format)).toThrow(AnnotationFormatError);
      expect(() => formatAnnotations(multiFile, format)).toThrow(/hold one recording, but this set has 3/);
    }
    const parts = splitByFile(multiFile);
    expect([...parts.keys()]).toEqual(multiFile.files);
    expect(formatAnnotations(parts.get('a.wav')!, 'audacity')).toBe('0.1\t0.3\tbabycry\n0.8814731551300574\t2.7214731551300573\tglass break\n');
  });
});

describe('CSV and JSON', () => {
  it('CSV: RFC 4180 quoting, CRLF, quoted line breaks, columns in any order', () => {
    const set = parseAnnotations('label,offset,onset,filename\r\n"dog, big",2,1,"a ""b"".wav"\r\n"multi\nline",4,3,c.wav\r\n', 'csv');
    expect(set.events).toEqual([
      { filename: 'a "b".wav', onset: 1, offset: 2, label: 'dog, big' },
      { filename: 'c.wav', onset: 3, offset: 4, label: 'multi\nline' },
    ]);
    expectParseError(() => parseAnnotations('filename,onset,offset,label\na.wav,1,2,x\nb.wav,one,2,x\n', 'csv', { source: 'e.csv' }), 'e.csv:3: onset "one" is not a number', 3);
    expectParseError(() => parseAnnotations('filename,start\n', 'csv', { source: 'e.csv' }), /e\.csv:1: header .* has no offset, label column/);
    expectParseError(() => parseAnnotations('filename,onset,offset,label\n"a.wav,1,2,x\n', 'csv', { source: 'e.csv' }), /e\.csv:2: quoted field is never closed/);
  });
  it('JSON: validated field by field', () => {
    expectParseError(() => parseAnnotations('{"files":[],"events":[{"filename":"a","onset":"1","offset":2,"label":"x"}]}', 'json', { source: 'e.json' }), 'e.json: events[0].onset must be a number');
    expectParseError(() => parseAnnotations('{"events":[{"filename":"a","onset":3,"offset":2,"label":"x"}]}', 'json', { source: 'e.json' }), 'e.json: events[0]: offset 2 is before onset 3');
    expectParseError(() => parseAnnotations('[1,2]', 'json', { source: 'e.json' }), /expected an object/);
    expectParseError(() => parseAnnotations('{"events":', 'json', { source: 'e.json' }), /not valid JSON/);
  });
});

describe('files', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  it('writes atomically (no temp file left) and reads back with a guessed format', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'earmark-annotations-'));
    dirs.push(dir);
    for (const [name, format] of [['e.json', 'json'], ['e.csv', 'csv'], ['e.txt', 'dcase']] as const) {
      await writeAnnotationFile(join(dir, name), multiFile, format);
      expect(await readAnnotationFile(join(dir, name))).toEqual(clean(multiFile));
    }
    await writeAnnotationFile(join(dir, 'r.txt'), singleFile, 'raven');
    expect(guessAnnotationFormat('r.txt', await readFile(join(dir, 'r.txt'), 'utf8'))).toBe('raven');
    await writeAnnotationFile(join(dir, 'a.txt'), singleFile, 'audacity');
    expect(guessAnnotationFormat('a.txt', await readFile(join(dir, 'a.txt'), 'utf8'))).toBe('audacity');
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await expect(writeAnnotationFile(join(dir, 'multi.txt'), multiFile, 'audacity')).rejects.toThrow(AnnotationFormatError);
    await expect(readAnnotationFile(join(dir, 'missing.txt'))).rejects.toThrow(/missing\.txt: file not found/);
    await writeFile(join(dir, 'bad.txt'), 'a.wav\t1\t2\tx\na.wav\t5\t4\ty\n');
    await expect(readAnnotationFile(join(dir, 'bad.txt'))).rejects.toThrow(`${join(dir, 'bad.txt')}:2: offset 4 is before onset 5`);
  });
});
