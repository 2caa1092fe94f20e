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
    return this.transformAndSplit(out);
  }

  /**
   * powerSpectrum of x[offset + j] * window[j], j < size, without materialising the windowed
   * frame (the products are the same float64 values powerSpectrum would read).
   */
  windowedPowerSpectrum(x: Float32Array, offset: number, window: Float64Array, out: Float64Array): Float64Array {
    const m = this.half;
    const re = this.re;
    const im = this.im;
    const rev = this.bitReverse;
    for (let i = 0; i < m; i++) {
      const j = rev[i];
      re[j] = x[offset + 2 * i] * window[2 * i];
      im[j] = x[offset + 2 * i + 1] * window[2 * i + 1];
    }
    return this.transformAndSplit(out);
  }

  private transformAndSplit(out: Float64Array): Float64Array {
    const m = this.half;
    const re = this.re;
    const im = this.im;
    // Iterative radix-2 decimation in time. Per stage, each twiddle is loaded once and applied to
    // every block (the arithmetic, and so the result, is that of the textbook loop order).
    let len = 2;
    if (m >= 4) {
      // The first two stages together: their twiddles are 1 and -i, so no multiplications.
      for (let a = 0; a < m; a += 4) {
        const r0 = re[a];
        const i0 = im[a];
        const r1 = re[a + 1];
        const i1 = im[a + 1];
        const r2 = re[a + 2];
        const i2 = im[a + 2];
        const r3 = re[a + 3];
        const i3 = im[a + 3];
        // Stage 1 (len 2): x0 +- x1, x2 +- x3.
        const sr01 = r0 + r1;
        const si01 = i0 + i1;
        const dr01 = r0 - r1;
        const di01 = i0 - i1;
        const sr23 = r2 + r3;
        const si23 = i2 + i3;
        const dr23 = r2 - r3;
        const di23 = i2 - i3;
        // Stage 2 (len 4): twiddle 1 for k = 0, (cos, -sin)(pi/2) for k = 1.
        const c = this.cos[m / 4];
        const sn = -this.sin[m / 4];
        const xr = dr23 * c - di23 * sn;
        const xi = dr23 * sn + di23 * c;
        re[a] = sr01 + sr23;
        im[a] = si01 + si23;
        re[a + 2] = sr01 - sr23;
        im[a + 2] = si01 - si23;
        re[a + 1] = dr01 + xr;
        im[a + 1] = di01 + xi;
        re[a + 3] = dr01 - xr;
        im[a + 3] = di01 - xi;
      }
      len = 8;
    }
    // Then stages in pairs (len, 2 len): the four points a, a + h, a + len, a + len + h (h = len / 2)
    // go through both stages in registers, with the same operations as two radix-2 passes.
    for (; 2 * len <= m; len <<= 2) {
      const h = len >> 1;
      const step1 = m / len;
      const step2 = step1 >> 1;
      const len2 = len << 1;
      for (let k = 0; k < h; k++) {
        const w1r = this.cos[k * step1];
        const w1i = -this.sin[k * step1];
        const w2r = this.cos[k * step2];
        const w2i = -this.sin[k * step2];
        const w3r = this.cos[(k + h) * step2];
        const w3i = -this.sin[(k + h) * step2];
        for (let a = k; a < m; a += len2) {
          const b = a + h;
          const c = a + len;
          const d = c + h;
          // Stage len: (a, b) and (c, d) with twiddle w1.
          let xr = re[b] * w1r - im[b] * w1i;
          let xi = re[b] * w1i + im[b] * w1r;
          const ar = re[a] + xr;
          const ai = im[a] + xi;
          const br = re[a] - xr;
          const bi = im[a] - xi;
          xr = re[d] * w1r - im[d] * w1i;
          xi = re[d] * w1i + im[d] * w1r;
          const cr = re[c] + xr;
          const ci = im[c] + xi;
          const dr = re[c] - xr;
          const di = im[c] - xi;
          // Stage 2 len: (a, c) with twiddle w2, (b, d) with w3.
          xr = cr * w2r - ci * w2i;
          xi = cr * w2i + ci * w2r;
          re[a] = ar + xr;
          im[a] = ai + xi;
          re[c] = ar - xr;
          im[c] = ai - xi;
          xr = dr * w3r - di * w3i;
          xi = dr * w3i + di * w3r;
          re[b] = br + xr;
          im[b] = bi + xi;
          re[d] = br - xr;
          im[d] = bi - xi;
        }
      }
    }
    for (; len <= m; len <<= 1) {
      const halfLen = len >> 1;
      const step = m / len;
      for (let k = 0; k < halfLen; k++) {
        const wr = this.cos[k * step];
        const wi = -this.sin[k * step];
        for (let a = k; a < m; a += len) {
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
