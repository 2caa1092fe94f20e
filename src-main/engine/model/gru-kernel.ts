import * as tf from '@tensorflow/tfjs';

/** What the forward pass keeps for backpropagation through time, all [batch, steps, units] row-major. */
interface GruTrace {
  z: Float64Array;
  r: Float64Array;
  n: Float64Array;
  /** The n-gate slice of h·R + rb, before r scales it. */
  hn: Float64Array;
  h: Float64Array;
}

/**
 * out[i, j] += Σ_k a[i, k] · w[j, k] for `rows` rows of `a` (row stride aStride) against `cols` rows of `w`
 * (contiguous, `depth` long). Blocks of 2 rows x 4 columns keep eight sums in registers, which is most of
 * the speed in plain JavaScript; every sum still runs over k in order, so results are deterministic.
 */
function addMatMulBt(a: Float64Array, aOff: number, aStride: number, rows: number, w: Float64Array, cols: number, depth: number, out: Float64Array, outOff: number, outStride: number): void {
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const a0 = aOff + i * aStride;
    const a1 = a0 + aStride;
    const o0 = outOff + i * outStride;
    const o1 = o0 + outStride;
    let j = 0;
    for (; j + 3 < cols; j += 4) {
      const w0 = j * depth;
      const w1 = w0 + depth;
      const w2 = w1 + depth;
      const w3 = w2 + depth;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < depth; k++) {
        const x0 = a[a0 + k];
        const x1 = a[a1 + k];
        const v0 = w[w0 + k];
        const v1 = w[w1 + k];
        const v2 = w[w2 + k];
        const v3 = w[w3 + k];
        s00 += x0 * v0;
        s01 += x0 * v1;
        s02 += x0 * v2;
        s03 += x0 * v3;
        s10 += x1 * v0;
        s11 += x1 * v1;
        s12 += x1 * v2;
        s13 += x1 * v3;
      }
      out[o0 + j] += s00;
      out[o0 + j + 1] += s01;
      out[o0 + j + 2] += s02;
      out[o0 + j + 3] += s03;
      out[o1 + j] += s10;
      out[o1 + j + 1] += s11;
      out[o1 + j + 2] += s12;
      out[o1 + j + 3] += s13;
    }
    for (; j < cols; j++) {
      const wj = j * depth;
      let s0 = 0, s1 = 0;
      for (let k = 0; k < depth; k++) {
        s0 += a[a0 + k] * w[wj + k];
        s1 += a[a1 + k] * w[wj + k];
      }
      out[o0 + j] += s0;
      out[o1 + j] += s1;
    }
  }
  if (i < rows) {
    const a0 = aOff + i * aStride;
    const o0 = outOff + i * outStride;
    for (let j = 0; j < cols; j++) {
      const wj = j * depth;
      let s = 0;
      for (let k = 0; k < depth; k++) s += a[a0 + k] * w[wj + k];
      out[o0 + j] += s;
    }
  }
}

/** [rows, cols] row-major -> [cols, rows]. */
function transpose(src: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = src[i * cols + j];
  return out;
}

/** h_t for every step, with h_0 = 0: the recurrence of gruDirection in crnn.ts. recurrentT is Rᵀ, [3*units, units]. */
function forward(xw: Float32Array, recurrentT: Float64Array, recurrentBias: Float64Array, batch: number, steps: number, units: number): GruTrace {
  const gates = 3 * units;
  const size = batch * steps * units;
  const trace: GruTrace = { z: new Float64Array(size), r: new Float64Array(size), n: new Float64Array(size), hn: new Float64Array(size), h: new Float64Array(size) };
  const { z, r, n, hn, h } = trace;
  const hr = new Float64Array(batch * gates);
  const hPrev = new Float64Array(batch * units);
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) hr.set(recurrentBias, b * gates);
    addMatMulBt(hPrev, 0, units, batch, recurrentT, gates, units, hr, 0, gates);
    for (let b = 0; b < batch; b++) {
      const xo = (b * steps + t) * gates;
      const o = (b * steps + t) * units;
      const ho = b * gates;
      const po = b * units;
      for (let j = 0; j < units; j++) {
        const zj = 1 / (1 + Math.exp(-(xw[xo + j] + hr[ho + j])));
        const rj = 1 / (1 + Math.exp(-(xw[xo + units + j] + hr[ho + units + j])));
        const hnj = hr[ho + 2 * units + j];
        const nj = Math.tanh(xw[xo + 2 * units + j] + rj * hnj);
        const hj = nj + zj * (hPrev[po + j] - nj);
        z[o + j] = zj;
        r[o + j] = rj;
        n[o + j] = nj;
        hn[o + j] = hnj;
        h[o + j] = hj;
        hPrev[po + j] = hj;
      }
    }
  }
  return trace;
}

interface GruGrads {
  dxw: Float32Array;
  dRecurrent: Float32Array;
  dRecurrentBias: Float32Array;
}

/** Backpropagation through time given dy = dLoss/dh_t for every step. recurrent is R, [units, 3*units]. */
function backward(dy: Float32Array, trace: GruTrace, recurrent: Float64Array, batch: number, steps: number, units: number): GruGrads {
  const gates = 3 * units;
  const { z, r, n, hn, h } = trace;
  // dLoss/d(h·R + rb) per step; d(xw) equals it except in the n gate, where r scales the h·R part.
  const dhr = new Float64Array(batch * steps * gates);
  const dxw = new Float32Array(batch * steps * gates);
  const dh = new Float64Array(batch * units);
  for (let t = steps - 1; t >= 0; t--) {
    for (let b = 0; b < batch; b++) {
      const o = (b * steps + t) * units;
      const g = (b * steps + t) * gates;
      const d0 = b * units;
      for (let j = 0; j < units; j++) {
        const d = dh[d0 + j] + dy[o + j];
        const zj = z[o + j];
        const rj = r[o + j];
        const nj = n[o + j];
        const hPrev = t > 0 ? h[o - units + j] : 0;
        const dn = d * (1 - zj) * (1 - nj * nj);
        const dz = d * (hPrev - nj) * zj * (1 - zj);
        const dr = dn * hn[o + j] * rj * (1 - rj);
        dhr[g + j] = dz;
        dhr[g + units + j] = dr;
        dhr[g + 2 * units + j] = dn * rj;
        dxw[g + j] = dz;
        dxw[g + units + j] = dr;
        dxw[g + 2 * units + j] = dn;
        dh[d0 + j] = d * zj;
      }
    }
    // dh_{t-1} += dhr_t · Rᵀ
    addMatMulBt(dhr, t * gates, steps * gates, batch, recurrent, units, gates, dh, 0, units);
  }
  // dR = Σ over (b, t ≥ 1) of h_{t-1}ᵀ · dhr_t (h_0 = 0 adds nothing); drb = Σ over (b, t) of dhr_t.
  const rowsUsed = batch * Math.max(0, steps - 1);
  const hPrevT = new Float64Array(units * rowsUsed);
  const dhrT = new Float64Array(gates * rowsUsed);
  for (let b = 0; b < batch; b++) {
    for (let t = 1; t < steps; t++) {
      const row = b * (steps - 1) + (t - 1);
      const o = (b * steps + t - 1) * units;
      const g = (b * steps + t) * gates;
      for (let k = 0; k < units; k++) hPrevT[k * rowsUsed + row] = h[o + k];
      for (let j = 0; j < gates; j++) dhrT[j * rowsUsed + row] = dhr[g + j];
    }
  }
  const dR = new Float64Array(units * gates);
  addMatMulBt(hPrevT, 0, rowsUsed, units, dhrT, gates, rowsUsed, dR, 0, gates);
  const dRb = new Float64Array(gates);
  for (let m = 0; m < batch * steps; m++) for (let j = 0; j < gates; j++) dRb[j] += dhr[m * gates + j];
  return { dxw, dRecurrent: new Float32Array(dR), dRecurrentBias: new Float32Array(dRb) };
}

const fused = tf.customGrad((xwIn, recurrentIn, biasIn) => {
  const [batch, steps, gates] = (xwIn as tf.Tensor).shape as [number, number, number];
  const units = gates / 3;
  const recurrent = new Float64Array((recurrentIn as tf.Tensor).dataSync() as Float32Array);
  const bias = new Float64Array((biasIn as tf.Tensor).dataSync() as Float32Array);
  const trace = forward((xwIn as tf.Tensor).dataSync() as Float32Array, transpose(recurrent, units, gates), bias, batch, steps, units);
  return {
    value: tf.tensor3d(new Float32Array(trace.h), [batch, steps, units]),
    gradFunc: (dy) => {
      const grads = backward(dy.dataSync() as Float32Array, trace, recurrent, batch, steps, units);
      return [tf.tensor3d(grads.dxw, [batch, steps, gates]), tf.tensor2d(grads.dRecurrent, [units, gates]), tf.tensor1d(grads.dRecurrentBias)];
    },
  };
});

/**
 * One GRU direction as a single op: the loop of gruDirection (crnn.ts) run in plain JavaScript, with its own
 * backpropagation through time. As tfjs ops the recurrence is a dozen tiny ops per step, so per-op overhead,
 * not arithmetic, dominates it on wasm. `xw` is the input projection x·W + b for every step, gates [z | r | n]
 * along the last axis; returns h_t for every step, h_0 = 0. Internals run in float64.
 */
export function gruRecurrence(xw: tf.Tensor3D, recurrent: tf.Tensor2D, recurrentBias: tf.Tensor1D, units: number): tf.Tensor3D {
  const [, , gates] = xw.shape;
  if (gates !== 3 * units || recurrent.shape[0] !== units || recurrent.shape[1] !== gates || recurrentBias.shape[0] !== gates) {
    throw new Error(`gruRecurrence: shapes xw ${xw.shape}, recurrent ${recurrent.shape}, bias ${recurrentBias.shape} do not fit ${units} units`);
  }
  if (xw.dtype !== 'float32' || recurrent.dtype !== 'float32' || recurrentBias.dtype !== 'float32') throw new Error('gruRecurrence: inputs must be float32');
  return fused(xw, recurrent, recurrentBias) as tf.Tensor3D;
}
