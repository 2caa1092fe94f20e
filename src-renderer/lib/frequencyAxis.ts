/**
 * The spectrogram's vertical axis: where a frequency is drawn, as a fraction of the height from
 * the bottom, for the tile's bin centres (mel or linear). Bin b fills [b/n, (b+1)/n] of the height
 * with its centre in the middle; between centres the axis is linear, and it ends at 0 Hz and Nyquist.
 */
export interface FrequencyAxis {
  /** 0 at the bottom (0 Hz), 1 at the top (Nyquist). */
  fractionOf(hz: number): number;
  hzOf(fraction: number): number;
  nyquist: number;
}

export function frequencyAxis(centres: readonly number[], nyquist: number): FrequencyAxis {
  const n = centres.length;
  const hz: number[] = [0];
  const at: number[] = [0];
  centres.forEach((c, b) => {
    if (c > hz[hz.length - 1] && c < nyquist) {
      hz.push(c);
      at.push((b + 0.5) / n);
    }
  });
  hz.push(nyquist);
  at.push(1);
  const interpolate = (xs: number[], ys: number[], x: number) => {
    if (x <= xs[0]) return ys[0];
    if (x >= xs[xs.length - 1]) return ys[ys.length - 1];
    let i = 1;
    while (xs[i] < x) i++;
    return ys[i - 1] + ((x - xs[i - 1]) / (xs[i] - xs[i - 1])) * (ys[i] - ys[i - 1]);
  };
  return { nyquist, fractionOf: (f) => interpolate(hz, at, f), hzOf: (fraction) => interpolate(at, hz, fraction) };
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
