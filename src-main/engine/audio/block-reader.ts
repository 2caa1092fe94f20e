import type { ReadAt } from './flac-index';

/**
 * Reads through `read` at least `blockBytes` at a time, and answers a read that falls within one of
 * the last `keep` blocks from it. A seek and the frames it finds (a probe, then a walk from the frame
 * found, then the frame bytes themselves) are small reads close together: they then cost one read,
 * not three, even while a few seeks run interleaved. The returned bytes are views of a block;
 * callers must not write to them.
 */
export function blockReader(read: ReadAt, blockBytes: number, keep = 8): ReadAt {
  const blocks: { start: number; bytes: Uint8Array }[] = [];
  return async (offset, length) => {
    for (const { start, bytes } of blocks) {
      if (offset >= start && offset + length <= start + bytes.length) return bytes.subarray(offset - start, offset - start + length);
    }
    const bytes = await read(offset, Math.max(length, blockBytes));
    blocks.unshift({ start: offset, bytes });
    if (blocks.length > keep) blocks.pop();
    return bytes.subarray(0, Math.min(length, bytes.length));
  };
}
