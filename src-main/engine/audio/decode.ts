import { openAudioSource } from './source';
import type { AudioHeader } from './source';
import { resample } from './resample';
import type { AudioFormat } from './sniff';

export type { AudioFormat } from './sniff';
export type { AudioHeader } from './source';

export interface DecodedAudio {
  /** Mono: the mean of the source channels, at `sampleRate`. */
  samples: Float32Array;
  sampleRate: number;
  sourceSampleRate: number;
  channels: number;
  /** Seconds of the source (source frames / source rate). */
  duration: number;
  format: AudioFormat;
  /** NaN and infinite source samples, read as 0. */
  nonFiniteSamples: number;
}

/**
 * Decode a whole file to mono, resampled to `targetRate` when given. The format is sniffed
 * from the bytes, not the extension. Throws AudioDecodeError naming the file and reason.
 */
export async function decodeAudioFile(path: string, options: { targetRate?: number } = {}): Promise<DecodedAudio> {
  const source = await openAudioSource(path);
  const parts: Float32Array[] = [];
  let length = 0;
  for await (const chunk of source.chunks()) {
    parts.push(chunk);
    length += chunk.length;
  }
  let mono: Float32Array;
  if (parts.length === 1) mono = parts[0];
  else {
    mono = new Float32Array(length);
    let offset = 0;
    for (const p of parts) {
      mono.set(p, offset);
      offset += p.length;
    }
  }
  const targetRate = options.targetRate ?? source.sampleRate;
  return {
    samples: targetRate === source.sampleRate ? mono : resample(mono, source.sampleRate, targetRate),
    sampleRate: targetRate,
    sourceSampleRate: source.sampleRate,
    channels: source.channels,
    duration: length / source.sampleRate,
    format: source.format,
    nonFiniteSamples: source.nonFiniteSamples(),
  };
}

/** Format, rate, channels and duration from the headers only (MP3 duration is an estimate). */
export async function probeAudioFile(path: string): Promise<AudioHeader> {
  const { format, sampleRate, channels, duration } = await openAudioSource(path);
  return { format, sampleRate, channels, duration };
}
