import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeWav } from '../src-main/engine/audio/wav';
import { createRng } from '../src-main/engine/random';

/**
 * What handling a corpus entry correctly means: `detect` (events or none, no failure), `warn` (detected
 * with a warning), `report` (listed as failed, with a reason), `any` (either of the first and the third:
 * damage a decoder may or may not notice). Never a crash, a hang or silence.
 */
export type AudioExpectation = 'detect' | 'warn' | 'report' | 'any';
export type AnnotationExpectation = 'ok' | 'warn' | 'error';

export interface Corpus {
  audioDir: string;
  annotationDir: string;
  /** Output name (relative to audioDir, '/' separated) -> expectation. */
  audio: Map<string, AudioExpectation>;
  /** File name in annotationDir -> expectation. */
  annotations: Map<string, AnnotationExpectation>;
}

const EXAMPLES = resolve(import.meta.dirname, '..', 'resources', 'examples');

function sine(seconds: number, rate: number): Float32Array {
  const x = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < x.length; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / rate);
  return x;
}

/** A RIFF/WAVE file from its chunks, each [id, body]; sizes as given when `size` overrides them. */
function riff(chunks: [string, Buffer, number?][]): Buffer {
  const parts = chunks.map(([id, body, size]) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'ascii');
    head.writeUInt32LE(size ?? body.length, 4);
    return Buffer.concat([head, body, Buffer.alloc(body.length & 1)]);
  });
  const all = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(all.length + 4, 4);
  head.write('WAVE', 8, 'ascii');
  return Buffer.concat([head, all]);
}

function fmt(tag: number, channels: number, rate: number, bits: number, extra = Buffer.alloc(0), blockAlign = (channels * bits) / 8): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate >>> 0, 4);
  b.writeUInt32LE((rate * blockAlign) >>> 0, 8);
  b.writeUInt16LE(blockAlign & 0xffff, 12);
  b.writeUInt16LE(bits, 14);
  return Buffer.concat([b, extra]);
}

/** The 16-bit mono WAV most cases start from: 1 s of a 440 Hz tone at 16 kHz. */
const BASE = encodeWav(sine(1, 16000), 16000);
const PCM = BASE.subarray(44);

function audioCases(rand: () => number): [string, Buffer, AudioExpectation][] {
  const cases: [string, Buffer, AudioExpectation][] = [];
  const add = (name: string, data: Buffer, expect: AudioExpectation) => cases.push([name, data, expect]);
  // Valid but unusual.
  for (const rate of [1000, 8000, 11025, 22050, 32000, 44100, 48000, 88200, 96000, 192000, 384000, 768000]) add(`rate-${rate}.wav`, encodeWav(sine(0.5, rate), rate), 'detect');
  for (const bitDepth of [16, 24, 32] as const) add(`int${bitDepth}.wav`, encodeWav(sine(1, 16000), 16000, { bitDepth }), 'detect');
  add('float32.wav', encodeWav(sine(1, 16000), 16000, { float: true }), 'detect');
  add('uint8.wav', riff([['fmt ', fmt(1, 1, 8000, 8)], ['data', Buffer.alloc(8000, 128)]]), 'detect');
  add('float64.wav', riff([['fmt ', fmt(3, 1, 8000, 64)], ['data', Buffer.alloc(8000 * 8)]]), 'detect');
  for (const channels of [2, 3, 6, 8, 255]) add(`channels-${channels}.wav`, riff([['fmt ', fmt(1, channels, 16000, 16)], ['data', Buffer.alloc(16000 * channels * 2)]]), 'detect');
  add('channels-16383.wav', riff([['fmt ', fmt(1, 16383, 8000, 32)], ['data', Buffer.alloc(16383 * 4 * 4)]]), 'detect');
  for (const samples of [1, 2, 10, 100, 255, 256, 1000]) add(`length-${samples}.wav`, encodeWav(sine(samples / 16000, 16000), 16000), 'detect');
  add('empty-data.wav', riff([['fmt ', fmt(1, 1, 16000, 16)], ['data', Buffer.alloc(0)]]), 'detect');
  add('silence.wav', encodeWav(new Float32Array(16000), 16000), 'detect');
  add('full-scale-dc.wav', encodeWav(new Float32Array(16000).fill(1), 16000), 'detect');
  add('square-clipped.wav', encodeWav(sine(1, 16000).map((v) => (v > 0 ? 4 : -4)), 16000), 'detect');
  add('white-noise.wav', encodeWav(new Float32Array(16000).map(() => rand() * 2 - 1), 16000), 'detect');
  add('list-before-fmt.wav', riff([['LIST', Buffer.from('INFOISFT\x05\x00\x00\x00odd!\x00')], ['fmt ', fmt(1, 1, 16000, 16)], ['data', PCM]]), 'detect');
  add('odd-chunk.wav', riff([['fmt ', fmt(1, 1, 16000, 16)], ['junk', Buffer.alloc(7)], ['data', PCM]]), 'detect');
  add('chunk-after-data.wav', riff([['fmt ', fmt(1, 1, 16000, 16)], ['data', PCM], ['LIST', Buffer.alloc(30)]]), 'detect');
  add('fmt-18.wav', riff([['fmt ', fmt(1, 1, 16000, 16, Buffer.alloc(2))], ['data', PCM]]), 'detect');
  const guid = Buffer.alloc(24);
  guid.writeUInt16LE(22, 0);
  guid.writeUInt16LE(1, 8);
  add('extensible.wav', riff([['fmt ', fmt(0xfffe, 1, 16000, 16, guid)], ['data', PCM]]), 'detect');
  add('streaming-size-ffffffff.wav', riff([['fmt ', fmt(1, 1, 16000, 16)], ['data', PCM, 0xffffffff]]), 'detect');
  add('streaming-size-0.wav', riff([['fmt ', fmt(1, 1, 16000, 16)], ['data', PCM, 0]]), 'detect');
  add('UPPER.WAV', BASE, 'detect');
  add('other-ext.wave', BASE, 'detect');
  add('name with spaces & "quotes".wav', BASE, 'detect');
  add('unicode-名前-🎙.wav', BASE, 'detect');
  add('tab\tin-name.wav', BASE, 'detect');
  add('newline\nin-name.wav', BASE, 'detect');
  // Non-finite samples: read as silence, with a warning.
  for (const [name, value] of [['nan', NaN], ['inf', Infinity], ['neg-inf', -Infinity]] as const) {
    const x = sine(1, 16000);
    for (let i = 0; i < x.length; i += 7) x[i] = value;
    add(`float-${name}.wav`, encodeWav(x, 16000, { float: true }), 'warn');
    add(`float-all-${name}.wav`, encodeWav(new Float32Array(8000).fill(value), 16000, { float: true }), 'warn');
  }
  // Damaged WAV headers and data.
  for (const at of [1, 4, 8, 11, 12, 16, 20, 24, 30, 36, 40, 43]) add(`truncated-header-${at}.wav`, BASE.subarray(0, at), 'report');
  for (const at of [45, 1000, 20000]) add(`truncated-data-${at}.wav`, BASE.subarray(0, at), 'report');
  for (const rate of [0, 1, 999, 768001, 4_000_000_000]) add(`absurd-rate-${rate}.wav`, riff([['fmt ', fmt(1, 1, rate, 16)], ['data', PCM]]), 'report');
  add('channels-0.wav', riff([['fmt ', fmt(1, 0, 16000, 16, undefined, 2)], ['data', PCM]]), 'report');
  add('block-align-wrong.wav', riff([['fmt ', fmt(1, 1, 16000, 16, undefined, 3)], ['data', PCM]]), 'report');
  for (const bits of [0, 4, 12, 20, 48]) add(`bits-${bits}.wav`, riff([['fmt ', fmt(1, 1, 16000, bits, undefined, 2)], ['data', PCM]]), 'report');
  for (const tag of [2, 6, 7, 0x11, 0x55, 0xffff]) add(`format-tag-${tag}.wav`, riff([['fmt ', fmt(tag, 1, 16000, 16)], ['data', PCM]]), 'report');
  add('data-before-fmt.wav', riff([['data', PCM], ['fmt ', fmt(1, 1, 16000, 16)]]), 'report');
  add('no-data.wav', riff([['fmt ', fmt(1, 1, 16000, 16)]]), 'report');
  add('no-fmt.wav', riff([['data', PCM]]), 'report');
  add('fmt-too-short.wav', riff([['fmt ', Buffer.alloc(8)], ['data', PCM]]), 'report');
  add('huge-chunk-size.wav', riff([['LIST', Buffer.alloc(4), 0xfffffff0], ['fmt ', fmt(1, 1, 16000, 16)], ['data', PCM]]), 'report');
  add('data-size-too-big.wav', riff([['fmt ', fmt(1, 1, 16000, 16)], ['data', PCM, PCM.length * 4]]), 'report');
  add('riff-random-body.wav', Buffer.concat([BASE.subarray(0, 12), Buffer.from(Array.from({ length: 4000 }, () => Math.floor(rand() * 256)))]), 'report');
  // Not audio at all, under an audio name.
  add('empty.wav', Buffer.alloc(0), 'report');
  add('text.wav', Buffer.from('this is a text file, not audio\n'.repeat(20)), 'report');
  add('json.flac', Buffer.from('{"not":"audio"}\n'), 'report');
  add('html.mp3', Buffer.from('<!doctype html><html><body>404</body></html>'), 'report');
  add('zeros.ogg', Buffer.alloc(1 << 16), 'report');
  add('random.wav', Buffer.from(Array.from({ length: 8192 }, () => Math.floor(rand() * 256))), 'report');
  add('png.wav', Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(100)]), 'report');
  add('elf.flac', Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(200)]), 'report');
  for (const [name, magic] of [['aiff.wav', 'FORM\0\0\0\x20AIFF'], ['m4a.mp3', '\0\0\0\x20ftypM4A '], ['caf.wav', 'caff'], ['au.wav', '.snd'], ['wavpack.wav', 'wvpk'], ['rf64.wav', 'RF64\xff\xff\xff\xffWAVE'], ['riff-avi.wav', 'RIFF\0\0\0\0AVI ']] as const) {
    add(name, Buffer.concat([Buffer.from(magic, 'latin1'), Buffer.alloc(200)]), 'report');
  }
  // Ogg and MP3 shells.
  const oggPage = (packet: Buffer, flags = 2) => {
    const head = Buffer.alloc(27 + 1);
    head.write('OggS', 0, 'ascii');
    head[5] = flags;
    head[26] = 1;
    head[27] = packet.length;
    return Buffer.concat([head, packet]);
  };
  const vorbisIdent = (channels: number, rate: number) => {
    const b = Buffer.alloc(30);
    b[0] = 1;
    b.write('vorbis', 1, 'ascii');
    b[11] = channels;
    b.writeUInt32LE(rate >>> 0, 12);
    return b;
  };
  add('ogg-ident-only.ogg', oggPage(vorbisIdent(1, 16000)), 'report');
  add('ogg-rate-0.ogg', Buffer.concat([oggPage(vorbisIdent(1, 0)), oggPage(Buffer.alloc(10), 4)]), 'report');
  add('ogg-channels-0.ogg', Buffer.concat([oggPage(vorbisIdent(0, 16000)), oggPage(Buffer.alloc(10), 4)]), 'report');
  add('ogg-no-setup.ogg', Buffer.concat([oggPage(vorbisIdent(2, 44100)), oggPage(Buffer.alloc(10), 4)]), 'report');
  add('ogg-opus.ogg', oggPage(Buffer.from('OpusHead\x01\x01\0\0\x80\xbb\0\0\0\0\0', 'latin1')), 'report');
  add('ogg-huge-granule.ogg', Buffer.concat([oggPage(vorbisIdent(1, 16000)), (() => {
    const p = oggPage(Buffer.alloc(4), 4);
    p.writeBigUInt64LE(1n << 60n, 6);
    return p;
  })()]), 'report');
  const mp3Frame = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(413)]);
  add('mp3-silent-frames.mp3', Buffer.concat(Array.from({ length: 40 }, () => mp3Frame)), 'any');
  add('mp3-one-frame.mp3', mp3Frame, 'any');
  add('mp3-id3-only.mp3', Buffer.concat([Buffer.from('ID3\x03\0\0\0\0\0\x10', 'latin1'), Buffer.alloc(16)]), 'report');
  add('mp3-id3-huge.mp3', Buffer.concat([Buffer.from('ID3\x03\0\0\x7f\x7f\x7f\x7f', 'latin1'), Buffer.alloc(64)]), 'report');
  add('mp3-random-frames.mp3', Buffer.concat(Array.from({ length: 20 }, () => Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.from(Array.from({ length: 413 }, () => Math.floor(rand() * 256)))]))), 'any');
  // Real FLAC recordings, whole and damaged.
  const flacs = readdirSync(EXAMPLES).filter((f) => f.endsWith('.flac')).map((f) => readFileSync(join(EXAMPLES, f)));
  flacs.forEach((flac, i) => {
    add(`flac-${i}-whole.flac`, flac, 'detect');
    for (const fraction of [0.002, 0.01, 0.3, 0.6, 0.95]) add(`flac-${i}-truncated-${fraction}.flac`, flac.subarray(0, Math.floor(flac.length * fraction)), 'report');
    for (let k = 0; k < 4; k++) {
      const damaged = Buffer.from(flac);
      for (let j = 0; j < 1 + k * 20; j++) damaged[42 + Math.floor(rand() * (damaged.length - 42))] ^= 1 << Math.floor(rand() * 8);
      add(`flac-${i}-bitflips-${k}.flac`, damaged, 'any');
    }
    const zeroed = Buffer.from(flac);
    zeroed.fill(0, Math.floor(flac.length / 3), Math.floor(flac.length / 2));
    add(`flac-${i}-zeroed-middle.flac`, zeroed, 'any');
  });
  const streaminfo = (edit: (b: Buffer) => void) => {
    const b = Buffer.from(flacs[0]);
    edit(b);
    return b;
  };
  add('flac-rate-0.flac', streaminfo((b) => b.writeUIntBE(b.readUIntBE(18, 3) & 0xf, 18, 3)), 'report');
  add('flac-rate-1.flac', streaminfo((b) => b.writeUIntBE((1 << 4) | (b.readUIntBE(18, 3) & 0xf), 18, 3)), 'report');
  add('flac-total-huge.flac', streaminfo((b) => b.writeBigUInt64BE((b.readBigUInt64BE(18) & ~((1n << 36n) - 1n)) | ((1n << 36n) - 1n), 18)), 'report');
  add('flac-header-only.flac', flacs[0].subarray(0, 42), 'report');
  add('flac-magic-only.flac', Buffer.from('fLaC'), 'report');
  return cases;
}

/** Entries a folder can hold besides plain files: links, a FIFO, undecodable names. */
function addFilesystemOddities(dir: string, audio: Map<string, AudioExpectation>): void {
  const base = join(dir, 'rate-16000-target.wav');
  writeFileSync(base, BASE);
  audio.set('rate-16000-target.wav', 'detect');
  const link = (target: string, name: string, expect: AudioExpectation) => {
    symlinkSync(target, join(dir, name));
    audio.set(name, expect);
  };
  link(base, 'link-to-good.wav', 'detect');
  link(join(dir, 'missing.wav'), 'link-dangling.wav', 'report');
  link('link-loop.wav', 'link-loop.wav', 'report');
  link('link-loop-b.wav', 'link-loop-a.wav', 'report');
  link('link-loop-a.wav', 'link-loop-b.wav', 'report');
  link('/dev/null', 'link-device.wav', 'report');
  symlinkSync(dir, join(dir, 'sub', 'link-to-top')); // a folder cycle
  execFileSync('mkfifo', [join(dir, 'fifo.wav')]);
  audio.set('fifo.wav', 'report');
  mkdirSync(join(dir, 'sub', 'folder.wav'), { recursive: true });
  writeFileSync(join(dir, 'sub', 'folder.wav', 'inside.wav'), BASE);
  audio.set('sub/folder.wav/inside.wav', 'detect');
  const latin1 = Buffer.concat([Buffer.from(`${dir}/latin1-`), Buffer.from([0xe9]), Buffer.from('.wav')]);
  writeFileSync(latin1, BASE);
  audio.set('latin1-\uFFFD.wav', 'report');
  mkdirSync(Buffer.concat([Buffer.from(`${dir}/dir-`), Buffer.from([0xff])]));
  writeFileSync(Buffer.concat([Buffer.from(`${dir}/dir-`), Buffer.from([0xff]), Buffer.from('/inside.wav')]), BASE);
  audio.set('dir-\uFFFD/inside.wav', 'report');
}

function annotationCases(): [string, string | Buffer, AnnotationExpectation][] {
  const ok: [string, string][] = [
    ['dcase-4col.txt', 'a.wav\t0.5\t1.5\tdog\nb.wav\t2\t3\tcat\n'],
    ['dcase-3col.txt', '0.5\t1.5\tdog\n'],
    ['dcase-5col.txt', 'a.wav\tpark\t0.5\t1.5\tdog\n'],
    ['dcase-confidence.txt', 'a.wav\t0.5\t1.5\tdog\t0.75\n'],
    ['dcase-name-only.txt', 'a.wav\nmy recording.wav\n'],
    ['dcase-quoted.txt', '"tab\\there.wav"\t0\t1\t"label\\nline"\n"take 2.wav"\n'],
    ['dcase-whitespace.txt', 'a.wav 0.5 1.5 dog barking\n'],
    ['dcase-crlf-bom.txt', '\uFEFFa.wav\t0\t1\tdog\r\nb.wav\r\n'],
    ['dcase-comments.txt', '# only a comment\n\n'],
    ['dcase-empty.txt', ''],
    ['dcase-long-label.txt', `a.wav\t0\t1\t${'x'.repeat(100_000)}\n`],
    ['dcase-unicode.txt', 'ñandú.wav\t0\t1\t鳥の声\n'],
    ['dcase-1e6.txt', 'a.wav\t999999\t1000000\tdog\n'],
    ['csv-basic.csv', 'filename,onset,offset,label\na.wav,0,1,dog\n'],
    ['csv-quoted.csv', 'filename,onset,offset,label\n"a, ""b"".wav",0,1,"multi\nline"\n'],
    ['csv-aliases.csv', 'file,start,end,class,score\na.wav,0,1,dog,0.5\n'],
    ['json-basic.json', '{"files":["a.wav"],"events":[{"filename":"a.wav","onset":0,"offset":1,"label":"dog"}]}'],
    ['audacity-basic.txt', '0\t1\tdog\n\\\t100\t2000\n'],
    ['raven-basic.txt', 'Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tAnnotation\n1\tSpectrogram 1\t1\t0\t1\t0\t0\tdog\n'],
  ];
  const warn: [string, string][] = [
    ['dcase-zero-length.txt', 'a.wav\t1\t1\tclick\n'],
    ['csv-zero-length.csv', 'filename,onset,offset,label\na.wav,2,2,click\n'],
    ['audacity-point-label.txt', '3\t3\tclick\n'],
  ];
  const error: [string, string | Buffer][] = [
    ['dcase-extra-column.txt', 'a.wav\t0\t1\tdog\tbark\n'],
    ['dcase-extra-after-confidence.txt', 'a.wav\t0\t1\tdog\t0.5\tx\n'],
    ['dcase-nul-label.txt', 'a.wav\t0\t1\td\0g\n'],
    ['dcase-nul-name.txt', 'a\0.wav\t0\t1\tdog\n'],
    ['dcase-1e308.txt', 'a.wav\t0\t1e308\tdog\n'],
    ['dcase-1e400.txt', 'a.wav\t0\t1e400\tdog\n'],
    ['dcase-1e8.txt', 'a.wav\t0\t1e8\tdog\n'],
    ['dcase-nan.txt', 'a.wav\tNaN\t1\tdog\n'],
    ['dcase-infinity.txt', 'a.wav\t0\tInfinity\tdog\n'],
    ['dcase-negative.txt', 'a.wav\t-1\t1\tdog\n'],
    ['dcase-reversed.txt', 'a.wav\t2\t1\tdog\n'],
    ['dcase-two-fields.txt', 'a.wav\t1\n'],
    ['dcase-lone-number.txt', '12\n'],
    ['dcase-missing-label.txt', 'a.wav\t0\t1\n'],
    ['dcase-confidence-1.5.txt', 'a.wav\t0\t1\tdog\t1.5\n'],
    ['dcase-hex.txt', 'a.wav\t0x10\t0x20\tdog\n'],
    ['dcase-latin1.txt', Buffer.concat([Buffer.from('a.wav\t0\t1\tcaf'), Buffer.from([0xe9]), Buffer.from('\n')])],
    ['dcase-utf16.txt', Buffer.from('\uFEFFa.wav\t0\t1\tdog\n', 'utf16le')],
    ['dcase-binary.txt', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 97 + 13) % 256))],
    ['dcase-typo.txt', 'a.wav 0.5 babycry\n'],
    ['csv-extra-cells.csv', 'filename,onset,offset,label\na.wav,0,1,dog,x\n'],
    ['csv-unclosed-quote.csv', 'filename,onset,offset,label\n"a.wav,0,1,dog\n'],
    ['csv-no-header.csv', 'a.wav,0,1,dog\n'],
    ['csv-bad-number.csv', 'filename,onset,offset,label\na.wav,zero,1,dog\n'],
    ['csv-1e308.csv', 'filename,onset,offset,label\na.wav,0,1e308,dog\n'],
    ['csv-nul.csv', 'filename,onset,offset,label\na.wav,0,1,d\0g\n'],
    ['csv-quote-inside.csv', 'filename,onset,offset,label\na"b.wav,0,1,dog\n'],
    ['json-invalid.json', '{"events": ['],
    ['json-events-object.json', '{"events": {}}'],
    ['json-onset-string.json', '{"events":[{"filename":"a","onset":"0","offset":1,"label":"x"}]}'],
    ['json-1e308.json', '{"events":[{"filename":"a","onset":0,"offset":1e308,"label":"x"}]}'],
    ['json-1e400.json', '{"events":[{"filename":"a","onset":0,"offset":1e400,"label":"x"}]}'],
    ['json-nul.json', '{"events":[{"filename":"a","onset":0,"offset":1,"label":"x\\u0000"}]}'],
    ['json-array.json', '[1,2,3]'],
    ['audacity-freq-first.txt', '\\\t100\t200\n'],
    ['audacity-one-field.txt', '1.5\n'],
    ['audacity-1e9.txt', '0\t1e9\tdog\n'],
    ['audacity-nul.txt', '0\t1\td\0g\n'],
    ['raven-no-begin.txt', 'Selection\tEnd Time (s)\tAnnotation\n1\t1\tdog\n'],
    ['raven-extra-cells.txt', 'Selection\tBegin Time (s)\tEnd Time (s)\tAnnotation\n1\t0\t1\tdog\textra\n'],
    ['raven-bad-time.txt', 'Selection\tBegin Time (s)\tEnd Time (s)\tAnnotation\n1\tsoon\t1\tdog\n'],
    ['raven-1e7.txt', 'Selection\tBegin Time (s)\tEnd Time (s)\tAnnotation\n1\t0\t1e7\tdog\n'],
  ];
  return [
    ...ok.map(([n, t]) => [n, t, 'ok'] as [string, string, AnnotationExpectation]),
    ...warn.map(([n, t]) => [n, t, 'warn'] as [string, string, AnnotationExpectation]),
    ...error.map(([n, t]) => [n, t, 'error'] as [string, string | Buffer, AnnotationExpectation]),
  ];
}

/** Writes the corpus under `root` (which must not exist yet). */
export function buildCorpus(root: string): Corpus {
  const audioDir = join(root, 'audio');
  const annotationDir = join(root, 'annotations');
  mkdirSync(join(audioDir, 'sub'), { recursive: true });
  mkdirSync(annotationDir);
  const audio = new Map<string, AudioExpectation>();
  for (const [name, data, expect] of audioCases(createRng(150))) {
    writeFileSync(join(audioDir, name), data);
    audio.set(name, expect);
  }
  addFilesystemOddities(audioDir, audio);
  const annotations = new Map<string, AnnotationExpectation>();
  for (const [name, data, expect] of annotationCases()) {
    writeFileSync(join(annotationDir, name), data);
    annotations.set(name, expect);
  }
  return { audioDir, annotationDir, audio, annotations };
}
