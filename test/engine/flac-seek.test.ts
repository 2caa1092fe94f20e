import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFlacFrameIndex, frameAtOrBefore } from '../../src-main/engine/audio/flac-index';
import { createFlacLocator } from '../../src-main/engine/audio/flac-seek';
import { encodeWav } from '../../src-main/engine/audio/wav';
import { hasTool, makeTempDir, run } from './audio-fixtures';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

const RATE = 16_000;

/** Silence, then loud noise, then silence again: bytes per second vary a hundredfold, so guesses by byte offset miss. */
function unevenSignal(seconds: number): Float32Array {
  let seed = 3;
  const out = new Float32Array(RATE * seconds);
  for (let i = 0; i < out.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const t = i / RATE;
    out[i] = t > seconds * 0.6 && t < seconds * 0.8 ? (seed / 2 ** 32 - 0.5) * 1.6 : Math.sin(2 * Math.PI * 50 * t) * 1e-4;
  }
  return out;
}

describe.skipIf(!hasTool('flac'))('FLAC seek by byte-offset guess and resync', () => {
  const wav = join(tmp.dir, 'uneven.wav');
  writeFileSync(wav, encodeWav(unevenSignal(60), RATE));

  for (const [name, args] of [
    ['fixed blocks', ['--blocksize=4096']],
    ['small blocks, no seek table', ['--blocksize=1152', '--no-seektable']],
  ] as const) {
    it(`finds the same frames as a full scan (${name})`, async () => {
      const file = join(tmp.dir, `uneven-${args.length}-${name.length}.flac`);
      run('flac', ['--silent', '--force', ...args, '-o', file, wav]);
      const bytes = new Uint8Array(readFileSync(file));
      let reads = 0;
      let bytesRead = 0;
      const read = async (offset: number, length: number) => {
        reads++;
        bytesRead += length;
        return bytes.subarray(offset, Math.min(bytes.length, offset + length));
      };
      const index = await buildFlacFrameIndex(read, bytes.length, 0);
      const locator = (await createFlacLocator(read, bytes.length, 0))!;
      expect(locator).not.toBeNull();
      expect(Array.from(locator.streamHeader)).toEqual(Array.from(index.streamHeader));
      const total = RATE * 60;
      const targets = [0, 1, 4095, 4096, total - 1, total + 10, ...Array.from({ length: 60 }, (_, k) => Math.floor(((k * 7919) % 60) * RATE + k * 37))];
      reads = 0;
      bytesRead = 0;
      for (const target of targets) {
        const length = 3000;
        const runOf = await locator.framesCovering(target, target + length - 1);
        const clamped = Math.min(total - 1, target);
        const from = frameAtOrBefore(index, clamped);
        const to = frameAtOrBefore(index, Math.min(total - 1, clamped + length - 1));
        expect(runOf.offsets, `frames for sample ${target}`).toEqual(index.offsets.slice(from, to + 1));
        expect(runOf.samples).toEqual(index.samples.slice(from, to + 1));
        expect(runOf.end).toBe(to + 1 < index.offsets.length ? index.offsets[to + 1] : bytes.length);
        expect(runOf.atStreamEnd).toBe(to === index.offsets.length - 1);
      }
      // A seek reads a small part of the file, not all of it.
      expect(bytesRead / targets.length).toBeLessThan(bytes.length / 4);
      expect(reads / targets.length).toBeLessThan(30);
    });
  }
});
