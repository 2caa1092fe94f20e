import { performance } from 'node:perf_hooks';
import { nonFiniteWarning } from '../audio/non-finite';
import { streamAudioFile } from '../audio/stream';
import type { FeatureConfig } from '../features/config';
import { LogMelExtractor } from '../features/logmel';
import type { FeatureMatrix } from '../inference/types';

/** Where one file's feature time went; returned when its chunks are exhausted. */
export interface FileFeatureStats {
  durationSeconds: number;
  /** Decode + resample. */
  decodeSeconds: number;
  /** Log-mel. */
  featureSeconds: number;
  /** Problems that did not stop detection, one line each (e.g. non-finite samples replaced by silence). */
  warnings: string[];
}

export const emptyFeatureStats = (): FileFeatureStats => ({ durationSeconds: 0, decodeSeconds: 0, featureSeconds: 0, warnings: [] });

/**
 * Streams a file's raw log-mel in chunks (one per decoded block), memory bounded by the block size.
 * Throws AudioDecodeError for unreadable files.
 */
export async function* fileFeatureChunks(path: string, config: FeatureConfig, blockSeconds = 10): AsyncGenerator<FeatureMatrix, FileFeatureStats> {
  const extractor = new LogMelExtractor(config);
  const stats = emptyFeatureStats();
  let samples = 0;
  const blocks = streamAudioFile(path, { targetRate: config.sampleRate, blockSeconds });
  for (;;) {
    let t = performance.now();
    const next = await blocks.next();
    stats.decodeSeconds += (performance.now() - t) / 1000;
    t = performance.now();
    const out = next.done ? extractor.flush() : extractor.push(next.value);
    stats.featureSeconds += (performance.now() - t) / 1000;
    if (out.frames > 0) yield { data: out.data, frames: out.frames, bands: config.melBands };
    if (next.done) {
      const warning = nonFiniteWarning(path, next.value.nonFiniteSamples);
      if (warning) stats.warnings.push(warning);
      break;
    }
    samples += next.value.length;
  }
  stats.durationSeconds = samples / config.sampleRate;
  return stats;
}
