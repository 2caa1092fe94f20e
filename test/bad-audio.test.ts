import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCommand } from '../src-main/cli/commands/detect';
import { decodeAudioFile, probeAudioFile } from '../src-main/engine/audio/decode';
import { streamAudioFile } from '../src-main/engine/audio/stream';
import { encodeWav } from '../src-main/engine/audio/wav';
import { collectAudioFiles } from '../src-main/engine/detect';
import type { ApiResult } from '../src-main/api/contract';
import { openStore } from '../src-main/engine/store';
import { createService } from '../src-main/service/service';
import { energyDetector, writeFixtureModel } from './engine/onnx-fixtures';
import { waitFor } from './service-helpers';
import { capture } from './cli-io';

let dir: string;
let modelDir: string;

/** 3 s of near silence at 16 kHz, float WAV, with NaN for the middle second and infinities sprinkled through. */
function poisonedSamples(): Float32Array {
  const x = new Float32Array(3 * 16000).fill(1e-4);
  x.fill(NaN, 16000, 32000);
  for (let i = 0; i < x.length; i += 997) x[i] = i % 2 ? Infinity : -Infinity;
  return x;
}
const POISONED = poisonedSamples().filter((v) => !Number.isFinite(v)).length;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-bad-audio-'));
  process.env.EARMARK_CACHE_DIR = join(dir, 'cache');
  modelDir = join(dir, 'model');
  await writeFixtureModel(modelDir, { ...energyDetector(64), normalization: { mean: new Array(64).fill(-6), std: new Array(64).fill(1) } });
  await mkdir(join(dir, 'rec'));
  await writeFile(join(dir, 'rec', 'poisoned.wav'), encodeWav(poisonedSamples(), 16000, { float: true }));
});
afterAll(async () => {
  delete process.env.EARMARK_CACHE_DIR;
  await rm(dir, { recursive: true, force: true });
});

describe('non-finite samples', () => {
  it('are read as silence and counted, whole or streamed', async () => {
    const file = join(dir, 'rec', 'poisoned.wav');
    const whole = await decodeAudioFile(file);
    expect(whole.samples.every(Number.isFinite)).toBe(true);
    expect(whole.nonFiniteSamples).toBe(POISONED);
    const stream = streamAudioFile(file, { targetRate: 16000 });
    let next = await stream.next();
    while (!next.done) {
      expect(next.value.every(Number.isFinite)).toBe(true);
      next = await stream.next();
    }
    expect(next.value.nonFiniteSamples).toBe(whole.nonFiniteSamples);
  });

  it('give no events in detect, and a warning naming the file', async () => {
    const io = capture();
    expect(await detectCommand.run([join(dir, 'rec'), '--model', modelDir, '--jobs', '1'], io)).toBe(0);
    expect(io.out).toBe('poisoned.wav\n');
    expect(io.err).toContain(`poisoned.wav": ${POISONED} non-finite samples (NaN or infinity) replaced by silence`);
  });

  it('give a per-file warning on the detection job of the service', async () => {
    const resources = join(dir, 'resources');
    await writeFixtureModel(join(resources, 'models', 'fixture'), { ...energyDetector(64), normalization: { mean: new Array(64).fill(-6), std: new Array(64).fill(1) } });
    const store = openStore(join(dir, 'service.db'));
    const service = await createService({ store, resourcesDir: resources, homeDir: dir }, { host: 'browser', mediaUrl: (id) => `/media/${id}` });
    try {
      const project = (await service.call('projects.open', { root: join(dir, 'rec') })) as ApiResult<'projects.open'>;
      const { jobId } = (await service.call('detection.start', { projectId: project.id })) as { jobId: string };
      const job = await waitFor(async () => {
        const j = (await service.call('jobs.get', { jobId })) as ApiResult<'jobs.get'>;
        return j.status === 'running' ? undefined : j;
      }, 60_000);
      expect(job).toMatchObject({ status: 'done', errors: [], warnings: [{ path: 'poisoned.wav', message: expect.stringContaining(`${POISONED} non-finite samples`) }] });
    } finally {
      await service.close();
      store.close();
    }
  });
});

describe('absurd WAV and FLAC headers', () => {
  const wavWithRate = (rate: number) => {
    const buf = encodeWav(new Float32Array(8000), 8000);
    buf.writeUInt32LE(rate, 24);
    return buf;
  };

  it.each([1, 999, 768_001, 4_000_000_000])('refuses a WAV sample rate of %i Hz with the supported range', async (rate) => {
    const file = join(dir, `rate-${rate}.wav`);
    await writeFile(file, wavWithRate(rate));
    await expect(probeAudioFile(file)).rejects.toThrow(`sample rate ${rate} Hz is outside the supported range 1000-768000 Hz`);
  });

  it('accepts the edges of the range', async () => {
    for (const rate of [1000, 768_000]) {
      const file = join(dir, `edge-${rate}.wav`);
      await writeFile(file, wavWithRate(rate));
      expect((await probeAudioFile(file)).sampleRate).toBe(rate);
    }
  });

  it('refuses a FLAC header that claims more samples than the file could hold', async () => {
    // fLaC, last-block STREAMINFO of 34 bytes: 4096-sample blocks, 44.1 kHz, mono, 16 bit, 2^36 - 1 samples.
    const head = Buffer.alloc(42 + 64);
    head.write('fLaC', 0, 'ascii');
    head.set([0x80, 0, 0, 34, 0x10, 0, 0x10, 0], 4);
    head.writeBigUInt64BE((44100n << 44n) | (15n << 36n) | ((1n << 36n) - 1n), 18); // rate:20, channels-1:3, bits-1:5, total:36
    const file = join(dir, 'endless.flac');
    await writeFile(file, head);
    await expect(probeAudioFile(file)).rejects.toThrow(/header claims \d+(\.\d+)? s of audio, more than a 106-byte file can hold/);
  });

  it('reads a WAV whose header claims a huge frame in pieces bounded by the file', async () => {
    // 16383 channels of 32-bit PCM: a 64 KiB frame; the data chunk size is left open (0xFFFFFFFF).
    const channels = 16383;
    const frames = 3;
    const buf = Buffer.alloc(44 + channels * 4 * frames);
    buf.write('RIFFxxxxWAVEfmt ', 0, 'ascii');
    buf.writeUInt32LE(16, 16);
    buf.writeUInt16LE(1, 20);
    buf.writeUInt16LE(channels, 22);
    buf.writeUInt32LE(8000, 24);
    buf.writeUInt32LE(8000 * channels * 4, 28);
    buf.writeUInt16LE(channels * 4, 32);
    buf.writeUInt16LE(32, 34);
    buf.write('data', 36, 'ascii');
    buf.writeUInt32LE(0xffffffff, 40);
    const file = join(dir, 'wide.wav');
    await writeFile(file, buf);
    const decoded = await decodeAudioFile(file);
    expect(decoded.channels).toBe(channels);
    expect(decoded.samples.length).toBe(frames);
  });
});

describe('folder scan', () => {
  it('detects or reports every audio-named entry: links dangling or looping, FIFOs, devices, names not UTF-8', async () => {
    const root = join(dir, 'odd');
    await mkdir(join(root, 'sub'), { recursive: true });
    const wav = encodeWav(new Float32Array(16000), 16000);
    await writeFile(join(root, 'good.wav'), wav);
    await symlink(join(root, 'missing.wav'), join(root, 'dangling.wav'));
    await symlink(join(root, 'loop.wav'), join(root, 'loop.wav'));
    await symlink('/dev/null', join(root, 'device.wav'));
    execFileSync('mkfifo', [join(root, 'fifo.wav')]);
    await symlink('..', join(root, 'sub', 'parent')); // a folder cycle: followed once
    const bytes = (text: string) => Buffer.from(text);
    writeFileSync(Buffer.concat([bytes(`${root}/latin1-`), Buffer.from([0xe9]), bytes('.wav')]), wav);
    mkdirSync(Buffer.concat([bytes(`${root}/dir-`), Buffer.from([0xff])]));
    writeFileSync(Buffer.concat([bytes(`${root}/dir-`), Buffer.from([0xff]), bytes('/inner.wav')]), wav);

    const names = (await collectAudioFiles([root])).map((f) => f.name);
    expect(names).toEqual(['dangling.wav', 'device.wav', 'dir-\uFFFD/inner.wav', 'fifo.wav', 'good.wav', 'latin1-\uFFFD.wav', 'loop.wav']);

    const io = capture();
    expect(await detectCommand.run([root, '--model', modelDir, '--jobs', '1'], io)).toBe(3);
    expect(io.out).toBe('good.wav\n');
    const reasons = Object.fromEntries([...io.err.matchAll(/skipped (\S+): .*?": (.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(reasons).toEqual({
      'dangling.wav': 'dangling symbolic link (its target does not exist)',
      'device.wav': 'not a regular file (a device)',
      'dir-\uFFFD/inner.wav': 'file name is not valid UTF-8 (rename the file to open it)',
      'fifo.wav': 'not a regular file (a FIFO)',
      'latin1-\uFFFD.wav': 'file name is not valid UTF-8 (rename the file to open it)',
      'loop.wav': 'symbolic link loop',
    });
  });
});
