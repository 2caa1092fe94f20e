export type AudioDecodeFailure = 'not-found' | 'empty' | 'truncated' | 'not-audio' | 'unsupported' | 'corrupt';

/** Why a file could not be decoded; `file` and `reason` let a batch report it and move on. */
export class AudioDecodeError extends Error {
  override name = 'AudioDecodeError';
  readonly file: string;
  readonly reason: AudioDecodeFailure;

  /** `detail` is the human part, e.g. `truncated FLAC stream (decoded 1000 of 44100 samples)`. */
  constructor(file: string, reason: AudioDecodeFailure, detail: string, options?: { cause?: unknown }) {
    super(`cannot decode "${file}": ${detail}`, options);
    this.file = file;
    this.reason = reason;
  }
}
