import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeWav } from '../src-main/engine/audio/wav';
import { expect } from 'vitest';
import { ApiError, type ApiMethod, type ApiParams, type ApiResult } from '../src-main/api/contract';
import type { Detector, DetectorFactory } from '../src-main/service/detector';
import type { EarmarkService } from '../src-main/service/types';

/** A temp project folder with generated WAVs: a.wav (2 s), sub/b.wav (3 s), plus a broken c.wav. */
export function makeAudioFolder(): { dir: string; root: string; dbPath: string; modelDir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earmark-svc-'));
  const root = path.join(dir, 'audio');
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  const rate = 8000;
  const tone = (seconds: number, hz: number) => {
    const samples = new Float32Array(seconds * rate);
    for (let i = 0; i < samples.length; i++) samples[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / rate);
    return samples;
  };
  writeFileSync(path.join(root, 'a.wav'), encodeWav(tone(2, 1000), rate));
  writeFileSync(path.join(root, 'sub', 'b.wav'), encodeWav(tone(3, 440), rate));
  writeFileSync(path.join(root, 'c.wav'), Buffer.from('this is not a wav file at all'));
  const modelDir = path.join(dir, 'model');
  mkdirSync(modelDir);
  return { dir, root, dbPath: path.join(dir, 'earmark.db'), modelDir };
}

/** Deterministic fake detector: one babycry event at 0.5–1.25 s (conf 0.9) and one gunshot at 1.5–1.75 s (conf 0.4) per file. */
export const fakeDetectorFactory: DetectorFactory = async () => {
  const detector: Detector = {
    backend: 'fake',
    async detect(file) {
      if (file.endsWith('c.wav')) throw new Error(`cannot decode "${file}": not a RIFF/WAVE file`);
      return [
        { label: 'babycry', onset: 0.5, offset: 1.25, confidence: 0.9 },
        { label: 'gunshot', onset: 1.5, offset: 1.75, confidence: 0.4 },
      ];
    },
    async dispose() {},
  };
  return detector;
};

export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One typed call of the service API. */
export async function callService<M extends ApiMethod>(service: EarmarkService, method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
  return (await service.call(method, params)) as ApiResult<M>;
}

/** The ApiError a call is expected to fail with. */
export async function apiRejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}
