import { isFlacFrameHeader } from './flac-frames';
import { flacFrameHeaderPosition, flacStreamHeader, readMetadata, readStreamInfo, type ReadAt } from './flac-index';

/**
 * Finding the frames that hold a sample without scanning the whole file first: guess the byte
 * offset from the sample's place in the stream, resynchronise on the next frame header there (one
 * whose CRC-8 holds and whose successor starts where its block ends), and narrow the guess between
 * frames already found (interpolation, then halving) until the frame holding the sample is near.
 * A seek costs a few small reads instead of one pass over the file.
 */

/** Consecutive frames of a stream: first samples and header offsets, and where the last one ends. */
export interface FlacFrameRun {
  samples: number[];
  offsets: number[];
  /** Byte offset just after the last frame (the next frame's header, or the end of the file). */
  end: number;
  /** True when the last frame is the stream's last. */
  atStreamEnd: boolean;
}

export interface FlacLocator {
  streamHeader: Uint8Array;
  /** The frames from the one holding sample `first` through the one holding `last` (both clamped to the stream). */
  framesCovering(first: number, last: number): Promise<FlacFrameRun>;
}

interface Frame {
  sample: number;
  blockSize: number;
  offset: number;
}

const HEADER_MAX = 16;
/** A guess this many frames or fewer before the target is walked forward instead of narrowed further. */
const WALK_FRAMES = 24;
const MAX_PROBES = 40;

/**
 * A locator for the FLAC stream whose `fLaC` is at `magicOffset`, or null when STREAMINFO gives no
 * total sample count (then nothing places a sample in the file but a scan).
 */
export async function createFlacLocator(read: ReadAt, size: number, magicOffset: number): Promise<FlacLocator | null> {
  const { streamInfo, firstFrame } = await readMetadata(read, magicOffset);
  const info = readStreamInfo(streamInfo);
  const total = info.totalSamples;
  if (!(total > 0)) return null;
  const fixedBlockSize = info.minBlockSize === info.maxBlockSize ? info.maxBlockSize : 0;
  const minFrame = Math.max(1, info.minFrameSize);
  // Unrecorded: assume the worst case of an uncompressed 16-bit stereo block.
  const maxFrame = info.maxFrameSize > 0 ? info.maxFrameSize : Math.max(info.maxBlockSize, 4096) * 4 + 64;
  const window = Math.max(1 << 13, 2 * maxFrame);

  /** Frame header at p of `bytes` (read from `base`), if it is one. */
  const headerAt = (bytes: Uint8Array, p: number, base: number): Frame | null => {
    if (!isFlacFrameHeader(bytes, p)) return null;
    const { sample, blockSize } = flacFrameHeaderPosition(bytes, p, fixedBlockSize);
    return { sample, blockSize, offset: base + p };
  };

  /**
   * Frames in order from the first confirmed header at or after `from`, until one holds `untilSample`
   * and the one after it (or the end of the file) bounds it. A header counts once the frame after it
   * continues it, or when its block ends the stream.
   */
  async function walk(from: number, untilSample: number): Promise<{ frames: Frame[]; end: number }> {
    let frames: Frame[] = [];
    let base = from;
    let p = 0;
    while (base < size) {
      const bytes = await read(base, Math.min(window + HEADER_MAX, size - base));
      const limit = Math.min(bytes.length, window);
      let restartAt = -1;
      while (p < limit) {
        p = bytes.indexOf(0xff, p);
        if (p < 0 || p >= limit) break;
        const frame = headerAt(bytes, p, base);
        const last = frames[frames.length - 1];
        if (frame && (!last || frame.sample === last.sample + last.blockSize)) {
          if (last && last.sample + last.blockSize > untilSample) return { frames, end: frame.offset };
          frames.push(frame);
          p += minFrame;
          continue;
        }
        // A lone header whose successor is not where its block ends was audio data: search again after it.
        if (frames.length === 1 && base + p - frames[0].offset > maxFrame) {
          restartAt = frames[0].offset + 1;
          frames = [];
          break;
        }
        p++;
      }
      if (restartAt >= 0) {
        base = restartAt;
        p = 0;
        continue;
      }
      if (base + limit >= size) break;
      p = Math.max(0, p - limit);
      base += limit;
    }
    // The file ends: a lone header counts only when its block ends the stream.
    const last = frames[frames.length - 1];
    if (frames.length === 1 && last.sample + last.blockSize < total) frames = [];
    return { frames, end: size };
  }

  /** The first confirmed frame at or after byte `from` (null past the last one). */
  async function frameAfter(from: number): Promise<Frame | null> {
    const { frames } = await walk(from, -1);
    return frames[0] ?? null;
  }

  async function framesCovering(firstSample: number, lastSample: number): Promise<FlacFrameRun> {
    const first = Math.max(0, Math.min(total - 1, Math.floor(firstSample)));
    const last = Math.max(first, Math.min(total - 1, Math.floor(lastSample)));
    // Known bounds: a frame at or before the target (lo) and a byte offset past its frame (hi).
    let lo: Frame = { sample: 0, blockSize: 0, offset: firstFrame };
    let hi = { sample: total, offset: size };
    for (let probe = 0; probe < MAX_PROBES; probe++) {
      const bytesPerSample = (hi.offset - lo.offset) / Math.max(1, hi.sample - lo.sample);
      if (first - lo.sample <= WALK_FRAMES * Math.max(1, info.maxBlockSize) || hi.offset - lo.offset <= 2 * window) break;
      // Interpolate, a little early so the frame holding the target is after the guess; halve when it does not converge.
      const interpolated = lo.offset + (first - lo.sample) * bytesPerSample - 2 * maxFrame;
      const guess = Math.floor(probe < 6 ? interpolated : (lo.offset + hi.offset) / 2);
      const at = Math.max(lo.offset + 1, Math.min(hi.offset - 1, guess));
      const found = await frameAfter(at);
      if (!found || found.sample > first) hi = { sample: found?.sample ?? total, offset: at };
      else lo = found;
    }
    const { frames, end } = await walk(lo.offset, last);
    const from = frames.findIndex((f, i) => i + 1 === frames.length || frames[i + 1].sample > first);
    if (from < 0) throw new Error(`no FLAC frame holds sample ${first}`);
    const run = frames.slice(from);
    const tail = run[run.length - 1];
    return {
      samples: run.map((f) => f.sample),
      offsets: run.map((f) => f.offset),
      end,
      atStreamEnd: tail.sample + tail.blockSize >= total,
    };
  }

  return { streamHeader: flacStreamHeader(streamInfo), framesCovering };
}
