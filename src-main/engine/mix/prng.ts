import { createHash } from 'node:crypto';
import { createRng as createUniform } from '../random';

/** A seeded uniform generator; never Math.random, so a mix is reproducible from its seed. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

/** 32-bit unsigned hash of a string (first 4 bytes of its SHA-256): stable across platforms and versions. */
export function hash32(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

/** mulberry32 (../random): small, fast, and good enough for drawing mixture parameters. */
export function createRng(seed: number): Rng {
  const next = createUniform(seed);
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => {
      if (items.length === 0) throw new Error('cannot pick from an empty list');
      return items[Math.floor(next() * items.length)];
    },
  };
}

/** A generator for one named stream under a seed: each mixture draws from its own, so adding mixtures never changes others. */
export function rngFor(seed: number, ...path: (string | number)[]): Rng {
  return createRng(hash32(`${seed}|${path.join('|')}`));
}
