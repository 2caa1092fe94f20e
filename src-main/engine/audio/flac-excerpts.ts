import type { FLACDecodedAudio } from '@wasm-audio-decoders/flac';
import { flacCrc16, flacCrc8 } from './flac-frames';
import { flacFrameHeaderPosition, frameAtOrBefore, type FlacFrameIndex, type ReadAt } from './flac-index';
import type { FlacFrameRun } from './flac-seek';

/**
 * Short excerpts spread over a FLAC file through one decoder. Creating a decoder costs about as much
 * as decoding a few frames, so a view that needs hundreds of excerpts (one per spectrogram column)
 * must not create one each. The decoder checks that frames follow each other (a jump is reported as
 * a missing frame), so each frame fed is renumbered to continue the previous one, with its CRCs redone.
 */

/**
 * A decoder fed whole frames, found and cut by the caller (@wasm-audio-decoders/flac's FLACDecoder):
 * a stream decoder would scan every byte again for frame boundaries, and hold each frame back until
 * the next one's header arrives.
 */
export interface FlacFrameDecoder {
  decodeFrames(frames: Uint8Array[]): Promise<FLACDecodedAudio>;
  free(): void;
}

export interface FlacExcerptOptions {
  /** `fLaC` + STREAMINFO, fed to each new decoder. */
  streamHeader: Uint8Array;
  /** The consecutive frames holding samples `first` through `last`. */
  frames: (first: number, last: number) => Promise<FlacFrameRun>;
  read: ReadAt;
  /** Total samples per channel (STREAMINFO); 0 when unknown. */
  totalSamples: number;
  createDecoder: () => Promise<FlacFrameDecoder>;
  /** Decoder output to mono samples at the source scale (null when the output holds none). */
  toMono: (decoded: FLACDecodedAudio) => Float32Array | null;
  /** Thrown when the decoder's output does not line up with the frames fed. */
  corrupt: (why: string) => Error;
}

/** Bytes of the UTF-8-like coding FLAC uses for frame and sample numbers (up to 36 bits). */
export function encodeFlacNumber(value: number): Uint8Array {
  if (value < 0x80) return Uint8Array.of(value);
  const extra = value < 0x800 ? 1 : value < 0x10000 ? 2 : value < 0x200000 ? 3 : value < 0x4000000 ? 4 : value < 0x80000000 ? 5 : 6;
  const out = new Uint8Array(extra + 1);
  let rest = value;
  for (let i = extra; i >= 1; i--) {
    out[i] = 0x80 | rest % 64;
    rest = Math.floor(rest / 64);
  }
  // Lead byte: `extra + 1` ones, a zero, then the top bits.
  out[0] = ((0xff00 >> (extra + 1)) & 0xff) | rest;
  return out;
}

/** Length of the coded number at b[4] of a frame header. */
function codedNumberBytes(first: number): number {
  return first < 0x80 ? 1 : first < 0xe0 ? 2 : first < 0xf0 ? 3 : first < 0xf8 ? 4 : first < 0xfc ? 5 : first < 0xfe ? 6 : 7;
}

/**
 * The frame (header .. CRC-16) with its frame or sample number replaced by `number`, and both CRCs
 * recomputed. The number's coded length may change, so the result is a new array.
 */
export function renumberFlacFrame(frame: Uint8Array, number: number): Uint8Array {
  const oldBytes = codedNumberBytes(frame[4]);
  const blockCode = frame[2] >> 4;
  const rateCode = frame[2] & 15;
  const tail = (blockCode === 6 ? 1 : blockCode === 7 ? 2 : 0) + (rateCode === 12 ? 1 : rateCode === 13 || rateCode === 14 ? 2 : 0);
  const coded = encodeFlacNumber(number);
  const bodyFrom = 4 + oldBytes + tail + 1;
  const headerEnd = 4 + coded.length + tail;
  const out = new Uint8Array(headerEnd + 1 + (frame.length - bodyFrom));
  out.set(frame.subarray(0, 4));
  out.set(coded, 4);
  out.set(frame.subarray(4 + oldBytes, 4 + oldBytes + tail), 4 + coded.length);
  out[headerEnd] = flacCrc8(out, 0, headerEnd);
  out.set(frame.subarray(bodyFrom, frame.length - 2), headerEnd + 1);
  const crc = flacCrc16(out, 0, out.length - 2);
  out[out.length - 2] = crc >> 8;
  out[out.length - 1] = crc & 0xff;
  return out;
}

/** Excerpts whose frames are being found and read while an earlier one decodes. */
const FETCH_AHEAD = 4;

/** `length` samples from each of `starts` (shorter past the end), in order, one decoder for all. */
export async function* flacExcerpts(options: FlacExcerptOptions, starts: readonly number[], length: number): AsyncGenerator<Float32Array> {
  const { read, totalSamples } = options;
  const endSample = totalSamples > 0 ? totalSamples : Infinity;
  const excerpts = starts.map((s) => {
    const start = Math.max(0, Math.floor(s));
    return { start, out: new Float32Array(Math.max(0, Math.min(length, endSample - start))) };
  });
  let dec: FlacFrameDecoder | null = null;
  let framesFed = 0;
  let samplesFed = 0;
  const openDecoder = async (): Promise<FlacFrameDecoder> => {
    const opened = await options.createDecoder();
    dec = opened;
    framesFed = 0;
    samplesFed = 0;
    await opened.decodeFrames([options.streamHeader]);
    return opened;
  };
  /** Excerpt k's frames and their bytes (null when it has none). */
  const fetchFrames = async (k: number): Promise<{ run: FlacFrameRun; bytes: Uint8Array } | null> => {
    const { start, out } = excerpts[k];
    if (out.length === 0) return null;
    const run = await options.frames(start, start + out.length - 1);
    if (run.offsets.length === 0) return null;
    return { run, bytes: await read(run.offsets[0], run.end - run.offsets[0]) };
  };
  // Finding and reading an excerpt's frames is mostly waiting on small reads: the next few are
  // fetched while this one decodes, so those waits overlap instead of adding up.
  const ahead: Promise<{ run: FlacFrameRun; bytes: Uint8Array } | null>[] = [];
  let nextFetch = 0;
  try {
    for (let k = 0; k < excerpts.length; k++) {
      while (nextFetch < excerpts.length && ahead.length < FETCH_AHEAD) {
        const fetched = fetchFrames(nextFetch++);
        // Awaited in turn below; a failure of one still ahead must not go unhandled meanwhile.
        fetched.catch(() => undefined);
        ahead.push(fetched);
      }
      const fetched = await ahead.shift()!;
      if (fetched) {
        const { run, bytes } = fetched;
        const { offsets, samples } = run;
        const frameEnd = (f: number): number => (f + 1 < offsets.length ? offsets[f + 1] : run.end);
        const decoder = dec ?? (await openDecoder());
        const frames: Uint8Array[] = [];
        let blockSamples = 0;
        for (let f = 0; f < offsets.length; f++) {
          const frame = bytes.subarray(offsets[f] - offsets[0], frameEnd(f) - offsets[0]);
          if (frame.length < 6) throw options.corrupt('truncated frame');
          const variable = (frame[1] & 1) === 1;
          const { blockSize } = flacFrameHeaderPosition(frame, 0, 0);
          frames.push(renumberFlacFrame(frame, variable ? samplesFed : framesFed));
          framesFed++;
          samplesFed += blockSize;
          blockSamples += blockSize;
        }
        const decoded = await decoder.decodeFrames(frames);
        if (decoded.errors.length) throw options.corrupt(decoded.errors.map((e) => e.message).join('; '));
        const mono = options.toMono(decoded);
        if ((mono?.length ?? 0) !== blockSamples) throw options.corrupt('decoded samples do not match the frames read');
        const { start, out } = excerpts[k];
        if (mono) out.set(mono.subarray(start - samples[0], start - samples[0] + out.length));
        // The last frame is usually short: a fixed-block-size decoder would take the frame after it
        // for a jump (its first sample is counted in whole blocks), so the next excerpt gets a fresh decoder.
        if (run.atStreamEnd) {
          (dec as FlacFrameDecoder | null)?.free();
          dec = null;
        }
      }
      yield excerpts[k].out;
    }
  } finally {
    (dec as FlacFrameDecoder | null)?.free();
  }
}

/** The frames of a full frame index that hold samples `first` through `last`. */
export function indexFrames(index: FlacFrameIndex, size: number): (first: number, last: number) => Promise<FlacFrameRun> {
  return async (first, last) => {
    const count = index.offsets.length;
    if (count === 0) return { samples: [], offsets: [], end: size, atStreamEnd: true };
    const from = frameAtOrBefore(index, first);
    const to = frameAtOrBefore(index, last);
    return {
      samples: index.samples.slice(from, to + 1),
      offsets: index.offsets.slice(from, to + 1),
      end: to + 1 < count ? index.offsets[to + 1] : size,
      atStreamEnd: to === count - 1,
    };
  };
}
