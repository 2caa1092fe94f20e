import { isFlacFrameHeader } from './flac-frames';

/**
 * Where each FLAC frame starts (byte offset) and which sample it begins with, found by one scan of
 * the file for verified frame headers, so decoding can start at any frame instead of the first.
 * Built once per file and reused (seek tables are optional and often sparse; this always works).
 */
export interface FlacFrameIndex {
  /** `fLaC` + the STREAMINFO block marked last: what a decoder needs before any frame. */
  streamHeader: Uint8Array;
  /** First sample of each frame, ascending. */
  samples: number[];
  /** Byte offset of each frame's header. */
  offsets: number[];
}

export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

const SCAN_BYTES = 1 << 22;
const HEADER_MAX = 16;

export interface StreamInfo {
  minBlockSize: number;
  maxBlockSize: number;
  minFrameSize: number;
  /** 0 when the encoder did not record it. */
  maxFrameSize: number;
  /** Samples per channel; 0 when unknown. */
  totalSamples: number;
}

export function readStreamInfo(info: Uint8Array): StreamInfo {
  return {
    minBlockSize: (info[0] << 8) | info[1],
    maxBlockSize: (info[2] << 8) | info[3],
    minFrameSize: (info[4] << 16) | (info[5] << 8) | info[6],
    maxFrameSize: (info[7] << 16) | (info[8] << 8) | info[9],
    totalSamples: (info[13] & 15) * 2 ** 32 + ((info[14] << 24) >>> 0) + (info[15] << 16) + (info[16] << 8) + info[17],
  };
}

/** `fLaC` + the STREAMINFO block marked last: what a decoder needs before any frame. */
export function flacStreamHeader(streamInfo: Uint8Array): Uint8Array {
  const streamHeader = new Uint8Array(4 + 4 + 34);
  streamHeader.set([0x66, 0x4c, 0x61, 0x43, 0x80, 0, 0, 34]);
  streamHeader.set(streamInfo.subarray(0, 34), 8);
  return streamHeader;
}

/** Samples in the frame whose header starts at p (the header is already verified). */
function blockSizeAt(b: Uint8Array, p: number, codedNumberBytes: number): number {
  const code = b[p + 2] >> 4;
  const after = p + 4 + codedNumberBytes;
  if (code === 1) return 192;
  if (code <= 5) return 576 << (code - 2);
  if (code === 6) return b[after] + 1;
  if (code === 7) return ((b[after] << 8) | b[after + 1]) + 1;
  return 256 << (code - 8);
}

/** The UTF-8-style coded frame or sample number at p + 4, and its length in bytes. */
function codedNumberAt(b: Uint8Array, p: number): { value: number; bytes: number } {
  const first = b[p + 4];
  if (first < 0x80) return { value: first, bytes: 1 };
  let extra = first >= 0xfe ? 6 : first >= 0xfc ? 5 : first >= 0xf8 ? 4 : first >= 0xf0 ? 3 : first >= 0xe0 ? 2 : 1;
  let value = first & (0x3f >> extra);
  const bytes = extra + 1;
  for (let i = 1; extra > 0; i++, extra--) value = value * 64 + (b[p + 4 + i] & 0x3f);
  return { value, bytes };
}

/** First sample and block size of the frame whose verified header starts at p. */
export function flacFrameHeaderPosition(b: Uint8Array, p: number, fixedBlockSize: number): { sample: number; blockSize: number } {
  const coded = codedNumberAt(b, p);
  const variable = (b[p + 1] & 1) === 1;
  return { sample: variable ? coded.value : coded.value * fixedBlockSize, blockSize: blockSizeAt(b, p, coded.bytes) };
}

/** Walks the metadata blocks after `fLaC` at `magicOffset`; returns STREAMINFO and where frames begin. */
export async function readMetadata(read: ReadAt, magicOffset: number): Promise<{ streamInfo: Uint8Array; firstFrame: number }> {
  let p = magicOffset + 4;
  let streamInfo: Uint8Array | null = null;
  for (;;) {
    const head = await read(p, 4);
    if (head.length < 4) throw new Error('truncated FLAC metadata');
    const length = (head[1] << 16) | (head[2] << 8) | head[3];
    if ((head[0] & 0x7f) === 0) streamInfo = await read(p + 4, 34);
    p += 4 + length;
    if (head[0] & 0x80) break;
  }
  if (!streamInfo || streamInfo.length < 34) throw new Error('FLAC stream without STREAMINFO');
  return { streamInfo, firstFrame: p };
}

/**
 * Scans the file once. A candidate header is accepted only when its CRC-8 holds and its first
 * sample continues the previous frame, so header-like bytes inside audio data are skipped.
 */
export async function buildFlacFrameIndex(read: ReadAt, size: number, magicOffset: number): Promise<FlacFrameIndex> {
  const { streamInfo, firstFrame } = await readMetadata(read, magicOffset);
  const info = readStreamInfo(streamInfo);
  const fixedBlockSize = info.minBlockSize === info.maxBlockSize ? info.maxBlockSize : 0;
  const streamHeader = flacStreamHeader(streamInfo);

  const samples: number[] = [];
  const offsets: number[] = [];
  let expected = 0;
  // After an accepted frame, the next header cannot start before the smallest frame ends.
  const skip = Math.max(1, info.minFrameSize);
  let next = firstFrame;
  for (let base = firstFrame; base < size; base += SCAN_BYTES) {
    const bytes = await read(base, Math.min(SCAN_BYTES + HEADER_MAX, size - base));
    const limit = Math.min(bytes.length, SCAN_BYTES);
    let p = Math.max(0, next - base);
    while (p < limit) {
      p = bytes.indexOf(0xff, p);
      if (p < 0 || p >= limit) break;
      if (isFlacFrameHeader(bytes, p)) {
        const frame = flacFrameHeaderPosition(bytes, p, fixedBlockSize);
        if (frame.sample === expected) {
          samples.push(frame.sample);
          offsets.push(base + p);
          expected = frame.sample + frame.blockSize;
          p += skip;
          next = base + p;
          continue;
        }
      }
      p++;
    }
    next = Math.max(next, base + limit);
  }
  return { streamHeader, samples, offsets };
}

/** Index of the last frame starting at or before `sample` (0 when none does). */
export function frameAtOrBefore(index: FlacFrameIndex, sample: number): number {
  let lo = 0;
  let hi = index.samples.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (index.samples[mid] <= sample) lo = mid;
    else hi = mid - 1;
  }
  return Math.max(0, lo);
}
