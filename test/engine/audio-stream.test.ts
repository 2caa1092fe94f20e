import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioFile, probeAudioFile } from '../../src-main/engine/audio/decode';
import { rescaleInPlace, warmUpDecoderFor } from '../../src-main/engine/audio/source';
import { streamAudioFile } from '../../src-main/engine/audio/stream';
import { compareSamples, concat, hasTool, makeTempDir, run } from './audio-fixtures';

const tmp = makeTempDir();
afterAll(tmp.cleanup);
const haveSox = hasTool('sox');
const SECONDS = 7;
const RATE = 44100;
const SOURCE_FRAMES = SECONDS * RATE;
const src = join(tmp.dir, 'src.wav');

beforeAll(() => {
  if (!haveSox) return;
  // Stereo, different content per channel, 16-bit: 1.2 MB, so every reader takes several reads.
  run('sox', ['-n', '-r', String(RATE), '-c', '2', '-b', '16', src, 'synth', String(SECONDS), 'sine', '440', 'pinknoise', 'vol', '0.4']);
});

interface Case {
  format: 'wav' | 'flac' | 'mp3' | 'ogg';
  tool: string;
  make: (out: string) => void;
  /** Decoded length at the source rate, from an independent source. */
  expectedFrames: () => number;
}

const cases: Case[] = [
  { format: 'wav', tool: 'sox', make: () => {}, expectedFrames: () => Number(run('soxi', ['-s', src]).trim()) },
  {
    format: 'flac',
    tool: 'flac',
    make: (out) => run('flac', ['-s', '-f', '-o', out, src]),
    // flac's own decoder is the reference for the sample count.
    expectedFrames: () => {
      const wav = join(tmp.dir, 'flac-ref.wav');
      run('flac', ['-s', '-d', '-f', '-o', wav, join(tmp.dir, 'src.flac')]);
      return Number(run('soxi', ['-s', wav]).trim());
    },
  },
  // lame writes a LAME/Info tag with encoder delay and padding, so the decode is gapless.
  { format: 'mp3', tool: 'lame', make: (out) => run('lame', ['--quiet', '-b', '128', src, out]), expectedFrames: () => SOURCE_FRAMES },
  { format: 'ogg', tool: 'sox', make: (out) => run('sox', [src, out]), expectedFrames: () => Number(run('soxi', ['-s', join(tmp.dir, 'src.ogg')]).trim()) },
];

describe.each(cases)('streamAudioFile ($format)', ({ format, tool, make, expectedFrames }) => {
  const file = format === 'wav' ? src : join(tmp.dir, `src.${format}`);
  const skip = !haveSox || !hasTool(tool) || !hasTool('soxi');
  if (skip) it.skip(`${tool} not installed: skipping ${format} stream tests`, () => {});

  it.skipIf(skip)('decodes the full sample count (checked against an independent decoder)', async () => {
    make(file);
    const d = await decodeAudioFile(file);
    expect(d.format).toBe(format);
    expect(d.channels).toBe(2);
    expect(d.sourceSampleRate).toBe(RATE);
    expect(d.samples.length).toBe(expectedFrames());
    if (format === 'flac') {
      // Lossless: identical to the WAV it was made from.
      expect(compareSamples(d.samples, (await decodeAudioFile(src)).samples)).toBe('equal');
    }
    const probe = await probeAudioFile(file);
    expect(probe.format).toBe(format);
    expect(probe.sampleRate).toBe(RATE);
    expect(probe.duration).toBeGreaterThan(SECONDS - 0.01);
    expect(probe.duration).toBeLessThan(SECONDS + (format === 'mp3' ? 0.1 : 0.001));
  });

  it.skipIf(skip)('streams blocks whose concatenation equals decodeAudioFile at 16 kHz', async () => {
    const whole = await decodeAudioFile(file, { targetRate: 16000 });
    const blocks: Float32Array[] = [];
    for await (const b of streamAudioFile(file, { targetRate: 16000, blockSeconds: 1.3 })) blocks.push(b.slice());
    expect(blocks.length).toBe(Math.ceil(whole.samples.length / 20800));
    for (const b of blocks.slice(0, -1)) expect(b.length).toBe(20800);
    expect(compareSamples(concat(blocks), whole.samples)).toBe('equal');
    expect(whole.samples.length).toBe(Math.ceil((expectedFrames() * 16000) / RATE));
  });
});

describe.skipIf(!haveSox)('FlacFrameAligner', () => {
  it('lets the chunked FLAC decoder keep every frame even with tiny reads', async () => {
    const { FlacFrameAligner } = await import('../../src-main/engine/audio/flac-frames');
    const decoders = (await import('audio-decode')).default;
    const { readFileSync } = await import('node:fs');
    const file = join(tmp.dir, 'aligned.flac');
    // Last block is short (20 s * 44100 is not a multiple of 4096): the case that was dropped.
    run('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', file, 'synth', '20', 'sine', '220-4000', 'pinknoise', 'vol', '0.4']);
    const expected = Number(run('soxi', ['-s', file]).trim());
    const bytes = readFileSync(file);
    const dec = await decoders.flac();
    const aligner = new FlacFrameAligner();
    let n = 0;
    for (let o = 0; o < bytes.length; o += 1000) {
      const chunk = aligner.push(bytes.subarray(o, o + 1000));
      if (chunk.length) n += (await dec(chunk)).channelData[0]?.length ?? 0;
    }
    n += (await dec(aligner.flush())).channelData[0]?.length ?? 0;
    n += (await dec()).channelData[0]?.length ?? 0;
    expect(n).toBe(expected);
  });
});

describe.skipIf(!haveSox || !hasTool('flac'))('FLAC decode equals the WAV it was made from', () => {
  it.each([16, 24])('%i-bit stereo: same mono samples, bit for bit', async (bits) => {
    const wav = join(tmp.dir, `bits${bits}.wav`);
    const flac = join(tmp.dir, `bits${bits}.flac`);
    run('sox', ['-n', '-r', '44100', '-c', '2', '-b', String(bits), wav, 'synth', '3', 'sine', '300', 'pinknoise', 'vol', '0.5']);
    run('flac', ['-s', '-f', '-o', flac, wav]);
    const a = await decodeAudioFile(wav);
    const b = await decodeAudioFile(flac);
    expect(b.samples.length).toBe(3 * 44100);
    expect(compareSamples(b.samples, a.samples)).toBe('equal');
  });
});

describe('rescaleInPlace', () => {
  it('rounds like Math.round (halves up) and divides exactly', () => {
    const values = [0.5, 1.5, 2.5, -0.4, -1.5, -2.5, 3.4999, -3.5001, 1e6 + 0.5, -(1e6 + 0.5), 12345.25];
    const x = Float32Array.from(values);
    rescaleInPlace(x, 1, 4);
    expect([...x]).toEqual(values.map((v) => Math.round(Math.fround(v)) / 4).map((v) => (v === 0 ? 0 : v)));
  });

  it('recovers 16-bit integers scaled by 1 / 32767, as the FLAC decoder delivers them', () => {
    const ints = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const x = Float32Array.from(ints, (v) => v / 32767);
    rescaleInPlace(x, 32767, 32768);
    expect(compareSamples(x, Float32Array.from(ints, (v) => v / 32768))).toBe('equal');
  });
});

describe('decoder warm-up', () => {
  it('compiles each compressed format once, whatever the case of the extension, and has nothing to do for WAV or other files', async () => {
    const flac = warmUpDecoderFor('/x/a.flac');
    expect(warmUpDecoderFor('/y/B.FLAC')).toBe(flac);
    await expect(flac).resolves.toBeUndefined();
    expect(warmUpDecoderFor('/x/a.mp3')).not.toBe(flac);
    await expect(warmUpDecoderFor('/x/a.mp3')).resolves.toBeUndefined();
    expect(warmUpDecoderFor('/x/a.ogg')).toBe(warmUpDecoderFor('/x/a.oga'));
    await expect(warmUpDecoderFor('/x/a.wav')).resolves.toBeUndefined();
    await expect(warmUpDecoderFor('/x/notes.txt')).resolves.toBeUndefined();
  });
});
