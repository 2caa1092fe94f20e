import { openAudioSource } from '../engine/audio/source';
import { RealFFT } from '../engine/features/fft';
import { melFilterbank } from '../engine/features/mel';

export interface SpectrogramRequest {
  start: number;
  end: number;
  scale: 'mel' | 'linear';
  columns: number;
  bins: number;
  /** Samples per FFT window (a power of two); omitted: chosen from the scale, bins and sample rate. */
  fftSize?: number;
  /** Frequency range, Hz; omitted: 0 and Nyquist. A maxFrequency above Nyquist is cut to it. */
  minFrequency?: number;
  maxFrequency?: number;
}

export interface SpectrogramTile {
  columns: number;
  bins: number;
  fftSize: number;
  /** The range the bins cover, Hz (bin 0's lower edge to the last bin's upper edge). */
  minFrequency: number;
  maxFrequency: number;
  frequencies: number[];
  dbMin: number;
  dbMax: number;
  /** columns x bins, column-major, quantised to 0..255 over [dbMin, dbMax]. */
  data: Uint8Array;
}

const DYNAMIC_RANGE_DB = 80;
/**
 * When columns are this many FFT windows apart or more, each column's window is read on its own (a
 * seek each) instead of decoding the whole span; such a tile has at most SPARSE_MAX_COLUMNS columns.
 */
const SPARSE_SPACING_WINDOWS = 8;
export const SPARSE_MAX_COLUMNS = 384;

/** Sparse weights: output bin b sums power[start[b] + i] * weights[b][i]. */
interface Bank {
  start: number[];
  weights: Float64Array[];
  centres: number[];
}

export interface FrequencyRange {
  low: number;
  high: number;
}

/** The requested range within [0, Nyquist]; a range starting at or above Nyquist is refused. */
export function frequencyRangeFor(request: Pick<SpectrogramRequest, 'minFrequency' | 'maxFrequency'>, rate: number): FrequencyRange {
  const nyquist = rate / 2;
  const low = request.minFrequency ?? 0;
  const high = Math.min(nyquist, request.maxFrequency ?? nyquist);
  if (!(low < high)) throw new RangeError(`frequency range ${low}–${high} Hz is empty: this recording's spectrum ends at ${nyquist} Hz`);
  return { low, high };
}

/** Mel bands from the features module's filterbank (Slaney), or equal-width linear bands, over `range`. */
function filterBank(scale: 'mel' | 'linear', bins: number, fftSize: number, rate: number, range: FrequencyRange): Bank {
  const half = fftSize / 2 + 1;
  const hzPerBin = rate / fftSize;
  const bank: Bank = { start: [], weights: [], centres: [] };
  if (scale === 'mel') {
    const mel = melFilterbank({ sampleRate: rate, fftSize, melBands: bins, fmin: range.low, fmax: range.high });
    for (let b = 0; b < bins; b++) {
      const centre = mel.centres[b];
      // Narrow low bands can fall between FFT bins: take the nearest bin instead of nothing.
      const empty = mel.weights[b].length === 0 || mel.weights[b].every((w) => w === 0);
      bank.start.push(empty ? Math.min(half - 1, Math.round(centre / hzPerBin)) : mel.start[b]);
      bank.weights.push(empty ? Float64Array.of(1) : mel.weights[b]);
      bank.centres.push(centre);
    }
    return bank;
  }
  const width = (range.high - range.low) / bins;
  for (let b = 0; b < bins; b++) {
    const from = range.low + b * width;
    const lo = Math.ceil(from / hzPerBin);
    const hi = Math.ceil((from + width) / hzPerBin);
    // A band holding no FFT bin (narrower than one) takes the nearest.
    const first = Math.min(hi > lo ? lo : Math.round((from + width / 2) / hzPerBin), half - 1);
    const count = hi > lo ? Math.max(1, Math.min(hi, half) - first) : 1;
    bank.start.push(first);
    bank.weights.push(new Float64Array(count).fill(1 / count));
    bank.centres.push(from + width / 2);
  }
  return bank;
}

function fftSizeFor(scale: 'mel' | 'linear', bins: number, rate: number, requested?: number): number {
  if (requested) return requested;
  let size = scale === 'linear' ? 2 * bins : rate > 24000 ? 2048 : 1024;
  size = Math.max(256, 2 ** Math.ceil(Math.log2(size)));
  return Math.min(size, 8192);
}

/**
 * How the samples are read: one stream from the range's start, one excerpt per column (widely spaced
 * columns), or whichever fits the spacing. Both give the same columns; tests compare them.
 */
export type SpectrogramReading = 'auto' | 'stream' | 'excerpts';

/**
 * Magnitude spectrogram of [start, end): `columns` Hann-windowed frames centred evenly across the
 * range, streamed from disk from the range's start (memory bounded by one FFT window plus one decode chunk).
 */
export async function computeSpectrogram(file: string, request: SpectrogramRequest, reading: SpectrogramReading = 'auto', signal?: AbortSignal): Promise<SpectrogramTile> {
  const source = await openAudioSource(file);
  const rate = source.sampleRate;
  const { bins } = request;
  const fftSize = fftSizeFor(request.scale, bins, rate, request.fftSize);
  const range = frequencyRangeFor(request, rate);
  const sparse = reading === 'auto' ? ((request.end - request.start) * rate) / request.columns >= SPARSE_SPACING_WINDOWS * fftSize : reading === 'excerpts';
  const columns = sparse ? Math.min(request.columns, SPARSE_MAX_COLUMNS) : request.columns;
  const half = fftSize / 2 + 1;
  const bank = filterBank(request.scale, bins, fftSize, rate, range);
  const transform = new RealFFT(fftSize);
  const frame = new Float64Array(fftSize);
  const window = new Float64Array(fftSize);
  for (let i = 0; i < fftSize; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / fftSize);
  const span = request.end - request.start;
  const frameStart = (c: number): number => Math.round((request.start + ((c + 0.5) * span) / columns) * rate) - fftSize / 2;

  const db = new Float64Array(columns * bins).fill(-Infinity);
  const power = new Float64Array(half);
  // Samples [bufferStart, bufferStart + filled) are held; frames before index 0 see zeros.
  let buffer = new Float32Array(fftSize * 2);
  // Decoding starts at the first frame's first sample (a seek for WAV and FLAC), not the file's start.
  const firstSample = Math.max(0, frameStart(0));
  let bufferStart = Math.min(firstSample, frameStart(0));
  let filled = 0;
  let column = 0;
  let position = firstSample;

  const computeColumn = (c: number): void => {
    const s = frameStart(c);
    for (let i = 0; i < fftSize; i++) {
      const at = s + i - bufferStart;
      frame[i] = (at >= 0 && at < filled ? buffer[at] : 0) * window[i];
    }
    transform.powerSpectrum(frame, power);
    for (let b = 0; b < bins; b++) {
      const w = bank.weights[b];
      const from = bank.start[b];
      let sum = 0;
      for (let i = 0; i < w.length; i++) sum += w[i] * power[from + i];
      db[c * bins + b] = 10 * Math.log10(sum / fftSize + 1e-12);
    }
  };

  const processReady = (final: boolean): void => {
    while (column < columns) {
      if (!final && frameStart(column) + fftSize > bufferStart + filled) return;
      computeColumn(column);
      column++;
    }
  };

  if (sparse) {
    const starts = Array.from({ length: columns }, (_, c) => Math.max(0, frameStart(c)));
    for await (const excerpt of source.excerpts(starts, fftSize)) {
      signal?.throwIfAborted();
      // A window reaching before the file's start sees zeros there.
      bufferStart = frameStart(column);
      const lead = Math.max(0, -bufferStart);
      buffer.fill(0, 0, fftSize);
      buffer.set(excerpt.subarray(0, fftSize - lead), lead);
      filled = lead + Math.min(excerpt.length, fftSize - lead);
      computeColumn(column);
      column++;
    }
  }
  const lastNeeded = frameStart(columns - 1) + fftSize;
  for await (const chunk of (sparse ? [] : source.chunks(firstSample))) {
    signal?.throwIfAborted();
    const chunkStart = position;
    position += chunk.length;
    if (position <= frameStart(column) && column < columns) continue;
    // Drop what no remaining frame needs, then append the useful part of the chunk.
    const keepFrom = column < columns ? frameStart(column) : position;
    if (keepFrom > bufferStart) {
      const drop = Math.min(filled, keepFrom - bufferStart);
      buffer.copyWithin(0, drop, filled);
      filled -= drop;
      bufferStart += drop;
    }
    if (filled === 0) bufferStart = Math.max(keepFrom, chunkStart);
    const from = Math.max(0, bufferStart + filled - chunkStart);
    const piece = chunk.subarray(from);
    if (filled + piece.length > buffer.length) {
      const grown = new Float32Array(Math.max(buffer.length * 2, filled + piece.length));
      grown.set(buffer.subarray(0, filled));
      buffer = grown;
    }
    buffer.set(piece, filled);
    filled += piece.length;
    processReady(false);
    if (position >= lastNeeded) break;
  }
  processReady(true);

  let dbMax = -Infinity;
  for (const v of db) if (v > dbMax) dbMax = v;
  if (!Number.isFinite(dbMax)) dbMax = 0;
  const dbMin = dbMax - DYNAMIC_RANGE_DB;
  const data = new Uint8Array(columns * bins);
  for (let i = 0; i < data.length; i++) {
    const v = (db[i] - dbMin) / DYNAMIC_RANGE_DB;
    data[i] = Math.max(0, Math.min(255, Math.round(v * 255)));
  }
  return { columns, bins, fftSize, minFrequency: range.low, maxFrequency: range.high, frequencies: bank.centres.map((f) => Math.round(f * 10) / 10), dbMin, dbMax, data };
}
