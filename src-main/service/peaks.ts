import { openAudioSource } from '../engine/audio/source';

/** Min/max of the mono signal per bin of 1/peaksPerSecond seconds, starting at `start`. */
export interface PeakArrays {
  peaksPerSecond: number;
  start: number;
  min: Float32Array;
  max: Float32Array;
}

/**
 * Min/max per bin over [start, end) seconds, decoding only that span (WAV and FLAC seek to `start`,
 * never holding the file whole). Bins past the decoded audio stay 0.
 */
export async function computePeaks(file: string, peaksPerSecond: number, start = 0, end = Infinity): Promise<PeakArrays & { duration: number }> {
  const source = await openAudioSource(file);
  const rate = source.sampleRate;
  const stop = Math.min(end, source.duration);
  const count = Math.max(0, Math.ceil((stop - start) * peaksPerSecond - 1e-9));
  const min = new Float32Array(count).fill(Infinity);
  const max = new Float32Array(count).fill(-Infinity);
  const binsPerSample = peaksPerSecond / rate;
  const firstSample = Math.floor(start * rate);
  const lastSample = Math.ceil(stop * rate);
  let index = firstSample;
  for await (const chunk of source.chunks(firstSample)) {
    const to = Math.min(chunk.length, lastSample - index);
    for (let i = 0; i < to; i++) {
      const bin = Math.floor((index + i - firstSample) * binsPerSample);
      if (bin >= count) break;
      const x = chunk[i];
      if (x < min[bin]) min[bin] = x;
      if (x > max[bin]) max[bin] = x;
    }
    index += chunk.length;
    if (index >= lastSample) break;
  }
  zeroEmptyBins(min, max);
  return { peaksPerSecond, start, min, max, duration: index >= lastSample ? source.duration : index / rate };
}

/**
 * A quick look at a long span: min/max of `probeSeconds` read at each of at most `maxProbes` evenly
 * spread points (a seek each), each standing for the bins around it. Events between probes can be
 * missed, so callers mark the result approximate.
 */
export async function sampledPeaks(file: string, peaksPerSecond: number, start: number, end: number, probeSeconds: number, maxProbes: number): Promise<PeakArrays> {
  const source = await openAudioSource(file);
  const rate = source.sampleRate;
  const stop = Math.min(end, source.duration);
  const count = Math.max(0, Math.ceil((stop - start) * peaksPerSecond - 1e-9));
  const min = new Float32Array(count).fill(Infinity);
  const max = new Float32Array(count).fill(-Infinity);
  const probe = Math.max(1, Math.round(probeSeconds * rate));
  const probes = Math.min(count, maxProbes);
  const binsPerProbe = count / Math.max(1, probes);
  const starts = Array.from({ length: probes }, (_, k) => Math.floor((start + (k * binsPerProbe) / peaksPerSecond) * rate));
  let k = 0;
  for await (const excerpt of source.excerpts(starts, probe)) {
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

function zeroEmptyBins(min: Float32Array, max: Float32Array): void {
  for (let i = 0; i < min.length; i++) {
    if (min[i] === Infinity) {
      min[i] = 0;
      max[i] = 0;
    }
  }
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
