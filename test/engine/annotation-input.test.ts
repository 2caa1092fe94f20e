import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANNOTATION_FORMATS,
  AnnotationParseError,
  formatAnnotations,
  parseAnnotations,
  PER_FILE_FORMATS,
  readAnnotationFile,
  type AnnotationFormat,
  type AnnotationSet,
  type SoundEvent,
} from '../../src-main/engine/annotations/index';
import { evaluateSegmentPair } from '../../src-main/engine/metrics';
import { createRng } from '../../src-main/engine/random';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-annotation-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function parseError(text: string, format: AnnotationFormat, options = {}): AnnotationParseError {
  try {
    parseAnnotations(text, format, { source: 'in.txt', ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(AnnotationParseError);
    return error as AnnotationParseError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('implausible and non-finite times', () => {
  it.each([
    ['dcase', 'a.wav\t0\t1\tdog\na.wav\t1\t1e308\tdog\n', 2],
    ['dcase', 'a.wav\t0\t1e400\tdog\n', 1],
    ['dcase', 'a.wav\t0\t1000000.5\tdog\n', 1],
    ['csv', 'filename,onset,offset,label\na.wav,0,1,dog\na.wav,1e8,2e8,dog\n', 3],
    ['audacity', '0\t1\tdog\n5\t1e100\tdog\n', 2],
    ['raven', 'Selection\tBegin Time (s)\tEnd Time (s)\tAnnotation\n1\t0\t1e9\tdog\n', 2],
  ] as [AnnotationFormat, string, number][])('%s: refused with file:line (%#)', (format, text, line) => {
    const error = parseError(text, format, { filename: 'a.wav' });
    expect(error.line).toBe(line);
    expect(error.message).toMatch(new RegExp(`^in\\.txt:${line}: `));
    expect(error.reason).toMatch(/implausible|not a number|not a finite number/);
  });

  it('json: refused with the event named', () => {
    const error = parseError('{"events":[{"filename":"a","onset":0,"offset":1e300,"label":"x"}]}', 'json');
    expect(error.message).toMatch(/events\[0\].*implausible/);
  });

  it('accepts times up to 1e6 s', () => {
    expect(parseAnnotations('a.wav\t999999\t1000000\tdog\n', 'dcase').events).toHaveLength(1);
  });
});

describe('segment metrics', () => {
  /** sed_eval's roll, one segment at a time: the reference the bounded implementation must match. */
  function rollCounts(ref: SoundEvent[], est: SoundEvent[], classes: string[], res: number) {
    const maxOff = (es: SoundEvent[]) => es.reduce((m, e) => Math.max(m, e.offset), 0);
    const segments = Math.ceil(Math.max(maxOff(ref), maxOff(est)) / res);
    const roll = (es: SoundEvent[]) => {
      const r = Array.from({ length: segments }, () => new Uint8Array(classes.length));
      const limit = Math.min(segments, Math.ceil(maxOff(es) / res));
      for (const e of es) {
        const k = classes.indexOf(e.label);
        if (k >= 0) for (let s = Math.max(0, Math.floor(e.onset / res)); s < Math.min(limit, Math.ceil(e.offset / res)); s++) r[s][k] = 1;
      }
      return r;
    };
    const [a, b] = [roll(ref), roll(est)];
    const o = { Ntp: 0, Nfp: 0, Nfn: 0, Ntn: 0, S: 0, D: 0, I: 0 };
    for (let s = 0; s < segments; s++) {
      let tp = 0, nr = 0, ns = 0;
      for (let k = 0; k < classes.length; k++) {
        nr += a[s][k];
        ns += b[s][k];
        if (a[s][k] && b[s][k]) tp++;
        else if (!a[s][k] && !b[s][k]) o.Ntn++;
        else if (b[s][k]) o.Nfp++;
        else o.Nfn++;
      }
      o.Ntp += tp;
      o.S += Math.min(nr, ns) - tp;
      o.D += Math.max(0, nr - ns);
      o.I += Math.max(0, ns - nr);
    }
    return o;
  }

  it('count runs of segments exactly as the per-segment roll does', () => {
    const rand = createRng(9);
    const classes = ['a', 'b', 'c'];
    for (let trial = 0; trial < 200; trial++) {
      const events = (n: number) =>
        Array.from({ length: n }, () => {
          const onset = Math.round(rand() * 400) / 10;
          return { filename: 'f', onset, offset: onset + Math.round(rand() * 80) / 10, label: 'abcd'[Math.floor(rand() * 4)] };
        });
      const [ref, est] = [events(Math.floor(rand() * 6)), events(Math.floor(rand() * 6))];
      const res = [0.5, 1, 0.1][trial % 3];
      const got = evaluateSegmentPair(ref, est, classes, res).overall;
      expect({ Ntp: got.Ntp, Nfp: got.Nfp, Nfn: got.Nfn, Ntn: got.Ntn, S: got.S, D: got.D, I: got.I }).toEqual(rollCounts(ref, est, classes, res));
    }
  });

  it('use memory bounded by the events, not the length (an offset of 1e8 s)', () => {
    const ref = [{ filename: 'f', onset: 0, offset: 1e8, label: 'a' }];
    const est = [{ filename: 'f', onset: 5e7, offset: 1e8, label: 'a' }];
    const { overall, segments } = evaluateSegmentPair(ref, est, ['a', 'b'], 1);
    expect(segments).toBe(1e8);
    expect(overall).toMatchObject({ Ntp: 5e7, Nfn: 5e7, Nfp: 0, Ntn: 1e8, D: 5e7 });
  });
});

describe('malformed annotation files', () => {
  it.each([
    ['dcase', 'a.wav\t0\t1\tdog\na.wav\t0\t1\tdog\tbark\n', 2, /extra column after the label: "bark"/],
    ['dcase', 'a.wav\t0\t1\tdog\t0.5\tloud\n', 1, /extra column after the confidence: "loud"/],
    ['csv', 'filename,onset,offset,label\na.wav,0,1,dog,extra\n', 2, /row has 5 cells but the header names 4 columns/],
    ['raven', 'Selection\tBegin Time (s)\tEnd Time (s)\tAnnotation\n1\t0\t1\tdog\tx\n', 2, /row has 5 cells/],
    ['dcase', 'a.wav\t0\t1\tdo\0g\n', 1, /label "do\\u0000g" contains a NUL character/],
    ['csv', 'filename,onset,offset,label\na\0.wav,0,1,dog\n', 2, /file name .* contains a NUL character/],
    ['audacity', '0\t1\tx\0\n', 1, /NUL/],
  ] as [AnnotationFormat, string, number, RegExp][])('%s: refused with the line (%#)', (format, text, line, reason) => {
    const error = parseError(text, format, { filename: 'a.wav' });
    expect(error.line).toBe(line);
    expect(error.message).toMatch(reason);
  });

  it('zero-length events are kept with a warning naming file and line', () => {
    const warnings: string[] = [];
    const set = parseAnnotations('a.wav\t0\t1\tdog\na.wav\t2\t2\tclick\n', 'dcase', { source: 'ref.txt', onWarning: (w) => warnings.push(w) });
    expect(set.events).toHaveLength(2);
    expect(warnings).toEqual(['ref.txt:2: zero-length event at 2 s ("click")']);
  });

  it('text that is not UTF-8 is refused with its line', async () => {
    const file = join(dir, 'latin1.txt');
    await writeFile(file, Buffer.concat([Buffer.from('a.wav\t0\t1\tdog\nb.wav\t0\t1\tcaf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    await expect(readAnnotationFile(file, 'dcase')).rejects.toThrow(`${file}:2: text is not valid UTF-8`);
  });
});

describe('round trip of awkward names', () => {
  const PIECES = ['rec', ' ', '\t', '\n', '\r\n', 'é', '日本', '🎙', '"', "'", ',', '#', '\\', '1', '2.5', '-', 'x y', '\u00a0', '\u2028'];
  function awkward(rand: () => number): string {
    let name = '';
    while (name.trim() === '' || name !== name.trim()) {
      name = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => PIECES[Math.floor(rand() * PIECES.length)]).join('').trim();
    }
    return name;
  }

  it('every format reads back what it wrote, for 300 random awkward names and labels', () => {
    const rand = createRng(2026);
    for (let trial = 0; trial < 300; trial++) {
      const file = awkward(rand);
      const empty = awkward(rand);
      const events = [0, 1].map((i) => ({ filename: file, onset: i, offset: i + 0.5, label: awkward(rand) }));
      for (const format of ANNOTATION_FORMATS) {
        const perFile = PER_FILE_FORMATS.includes(format);
        const set: AnnotationSet = perFile ? { files: [file], events } : { files: [file, empty].filter((f, i, all) => all.indexOf(f) === i), events };
        const text = formatAnnotations(set, format);
        const back = parseAnnotations(text, format, perFile ? { filename: file } : {});
        expect(back, `${format}: ${JSON.stringify(text)}`).toEqual(set);
      }
    }
  });

  it('a DCASE name-only line with spaces is one file', () => {
    expect(parseAnnotations('my recording.wav\nnight  take.wav\n', 'dcase').files).toEqual(['my recording.wav', 'night  take.wav']);
    // With a number among its words the line could be a mistyped event: Earmark writes such a name quoted.
    expect(parseAnnotations('"take 2 final.wav"\n', 'dcase').files).toEqual(['take 2 final.wav']);
    expect(parseError('take 2 final.wav\n', 'dcase').line).toBe(1);
  });
});
