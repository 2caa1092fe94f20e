/**
 * The spectrogram's vertical axis: where a frequency is drawn, as a fraction of the height from
 * the bottom, for the tile's bin centres (mel or linear) over the range [low, high] it shows. Bin b
 * fills [b/n, (b+1)/n] of the height with its centre in the middle; between centres the axis is
 * linear, and it ends at `low` (bottom) and `high` (top). Outside the range it goes on linearly past
 * 0 and 1, so a box reaching beyond the range is cut at the edge, not squeezed onto it.
 */
export interface FrequencyAxis {
  /** 0 at the bottom (`low`), 1 at the top (`high`). */
  fractionOf(hz: number): number;
  hzOf(fraction: number): number;
  low: number;
  high: number;
}

export function frequencyAxis(centres: readonly number[], low: number, high: number): FrequencyAxis {
  const n = centres.length;
  const hz: number[] = [low];
  const at: number[] = [0];
  centres.forEach((c, b) => {
    if (c > hz[hz.length - 1] && c < high) {
      hz.push(c);
      at.push((b + 0.5) / n);
    }
  });
  hz.push(high);
  at.push(1);
  const slope = 1 / (high - low);
  const fractionOf = (f: number): number => {
    if (f <= low) return (f - low) * slope;
    if (f >= high) return 1 + (f - high) * slope;
    return interpolate(hz, at, f);
  };
  const hzOf = (fraction: number): number => {
    if (fraction <= 0) return low + fraction / slope;
    if (fraction >= 1) return high + (fraction - 1) / slope;
    return interpolate(at, hz, fraction);
  };
  return { low, high, fractionOf, hzOf };
}

/** Piecewise-linear y(x) through the points (xs, ys), xs increasing, x inside [xs[0], xs[last]]. */
function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  let i = 1;
  while (i < xs.length - 1 && xs[i] < x) i++;
  return ys[i - 1] + ((x - xs[i - 1]) / (xs[i] - xs[i - 1])) * (ys[i] - ys[i - 1]);
}

export interface TimeFrequencyBox {
  onset: number;
  offset: number;
  lowFrequency: number;
  highFrequency: number;
}

export type BoxHandle = 'move' | 'left' | 'right' | 'top' | 'bottom';

const MIN_SECONDS = 0.01;
const MIN_HZ = 1;

/**
 * The box after dragging `handle` by `dt` seconds and `dhz` Hz, kept inside the recording
 * ([0, duration] × [0, nyquist]) and never inverted.
 */
export function dragBox(box: TimeFrequencyBox, handle: BoxHandle, dt: number, dhz: number, duration: number, nyquist: number): TimeFrequencyBox {
  const { onset, offset, lowFrequency: low, highFrequency: high } = box;
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  switch (handle) {
    case 'left': return { ...box, onset: clamp(onset + dt, 0, offset - MIN_SECONDS) };
    case 'right': return { ...box, offset: clamp(offset + dt, onset + MIN_SECONDS, duration) };
    case 'bottom': return { ...box, lowFrequency: clamp(low + dhz, 0, high - MIN_HZ) };
    case 'top': return { ...box, highFrequency: clamp(high + dhz, low + MIN_HZ, nyquist) };
    case 'move': {
      const shift = clamp(dt, -onset, duration - offset);
      const lift = clamp(dhz, -low, nyquist - high);
      return { onset: onset + shift, offset: offset + shift, lowFrequency: low + lift, highFrequency: high + lift };
    }
  }
}

/** Rounds a box for storage: times to the millisecond, frequencies to the hertz. */
export function roundBox(box: TimeFrequencyBox): TimeFrequencyBox {
  const ms = (t: number) => Math.round(t * 1000) / 1000;
  return { onset: ms(box.onset), offset: ms(box.offset), lowFrequency: Math.round(box.lowFrequency), highFrequency: Math.round(box.highFrequency) };
}

export function formatBand(low: number, high: number): string {
  const k = (hz: number) => (hz >= 1000 ? `${(hz / 1000).toFixed(hz >= 10000 ? 1 : 2)}k` : `${Math.round(hz)}`);
  return `${k(low)}–${k(high)} Hz`;
}
