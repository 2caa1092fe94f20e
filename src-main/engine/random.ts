/** Small deterministic PRNG (mulberry32) whose whole state is one integer, so a checkpoint can store it. */
export class SeededRng {
  constructor(public state: number) {
    this.state = state >>> 0;
  }

  /** Uniform in [0, 1). */
  next = (): number => {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform [0, 1) generator: the same seed gives the same numbers on every platform and backend. */
export function createRng(seed: number): () => number {
  return new SeededRng(seed).next;
}
