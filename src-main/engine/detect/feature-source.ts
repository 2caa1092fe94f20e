import { AudioDecodeError } from '../audio/errors';
import type { FeatureConfig } from '../features/config';
import type { FeatureMatrix } from '../inference/types';
import { emptyFeatureStats, fileFeatureChunks, type FileFeatureStats } from './file-features';
import type { InputFile } from './files';

/** Features of one file, arriving in chunks; the duration is known once the chunks are exhausted. */
export interface FileFeatures {
  chunks: AsyncIterable<FeatureMatrix>;
  /** Duration and stage timings, valid after `chunks` completed. */
  stats(): FileFeatureStats;
}

/** Where features come from: computed in this thread, or in a pool of worker threads. */
export interface FeatureProvider {
  readonly description: string;
  /** Starts (or queues) a file; may be called ahead of consumption so decoding overlaps inference. */
  start(file: InputFile): FileFeatures;
  close(): Promise<void>;
}

/** A decode or feature failure of one file, carrying AudioDecodeError's reason when there is one. */
export class FileFailure extends Error {
  override name = 'FileFailure';
  constructor(
    readonly file: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }

  static from(file: string, error: unknown): FileFailure {
    if (error instanceof FileFailure) return error;
    if (error instanceof AudioDecodeError) return new FileFailure(file, error.reason, error.message);
    return new FileFailure(file, 'error', `"${file}": ${(error as Error)?.message ?? String(error)}`);
  }
}

/** Computes features lazily in the calling thread (no parallelism; for --jobs 0 and small runs). */
export class InlineFeatureProvider implements FeatureProvider {
  readonly description = 'decoding in the main thread';
  constructor(private readonly config: FeatureConfig, private readonly blockSeconds = 10) {}

  start(file: InputFile): FileFeatures {
    let stats = emptyFeatureStats();
    const { config, blockSeconds } = this;
    return {
      chunks: (async function* () {
        try {
          const gen = fileFeatureChunks(file.path, config, blockSeconds);
          for (;;) {
            const next = await gen.next();
            if (next.done) {
              stats = next.value;
              return;
            }
            yield next.value;
          }
        } catch (error) {
          throw FileFailure.from(file.path, error);
        }
      })(),
      stats: () => stats,
    };
  }

  async close(): Promise<void> {}
}
