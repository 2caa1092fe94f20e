import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../src-main/engine/audio/wav';
import { computeSpectrogram, type SpectrogramRequest } from '../src-main/service/spectrogram';
import { hasTool, makeTempDir, run } from './engine/audio-fixtures';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

const RATE = 16_000;
const SECONDS = 40;

/** A chirp over noise: every column differs, so a column computed from the wrong samples shows. */
function chirpOverNoise(): Float32Array {
  let seed = 11;
  const out = new Float32Array(RATE * SECONDS);
  for (let i = 0; i < out.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const t = i / RATE;
    out[i] = 0.5 * Math.sin(2 * Math.PI * (100 * t + 45 * t * t)) + (seed / 2 ** 32 - 0.5) * 0.05;
  }
  return out;
}

/** Whole file (first window reaching before its start), and a span ending at the file's end. */
const REQUESTS: SpectrogramRequest[] = [
  { start: 0, end: SECONDS, scale: 'mel', columns: 300, bins: 64 },
  { start: 3.3, end: SECONDS, scale: 'linear', columns: 97, bins: 128 },
];

describe('sparse spectrogram (one excerpt per column) equals the streamed one at those columns', () => {
  const wav = join(tmp.dir, 'chirp.wav');
  writeFileSync(wav, encodeWav(chirpOverNoise(), RATE));
  const files: [string, string][] = [['WAV', wav]];
  if (hasTool('flac')) {
    const flac = join(tmp.dir, 'chirp.flac');
    run('flac', ['--silent', '--force', '-o', flac, wav]);
    files.push(['FLAC', flac]);
  }

  for (const [format, file] of files) {
    for (const request of REQUESTS) {
      it(`${format}, ${request.scale}, ${request.start}-${request.end} s in ${request.columns} columns`, async () => {
        const streamed = await computeSpectrogram(file, request, 'stream');
        const sparse = await computeSpectrogram(file, request, 'excerpts');
        expect(sparse.columns).toBe(request.columns);
        expect(sparse.dbMax).toBe(streamed.dbMax);
        expect(Array.from(sparse.data)).toEqual(Array.from(streamed.data));
        // Not a constant image: the chirp moves across bins.
        expect(new Set(sparse.data).size).toBeGreaterThan(20);
      });
    }
  }

  it('chooses excerpts on its own when columns are far apart, with the same result', async () => {
    // 40 s in 60 columns: 10,667 samples apart, over 8 windows of 1,024.
    const request: SpectrogramRequest = { start: 0, end: SECONDS, scale: 'mel', columns: 60, bins: 64 };
    const auto = await computeSpectrogram(wav, request);
    const streamed = await computeSpectrogram(wav, request, 'stream');
    expect(Array.from(auto.data)).toEqual(Array.from(streamed.data));
  });
});
