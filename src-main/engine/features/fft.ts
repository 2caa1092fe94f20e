/**
 * Power spectrum of a real signal of power-of-two length n: one complex radix-2 FFT of
 * size n/2 on the even/odd-packed samples, then the standard split into n/2 + 1 bins.
 * Twiddles, bit-reversal and work buffers are allocated once per instance.
 */
export class RealFFT {
  readonly size: number;
  private readonly half: number;
  private readonly bitReverse: Uint32Array;
  /** cos/sin of 2*pi*k/half for the complex stages, k < half/2. */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** cos/sin of 2*pi*k/size for the final real split, k <= half. */
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
      throw new RangeError(`FFT size must be a power of two >= 4, got ${size}`);
    }
    this.size = size;
    const m = size / 2;
    this.half = m;
    const bits = Math.log2(m);
    this.bitReverse = new Uint32Array(m);
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
      this.bitReverse[i] = r;
    }
    this.cos = new Float64Array(Math.max(1, m / 2));
    this.sin = new Float64Array(Math.max(1, m / 2));
    for (let k = 0; k < m / 2; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / m);
      this.sin[k] = Math.sin((2 * Math.PI * k) / m);
    }
    this.splitCos = new Float64Array(m + 1);
    this.splitSin = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.splitSin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(m);
    this.im = new Float64Array(m);
  }

  /** |X[k]|^2 for k = 0 .. size/2 into `out` (length >= size/2 + 1). Unnormalised. */
  powerSpectrum(input: ArrayLike<number>, out: Float64Array): Float64Array {
    const m = this.half;
    const re = this.re;
    const im = this.im;
    const rev = this.bitReverse;
    for (let i = 0; i < m; i++) {
      const j = rev[i];
      re[j] = input[2 * i];
      im[j] = input[2 * i + 1];
    }
    // Iterative radix-2 decimation in time.
    for (let len = 2; len <= m; len <<= 1) {
      const halfLen = len >> 1;
      const step = m / len;
      for (let start = 0; start < m; start += len) {
        for (let k = 0, t = 0; k < halfLen; k++, t += step) {
          const wr = this.cos[t];
          const wi = -this.sin[t];
          const a = start + k;
          const b = a + halfLen;
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
    // Split Z (FFT of packed even/odd samples) into the spectrum of the real input.
    for (let k = 0; k <= m; k++) {
      const zk = k === m ? 0 : k;
      const zc = k === 0 ? 0 : m - k;
      const zr = re[zk];
      const zi = im[zk];
      const cr = re[zc];
      const ci = -im[zc];
      const er = 0.5 * (zr + cr);
      const ei = 0.5 * (zi + ci);
      const or = 0.5 * (zi - ci);
      const oi = -0.5 * (zr - cr);
      const wr = this.splitCos[k];
      const wi = -this.splitSin[k];
      const xr = er + wr * or - wi * oi;
      const xi = ei + wr * oi + wi * or;
      out[k] = xr * xr + xi * xi;
    }
    return out;
  }
}
