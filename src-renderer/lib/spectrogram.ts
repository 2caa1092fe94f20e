/** Drawing a precomputed spectrogram for the visible time window (no decoding in the renderer). */
export interface SpectrogramImage {
  /** Time of the first frame's start, seconds. */
  start: number;
  /** Number of time frames. */
  frames: number;
  /** Number of frequency bins (bin 0 = lowest frequency). */
  bins: number;
  /** Frame-major values scaled to 0..255 (frame f, bin b at f * bins + b). */
  values: Uint8Array;
  /** Seconds between frame starts. */
  secondsPerFrame: number;
}

/** Decode the API's base64 tile (column-major bytes) into an image. */
export function decodeTile(tile: { start: number; end: number; columns: number; bins: number; data: string }): SpectrogramImage {
  const raw = atob(tile.data);
  const values = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) values[i] = raw.charCodeAt(i);
  return {
    start: tile.start,
    frames: tile.columns,
    bins: tile.bins,
    values,
    secondsPerFrame: tile.columns > 0 ? (tile.end - tile.start) / tile.columns : 1,
  };
}

const STOPS: [number, number, number, number][] = [
  // position, r, g, b — a perceptual dark→bright ramp close to "magma"
  [0.0, 5, 6, 18],
  [0.2, 40, 17, 89],
  [0.4, 114, 31, 129],
  [0.6, 183, 55, 121],
  [0.78, 241, 96, 93],
  [0.9, 253, 170, 110],
  [1.0, 252, 253, 191],
];

function buildLut(stops: readonly [number, number, number, number][] = STOPS): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let j = 0;
    while (j < stops.length - 2 && t > stops[j + 1][0]) j++;
    const [p0, r0, g0, b0] = stops[j];
    const [p1, r1, g1, b1] = stops[j + 1];
    const u = (t - p0) / (p1 - p0);
    lut[i * 3] = r0 + (r1 - r0) * u;
    lut[i * 3 + 1] = g0 + (g1 - g0) * u;
    lut[i * 3 + 2] = b0 + (b1 - b0) * u;
  }
  return lut;
}

export const COLORMAP = buildLut();

export const COLORMAP_NAMES = ['magma', 'viridis', 'grey', 'inverted grey'] as const;
export type ColormapName = (typeof COLORMAP_NAMES)[number];

const COLORMAPS: Record<ColormapName, Uint8ClampedArray> = {
  magma: COLORMAP,
  viridis: buildLut([[0, 68, 1, 84], [0.25, 59, 82, 139], [0.5, 33, 145, 140], [0.75, 94, 201, 98], [1, 253, 231, 37]]),
  grey: buildLut([[0, 0, 0, 0], [1, 255, 255, 255]]),
  // Raven's and Audacity's classic look: loud is dark on white.
  'inverted grey': buildLut([[0, 255, 255, 255], [1, 0, 0, 0]]),
};

/** The tiles' 0..255 levels span this many dB (the service's dynamic range). */
const LEVEL_SPAN_DB = 80;

/**
 * A colour table for the tiles' 0..255 levels after gain (dB added to every level) and contrast
 * (the slope around mid-level: above 1 stretches, below 1 flattens).
 */
export function spectrogramPalette(name: ColormapName, gainDb = 0, contrast = 1): Uint8ClampedArray {
  const colors = COLORMAPS[name] ?? COLORMAP;
  const shift = (gainDb / LEVEL_SPAN_DB) * 255;
  const out = new Uint8ClampedArray(256 * 3);
  for (let v = 0; v < 256; v++) {
    const i = Math.max(0, Math.min(255, Math.round((v + shift - 127.5) * contrast + 127.5)));
    out.set(colors.subarray(i * 3, i * 3 + 3), v * 3);
  }
  return out;
}

/** Frame range [first, last) that covers pixel column x of a `width`-pixel view of [start, end). */
export function framesForColumn(
  x: number,
  width: number,
  start: number,
  end: number,
  secondsPerFrame: number,
  frames: number,
): [number, number] {
  const span = (end - start) / width;
  const t0 = start + x * span;
  const first = Math.max(0, Math.min(frames - 1, Math.floor(t0 / secondsPerFrame + 1e-9)));
  const last = Math.max(first + 1, Math.min(frames, Math.ceil((t0 + span) / secondsPerFrame - 1e-9)));
  return [first, last];
}

/**
 * RGBA pixels (width × bins, top row = highest bin) for the window [start, end).
 * When several frames fall in one column the loudest is kept so short events stay visible.
 */
export function renderColumns(img: SpectrogramImage, width: number, start: number, end: number, palette: Uint8ClampedArray = COLORMAP): Uint8ClampedArray {
  const { bins, values, frames, secondsPerFrame } = img;
  const out = new Uint8ClampedArray(width * bins * 4);
  const total = frames * secondsPerFrame;
  // Work in the tile's own time axis.
  start -= img.start;
  end -= img.start;
  for (let x = 0; x < width; x++) {
    const t = start + ((x + 0.5) / width) * (end - start);
    if (t < 0 || t >= total || frames === 0) {
      for (let b = 0; b < bins; b++) {
        const o = ((bins - 1 - b) * width + x) * 4;
        out[o + 3] = 255;
      }
      continue;
    }
    const [f0, f1] = framesForColumn(x, width, start, end, secondsPerFrame, frames);
    for (let b = 0; b < bins; b++) {
      let v = 0;
      for (let f = f0; f < f1; f++) {
        const s = values[f * bins + b];
        if (s > v) v = s;
      }
      const o = ((bins - 1 - b) * width + x) * 4;
      out[o] = palette[v * 3];
      out[o + 1] = palette[v * 3 + 1];
      out[o + 2] = palette[v * 3 + 2];
      out[o + 3] = 255;
    }
  }
  return out;
}

