import { describe, expect, it } from 'vitest';
import { blockReader } from '../../src-main/engine/audio/block-reader';

const FILE = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7 + 3) & 0xff);

/** A ReadAt over FILE that records each read it serves. */
function countingRead() {
  const reads: [number, number][] = [];
  const read = async (offset: number, length: number) => {
    reads.push([offset, length]);
    return FILE.slice(offset, Math.min(FILE.length, offset + length));
  };
  return { read, reads };
}

describe('blockReader', () => {
  it('answers reads inside a recent block from it, with the same bytes as a direct read', async () => {
    const { read, reads } = countingRead();
    const blocks = blockReader(read, 1000, 2);
    expect(Array.from(await blocks(100, 50))).toEqual(Array.from(FILE.subarray(100, 150)));
    expect(Array.from(await blocks(400, 600))).toEqual(Array.from(FILE.subarray(400, 1000)));
    expect(Array.from(await blocks(5000, 10))).toEqual(Array.from(FILE.subarray(5000, 5010)));
    // Back inside the first block: still held (two are kept).
    expect(Array.from(await blocks(1050, 40))).toEqual(Array.from(FILE.subarray(1050, 1090)));
    expect(reads).toEqual([
      [100, 1000],
      [5000, 1000],
    ]);
  });

  it('reads again once a block is evicted, past a block end, and for reads longer than a block', async () => {
    const { read, reads } = countingRead();
    const blocks = blockReader(read, 1000, 1);
    await blocks(0, 10);
    await blocks(3000, 10);
    expect(Array.from(await blocks(5, 10))).toEqual(Array.from(FILE.subarray(5, 15)));
    expect(Array.from(await blocks(3990, 20))).toEqual(Array.from(FILE.subarray(3990, 4010)));
    expect((await blocks(6000, 2500)).length).toBe(2500);
    expect(reads.map(([offset]) => offset)).toEqual([0, 3000, 5, 3990, 6000]);
    expect(reads[4][1]).toBe(2500);
  });

  it('returns what there is at the end of the file, and reads it again rather than answer a longer read short', async () => {
    const { read, reads } = countingRead();
    const blocks = blockReader(read, 1000);
    expect((await blocks(9_900, 50)).length).toBe(50);
    expect((await blocks(9_950, 50)).length).toBe(50);
    expect((await blocks(9_950, 80)).length).toBe(50);
    expect(reads).toEqual([
      [9_900, 1000],
      [9_950, 1000],
    ]);
  });
});
