import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudioFile, probeAudioFile } from '../../src-main/engine/audio/decode';
import { AudioDecodeError } from '../../src-main/engine/audio/errors';
import type { AudioDecodeFailure } from '../../src-main/engine/audio/errors';
import { streamAudioFile } from '../../src-main/engine/audio/stream';
import { encodeWav } from '../../src-main/engine/audio/wav';
import { hasTool, makeTempDir, rng, run, tone } from './audio-fixtures';

const tmp = makeTempDir();
afterAll(tmp.cleanup);
const path = (name: string) => join(tmp.dir, name);

async function failure(promise: Promise<unknown>): Promise<AudioDecodeError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof AudioDecodeError) return e;
    throw new Error(`expected AudioDecodeError, got ${e}`);
  }
  throw new Error('expected decoding to fail');
}

async function drain(file: string): Promise<void> {
  for await (const _ of streamAudioFile(file, { targetRate: 16000 })) void _;
}

/** decodeAudioFile and streamAudioFile both fail with `reason`, naming the file. */
async function expectFailure(file: string, reason: AudioDecodeFailure, detail: RegExp): Promise<void> {
  for (const e of [await failure(decodeAudioFile(file)), await failure(drain(file))]) {
    expect(e.reason).toBe(reason);
    expect(e.file).toBe(file);
    expect(e.message).toContain(`cannot decode "${file}": `);
    expect(e.message).toMatch(detail);
  }
}

function truncate(file: string, keepFraction: number, out: string): string {
  const bytes = readFileSync(file);
  writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length * keepFraction)));
  return out;
}

describe('AudioDecodeError', () => {
  it('missing file -> not-found', async () => {
    await expectFailure(path('nope.wav'), 'not-found', /not found/);
    expect((await failure(probeAudioFile(path('nope.wav')))).reason).toBe('not-found');
  });

  it('0-byte file -> empty', async () => {
    writeFileSync(path('empty.flac'), '');
    await expectFailure(path('empty.flac'), 'empty', /empty \(0 bytes\)/);
  });

  it('text renamed .wav -> not-audio', async () => {
    writeFileSync(path('notes.wav'), 'onset,offset,label\n0.5,1.2,babycry\n'.repeat(20));
    await expectFailure(path('notes.wav'), 'not-audio', /text, not audio/);
  });

  it('random binary -> unsupported', async () => {
    const r = rng(3);
    writeFileSync(path('blob.mp3'), Uint8Array.from({ length: 5000 }, () => Math.floor(r() * 256)));
    await expectFailure(path('blob.mp3'), 'unsupported', /unrecognised binary/);
  });

  it.skipIf(!hasTool('sox'))('AIFF (sox-made) -> unsupported, named', async () => {
    run('sox', ['-n', '-r', '8000', path('tone.aiff'), 'synth', '0.1', 'sine', '440']);
    await expectFailure(path('tone.aiff'), 'unsupported', /AIFF/);
  });

  it('WAV with an unsupported encoding (A-law) -> unsupported', async () => {
    const wav = Buffer.from(encodeWav(new Float32Array(100), 8000));
    wav.writeUInt16LE(6, 20); // WAVE_FORMAT_ALAW
    writeFileSync(path('alaw.wav'), wav);
    await expectFailure(path('alaw.wav'), 'unsupported', /format tag 0x6/);
  });

  it('truncated WAV -> truncated', async () => {
    writeFileSync(path('full.wav'), encodeWav(tone(440, 8000, 1), 8000));
    await expectFailure(truncate(path('full.wav'), 0.6, path('cut.wav')), 'truncated', /truncated WAV data chunk/);
    await expectFailure(truncate(path('full.wav'), 0.001, path('cut-header.wav')), 'truncated', /truncated|no data chunk/);
  });

  it.skipIf(!hasTool('sox'))('truncated FLAC -> truncated (whole and streamed)', async () => {
    run('sox', ['-n', '-r', '16000', path('full.flac'), 'synth', '3', 'pinknoise']);
    await expectFailure(truncate(path('full.flac'), 0.5, path('cut.flac')), 'truncated', /truncated FLAC stream \(decoded \d+ of 48000 samples\)/);
  });

  it.skipIf(!hasTool('sox'))('FLAC header followed by garbage -> corrupt', async () => {
    run('sox', ['-n', '-r', '16000', path('g.flac'), 'synth', '1', 'pinknoise']);
    const bytes = readFileSync(path('g.flac'));
    const r = rng(9);
    // Keep fLaC + STREAMINFO (42 bytes, last-block flag set), replace the rest with noise.
    const head = Buffer.from(bytes.subarray(0, 42));
    head[4] |= 0x80;
    writeFileSync(path('garbage.flac'), Buffer.concat([head, Buffer.from(Uint8Array.from({ length: 20000 }, () => Math.floor(r() * 256)))]));
    const e = await failure(decodeAudioFile(path('garbage.flac')));
    expect(['corrupt', 'truncated']).toContain(e.reason);
    expect(e.file).toBe(path('garbage.flac'));
  });

  it.skipIf(!hasTool('sox'))('truncated Ogg Vorbis -> truncated', async () => {
    run('sox', ['-n', '-r', '16000', path('full.ogg'), 'synth', '3', 'pinknoise']);
    await expectFailure(truncate(path('full.ogg'), 0.5, path('cut.ogg')), 'truncated', /truncated Ogg/);
  });

  it.skipIf(!hasTool('lame') || !hasTool('sox'))('truncated MP3 with an Info tag -> truncated', async () => {
    run('sox', ['-n', '-r', '44100', path('src.wav'), 'synth', '3', 'pinknoise']);
    run('lame', ['--quiet', path('src.wav'), path('full.mp3')]);
    await expectFailure(truncate(path('full.mp3'), 0.5, path('cut.mp3')), 'truncated', /truncated MP3/);
  });
});
