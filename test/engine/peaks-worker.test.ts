import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../../src-main/engine/audio/errors';
import { computePeaks } from '../../src-main/engine/audio/peaks';
import { computePeaksInWorker } from '../../src-main/engine/audio/peaks-in-worker';
import { encodeWav } from '../../src-main/engine/audio/wav';
import { makeTempDir, tone } from './audio-fixtures';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

describe('base peaks in a worker thread', () => {
  it('equal the peaks computed in-thread', async () => {
    const file = join(tmp.dir, 'tone.wav');
    writeFileSync(file, encodeWav(tone(440, 16_000, 3, 0.4), 16_000));
    const inThread = await computePeaks(file, 200);
    const inWorker = await computePeaksInWorker(file, 200);
    expect(inWorker.duration).toBe(inThread.duration);
    expect(Array.from(inWorker.min)).toEqual(Array.from(inThread.min));
    expect(Array.from(inWorker.max)).toEqual(Array.from(inThread.max));
    expect(Math.max(...inWorker.max)).toBeCloseTo(0.4, 2);
  });

  it('reject with the decode error of a file that cannot be read', async () => {
    const file = join(tmp.dir, 'text.wav');
    writeFileSync(file, 'not audio at all, just some text\n'.repeat(20));
    const error = await computePeaksInWorker(file, 200).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudioDecodeError);
    expect((error as AudioDecodeError).reason).toBe('not-audio');
    expect((error as Error).message).toBe(`cannot decode "${file}": file contains text, not audio`);
  });
});
