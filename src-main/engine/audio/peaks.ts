import { openAudioSource } from './source';

/** Min/max of the mono signal per bin of 1/peaksPerSecond seconds, starting at `start`. */
export interface PeakArrays {
  peaksPerSecond: number;
  start: number;
  min: Float32Array;
  max: Float32Array;
}

/** An opened file and empty min/max bins (to be filled, then zeroEmptyBins) for [start, end) seconds of it. */
export async function openPeakSpan(file: string, peaksPerSecond: number, start: number, end: number) {
  const source = await openAudioSource(file);
  const stop = Math.min(end, source.duration);
  const count = Math.max(0, Math.ceil((stop - start) * peaksPerSecond - 1e-9));
  return { source, rate: source.sampleRate, stop, count, min: new Float32Array(count).fill(Infinity), max: new Float32Array(count).fill(-Infinity) };
}

/**
 * Min/max per bin over [start, end) seconds, decoding only that span (WAV and FLAC seek to `start`,
 * never holding the file whole). Bins past the decoded audio stay 0.
 */
export async function computePeaks(file: string, peaksPerSecond: number, start = 0, end = Infinity): Promise<PeakArrays & { duration: number }> {
  const { source, rate, stop, count, min, max } = await openPeakSpan(file, peaksPerSecond, start, end);
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

export function zeroEmptyBins(min: Float32Array, max: Float32Array): void {
  for (let i = 0; i < min.length; i++) {
    if (min[i] === Infinity) {
      min[i] = 0;
      max[i] = 0;
    }
  }
}
