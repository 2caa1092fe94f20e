import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudioFile, probeAudioFile } from '../../src-main/engine/audio/decode';
import { encodeWav } from '../../src-main/engine/audio/wav';
import { hasTool, makeTempDir, rng, run } from './audio-fixtures';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

function riffChunk(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'ascii');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function riffWave(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** Samples that are exactly representable at every bit depth tested (multiples of 2^-15). */
function gridSignal(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.round((r() * 2 - 1) * 32000) / 32768;
  return x;
}

describe('encodeWav + WAV decoding', () => {
  it.each([
    [{ bitDepth: 16 as const }],
    [{ bitDepth: 24 as const }],
    [{ bitDepth: 32 as const }],
    [{ float: true }],
  ])('round-trips %o exactly', async (opts) => {
    const x = gridSignal(4001, 7);
    const file = join(tmp.dir, `rt-${JSON.stringify(opts).replace(/\W/g, '')}.wav`);
    writeFileSync(file, encodeWav(x, 22050, opts));
    const d = await decodeAudioFile(file);
    expect(d).toMatchObject({ format: 'wav', sampleRate: 22050, sourceSampleRate: 22050, channels: 1 });
    expect(d.duration).toBeCloseTo(4001 / 22050, 12);
    expect(d.samples).toEqual(x);
  });

  it('clips out-of-range samples instead of wrapping', async () => {
    const file = join(tmp.dir, 'clip.wav');
    writeFileSync(file, encodeWav(Float32Array.from([2, -2, 0.5]), 8000));
    const d = await decodeAudioFile(file);
    expect(Array.from(d.samples)).toEqual([32767 / 32768, -1, 0.5]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE 24-bit stereo after an odd-sized chunk (padding) as the channel mean', async () => {
    const frames = [
      [0.5, -0.25],
      [-1, 1],
      [0.125, 0.375],
    ];
    const fmt = Buffer.alloc(40);
    fmt.writeUInt16LE(0xfffe, 0);
    fmt.writeUInt16LE(2, 2);
    fmt.writeUInt32LE(48000, 4);
    fmt.writeUInt32LE(48000 * 6, 8);
    fmt.writeUInt16LE(6, 12);
    fmt.writeUInt16LE(24, 14);
    fmt.writeUInt16LE(22, 16); // cbSize
    fmt.writeUInt16LE(24, 18); // valid bits
    fmt.writeUInt32LE(3, 20); // channel mask
    fmt.writeUInt16LE(1, 24); // KSDATAFORMAT_SUBTYPE_PCM (first two bytes of the GUID)
    Buffer.from('000000001000800000aa00389b71', 'hex').copy(fmt, 26);
    const data = Buffer.alloc(frames.length * 6);
    frames.forEach(([l, r], i) => {
      data.writeIntLE(Math.max(-8388608, Math.min(8388607, Math.round(l * 8388608))), i * 6, 3);
      data.writeIntLE(Math.max(-8388608, Math.min(8388607, Math.round(r * 8388608))), i * 6 + 3, 3);
    });
    const file = join(tmp.dir, 'ext24.wav');
    writeFileSync(file, riffWave([riffChunk('fmt ', fmt), riffChunk('LIST', Buffer.from('odd')), riffChunk('data', data)]));
    const d = await decodeAudioFile(file);
    expect(d.channels).toBe(2);
    expect(d.sampleRate).toBe(48000);
    const expected = frames.map(([l, r]) => Math.fround((l + Math.min(r, 8388607 / 8388608)) / 2));
    expect(Array.from(d.samples)).toEqual(expected);
  });

  it('reads 64-bit float and 8-bit unsigned WAV', async () => {
    const fmt = (tag: number, bits: number) => {
      const b = Buffer.alloc(16);
      b.writeUInt16LE(tag, 0);
      b.writeUInt16LE(1, 2);
      b.writeUInt32LE(8000, 4);
      b.writeUInt32LE((8000 * bits) / 8, 8);
      b.writeUInt16LE(bits / 8, 12);
      b.writeUInt16LE(bits, 14);
      return b;
    };
    const f64 = Buffer.alloc(16);
    f64.writeDoubleLE(0.1, 0);
    f64.writeDoubleLE(-0.75, 8);
    writeFileSync(join(tmp.dir, 'f64.wav'), riffWave([riffChunk('fmt ', fmt(3, 64)), riffChunk('data', f64)]));
    expect(Array.from((await decodeAudioFile(join(tmp.dir, 'f64.wav'))).samples)).toEqual([Math.fround(0.1), -0.75]);
    writeFileSync(join(tmp.dir, 'u8.wav'), riffWave([riffChunk('fmt ', fmt(1, 8)), riffChunk('data', Buffer.from([0, 128, 192]))]));
    expect(Array.from((await decodeAudioFile(join(tmp.dir, 'u8.wav'))).samples)).toEqual([-1, 0, 0.5]);
  });

  it('resamples when targetRate is given and probes headers', async () => {
    const file = join(tmp.dir, 'probe.wav');
    writeFileSync(file, encodeWav(new Float32Array(44100), 44100));
    expect(await probeAudioFile(file)).toEqual({ format: 'wav', sampleRate: 44100, channels: 1, duration: 1 });
    const d = await decodeAudioFile(file, { targetRate: 16000 });
    expect(d.samples.length).toBe(16000);
    expect(d.sampleRate).toBe(16000);
    expect(d.sourceSampleRate).toBe(44100);
  });

  it.skipIf(!hasTool('sox'))('matches sox on a multichannel 32-bit file (sox-made)', async () => {
    const file = join(tmp.dir, 'sox4.wav');
    // 4 channels of different tones; mean of channels must match sox's own remix to mono.
    run('sox', ['-n', '-r', '16000', '-c', '4', '-b', '32', '-e', 'signed-integer', file, 'synth', '0.5', 'sine', '300', 'sine', '700', 'sine', '1100', 'sine', '1900', 'vol', '0.5']);
    const mono = join(tmp.dir, 'sox4-mono.wav');
    run('sox', [file, '-e', 'floating-point', '-b', '32', mono, 'remix', '1v0.25,2v0.25,3v0.25,4v0.25']);
    const d = await decodeAudioFile(file);
    const ref = await decodeAudioFile(mono);
    expect(d.channels).toBe(4);
    expect(d.samples.length).toBe(8000);
    let worst = 0;
    for (let i = 0; i < d.samples.length; i++) worst = Math.max(worst, Math.abs(d.samples[i] - ref.samples[i]));
    expect(worst).toBeLessThan(1e-6);
  });
});
