import { openPeakSpan, zeroEmptyBins, type PeakArrays } from '../engine/audio/peaks';

export { computePeaks, type PeakArrays } from '../engine/audio/peaks';

/** A long span's first look, before its base peaks exist: this many probes of this many seconds. */
export const FIRST_LOOK_PROBES = { count: 120, seconds: 0.05 } as const;

/**
 * A quick look at a long span: min/max of `probeSeconds` read at each of at most `maxProbes` evenly
 * spread points (a seek each), each standing for the bins around it. Events between probes can be
 * missed, so callers mark the result approximate.
 */
export async function sampledPeaks(file: string, peaksPerSecond: number, start: number, end: number, probeSeconds: number, maxProbes: number, signal?: AbortSignal): Promise<PeakArrays> {
  const { source, rate, count, min, max } = await openPeakSpan(file, peaksPerSecond, start, end);
  const probe = Math.max(1, Math.round(probeSeconds * rate));
  const probes = Math.min(count, maxProbes);
  const binsPerProbe = count / Math.max(1, probes);
  const starts = Array.from({ length: probes }, (_, k) => Math.floor((start + (k * binsPerProbe) / peaksPerSecond) * rate));
  let k = 0;
  for await (const excerpt of source.excerpts(starts, probe)) {
    signal?.throwIfAborted();
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < excerpt.length; i++) {
      const x = excerpt[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    for (let bin = Math.floor(k * binsPerProbe); bin < Math.min(count, Math.floor((k + 1) * binsPerProbe)); bin++) {
      min[bin] = lo;
      max[bin] = hi;
    }
    k++;
  }
  zeroEmptyBins(min, max);
  return { peaksPerSecond, start, min, max };
}

/** Re-bins fine peaks (from `base`, starting at 0 s) to a coarser `peaksPerSecond` over [start, end). */
export function downsamplePeaks(base: PeakArrays, peaksPerSecond: number, start: number, end: number): PeakArrays {
  const count = Math.max(0, Math.ceil((end - start) * peaksPerSecond - 1e-9));
  const min = new Float32Array(count);
  const max = new Float32Array(count);
  const ratio = base.peaksPerSecond / peaksPerSecond;
  const offset = (start - base.start) * base.peaksPerSecond;
  for (let j = 0; j < count; j++) {
    const from = Math.max(0, Math.floor(offset + j * ratio));
    const to = Math.min(base.min.length, Math.max(from + 1, Math.ceil(offset + (j + 1) * ratio)));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i < to; i++) {
      if (base.min[i] < lo) lo = base.min[i];
      if (base.max[i] > hi) hi = base.max[i];
    }
    min[j] = lo === Infinity ? 0 : lo;
    max[j] = hi === -Infinity ? 0 : hi;
  }
  return { peaksPerSecond, start, min, max };
}

/** Rounds to 4 decimals for a compact JSON array. */
export function roundedArray(values: Float32Array): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(values[i] * 1e4) / 1e4;
  return out;
}
