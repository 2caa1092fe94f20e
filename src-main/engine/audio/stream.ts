import { openAudioSource } from './source';
import { StreamingResampler } from './resample';

/**
 * Decode a file piece by piece as mono blocks of `blockSeconds` (default 10 s; the last
 * block may be shorter) at `targetRate`. Never holds the whole file; the concatenated
 * blocks equal decodeAudioFile(path, { targetRate }).samples. Returns the count of non-finite samples replaced by 0.
 */
export async function* streamAudioFile(
  path: string,
  options: { targetRate: number; blockSeconds?: number },
): AsyncGenerator<Float32Array, { nonFiniteSamples: number }> {
  const source = await openAudioSource(path);
  const blockSize = Math.max(1, Math.round((options.blockSeconds ?? 10) * options.targetRate));
  const resampler = new StreamingResampler(source.sampleRate, options.targetRate);
  let block = new Float32Array(blockSize);
  let filled = 0;

  function* emit(samples: Float32Array): Generator<Float32Array> {
    let offset = 0;
    while (offset < samples.length) {
      const n = Math.min(blockSize - filled, samples.length - offset);
      block.set(samples.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === blockSize) {
        yield block;
        block = new Float32Array(blockSize);
        filled = 0;
      }
    }
  }

  for await (const chunk of source.chunks()) yield* emit(resampler.push(chunk));
  yield* emit(resampler.flush());
  if (filled > 0) yield block.subarray(0, filled);
  return { nonFiniteSamples: source.nonFiniteSamples() };
}
