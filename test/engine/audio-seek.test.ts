import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeAudioFile } from '../../src-main/engine/audio/decode';
import { encodeFlacNumber, renumberFlacFrame } from '../../src-main/engine/audio/flac-excerpts';
import { isFlacFrameHeader } from '../../src-main/engine/audio/flac-frames';
import { buildFlacFrameIndex, flacFrameHeaderPosition, frameAtOrBefore } from '../../src-main/engine/audio/flac-index';
import { openAudioSource } from '../../src-main/engine/audio/source';
import { encodeWav } from '../../src-main/engine/audio/wav';
import { hasTool, makeTempDir, run } from './audio-fixtures';

const tmp = makeTempDir();
afterAll(tmp.cleanup);
const path = (name: string) => join(tmp.dir, name);

/** `length` samples from `fromFrame` read through the seeking path, stopping as soon as they are in. */
async function readSpan(file: string, fromFrame: number, length: number): Promise<Float32Array> {
  const source = await openAudioSource(file);
  const out = new Float32Array(length);
  let filled = 0;
  for await (const chunk of source.chunks(fromFrame)) {
    const n = Math.min(chunk.length, length - filled);
    out.set(chunk.subarray(0, n), filled);
    filled += n;
    if (filled >= length) break;
  }
  return out.subarray(0, filled);
}

/** Noise over a slow tone, so every frame differs and a misplaced span shows. */
function noise(rate: number, seconds: number): Float32Array {
  let seed = 7;
  const n = rate * seconds;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    out[i] = Math.sin((2 * Math.PI * 3 * i) / rate) * 0.4 + (seed / 2 ** 32 - 0.5) * 0.4;
  }
  return out;
}

/**
 * Excerpts in any order (backwards, repeated, overlapping, past the end) equal the full decode at
 * each start, and the decoder reports nothing (a jump between frames would be logged as a missing frame).
 */
async function expectExcerptsMatch(file: string, whole: Float32Array): Promise<void> {
  const starts = [16_000 * 9 + 5, 0, 4096 * 3 - 1, 70_001, 70_001 + 2048, 70_001 + 100, 70_001 + 100, whole.length - 100, whole.length + 5, 3];
  const source = await openAudioSource(file);
  const got: Float32Array[] = [];
  const logged = vi.spyOn(console, 'error');
  try {
    for await (const excerpt of source.excerpts(starts, 2048)) got.push(excerpt.slice());
    expect(logged).not.toHaveBeenCalled();
  } finally {
    logged.mockRestore();
  }
  expect(got.map((x) => x.length)).toEqual(starts.map((s) => Math.max(0, Math.min(2048, whole.length - s))));
  starts.forEach((s, i) => expect(Array.from(got[i]), `excerpt at ${s}`).toEqual(Array.from(whole.subarray(s, s + 2048))));
}

const SPANS: [number, number][] = [
  [0, 1000],
  [1, 5000],
  [4095, 3],
  [4096, 4096],
  [123_457, 20_000],
  [16_000 * 7 + 11, 2048],
  [16_000 * 12 - 500, 5000], // runs past the end: only what exists
];

describe('seeking decode: chunks(fromFrame) equals the full decode from that sample', () => {
  let full: Float32Array;
  beforeAll(() => {
    writeFileSync(path('noise.wav'), encodeWav(noise(16_000, 12), 16_000));
  });

  it('WAV, by byte offset', async () => {
    full = (await decodeAudioFile(path('noise.wav'))).samples;
    for (const [from, length] of SPANS) {
      const span = await readSpan(path('noise.wav'), from, length);
      expect(span.length, `span at ${from}`).toBe(Math.max(0, Math.min(length, full.length - from)));
      expect(Array.from(span), `span at ${from}`).toEqual(Array.from(full.subarray(from, from + length)));
    }
    await expectExcerptsMatch(path('noise.wav'), full);
  });

  for (const [name, flacArgs] of [
    ['fixed block size', []],
    ['small blocks, no seek table', ['--blocksize=1152', '--no-seektable']],
  ] as const) {
    it.skipIf(!hasTool('flac'))(`FLAC (${name}), by frame index`, async () => {
      const file = path(`noise-${flacArgs.length}.flac`);
      run('flac', ['--silent', '--force', ...flacArgs, '-o', file, path('noise.wav')]);
      const whole = (await decodeAudioFile(file)).samples;
      expect(whole.length).toBe(16_000 * 12);
      for (const [from, length] of SPANS) {
        const span = await readSpan(file, from, length);
        expect(span.length, `span at ${from}`).toBe(Math.max(0, Math.min(length, whole.length - from)));
        expect(Array.from(span), `span at ${from}`).toEqual(Array.from(whole.subarray(from, from + length)));
      }
      await expectExcerptsMatch(file, whole);
    });
  }

  it.skipIf(!hasTool('flac'))('the FLAC frame index lists every frame, in order, and finds the frame holding a sample', async () => {
    const file = path('index.flac');
    run('flac', ['--silent', '--force', '--blocksize=4096', '-o', file, path('noise.wav')]);
    const bytes = new Uint8Array(readFileSync(file));
    const read = async (offset: number, length: number) => bytes.subarray(offset, Math.min(bytes.length, offset + length));
    const index = await buildFlacFrameIndex(read, bytes.length, 0);
    expect(index.samples.length).toBe(Math.ceil((16_000 * 12) / 4096));
    expect(index.samples.every((s, i) => s === i * 4096)).toBe(true);
    for (const offset of index.offsets) expect([bytes[offset], bytes[offset + 1] & 0xfe]).toEqual([0xff, 0xf8]);
    expect(frameAtOrBefore(index, 0)).toBe(0);
    expect(frameAtOrBefore(index, 4095)).toBe(0);
    expect(frameAtOrBefore(index, 4096)).toBe(1);
    expect(frameAtOrBefore(index, 10 ** 9)).toBe(index.samples.length - 1);
  });
});

describe('FLAC frame renumbering (one decoder for scattered excerpts)', () => {
  it.skipIf(!hasTool('flac'))('excerpts over damaged frames stop with a corrupt-file error naming the file, not wrong samples', async () => {
    writeFileSync(path('damaged.wav'), encodeWav(noise(16_000, 6), 16_000));
    const file = path('damaged.flac');
    run('flac', ['--silent', '--force', '-o', file, path('damaged.wav')]);
    const bytes = new Uint8Array(readFileSync(file));
    const at = Math.floor(bytes.length * 0.6);
    for (let i = 0; i < 3000; i++) bytes[at + i] = (i * 37) & 0xff;
    writeFileSync(file, bytes);
    const source = await openAudioSource(file);
    const starts = Array.from({ length: 40 }, (_, k) => k * 2400);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const reading = (async () => {
        for await (const excerpt of source.excerpts(starts, 2048)) void excerpt;
      })();
      await expect(reading).rejects.toMatchObject({ name: 'AudioDecodeError', reason: 'corrupt', message: expect.stringContaining(file) });
    } finally {
      logged.mockRestore();
    }
  });

  it('codes numbers the way FLAC headers do, 1 to 7 bytes', () => {
    expect(Array.from(encodeFlacNumber(0))).toEqual([0]);
    expect(Array.from(encodeFlacNumber(0x7f))).toEqual([0x7f]);
    expect(Array.from(encodeFlacNumber(0x80))).toEqual([0xc2, 0x80]);
    expect(Array.from(encodeFlacNumber(0x7ff))).toEqual([0xdf, 0xbf]);
    expect(Array.from(encodeFlacNumber(0x800))).toEqual([0xe0, 0xa0, 0x80]);
    expect(Array.from(encodeFlacNumber(0xffff))).toEqual([0xef, 0xbf, 0xbf]);
    expect(encodeFlacNumber(0x10000).length).toBe(4);
    expect(encodeFlacNumber(2 ** 31).length).toBe(7);
    expect(encodeFlacNumber(2 ** 31)[0]).toBe(0xfe);
  });

  it.skipIf(!hasTool('flac'))('a renumbered frame has a valid header holding the new number and a valid CRC-16', async () => {
    writeFileSync(path('renumber.wav'), encodeWav(noise(16_000, 3), 16_000));
    const file = path('renumber.flac');
    run('flac', ['--silent', '--force', '--blocksize=1152', '-o', file, path('renumber.wav')]);
    const bytes = new Uint8Array(readFileSync(file));
    const index = await buildFlacFrameIndex(async (at, n) => bytes.subarray(at, at + n), bytes.length, 0);
    const frame = bytes.subarray(index.offsets[3], index.offsets[4]);
    for (const number of [0, 200, 70_000, 3]) {
      const renumbered = renumberFlacFrame(frame, number);
      expect(isFlacFrameHeader(renumbered, 0), `number ${number}`).toBe(true);
      expect(flacFrameHeaderPosition(renumbered, 0, 1152)).toEqual({ sample: number * 1152, blockSize: 1152 });
      // A frame's CRC-16 over everything including the stored CRC is 0.
      let crc = 0;
      for (const b of renumbered) {
        crc ^= b << 8;
        for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
      }
      expect(crc).toBe(0);
      expect(renumbered.length - frame.length).toBe(encodeFlacNumber(number).length - 1);
    }
  });
});
