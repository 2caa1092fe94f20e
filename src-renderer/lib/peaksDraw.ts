/** Min/max peaks of a span of a recording, `peaksPerSecond` of them from `start` seconds. */
export interface PeakSpan {
  start: number;
  peaksPerSecond: number;
  min: ArrayLike<number>;
  max: ArrayLike<number>;
}

/** A whole file's overview peaks ([max, min] channels over `duration` seconds) as a span; null before any. */
export function overviewSpan(peaks: { duration: number; channels: readonly [Float32Array, Float32Array] } | null): PeakSpan | null {
  if (!peaks || !(peaks.duration > 0)) return null;
  return { start: 0, peaksPerSecond: peaks.channels[0].length / peaks.duration, max: peaks.channels[0], min: peaks.channels[1] };
}

export function spanEnd(span: PeakSpan): number {
  return span.start + span.min.length / span.peaksPerSecond;
}

/**
 * The waveform of [start, end) over `width` pixel columns, drawn like wavesurfer draws it: the top
 * half from the largest |max| under each column, the bottom half from the largest |min|, at least
 * one pixel tall; columns left of `progressX` in `progressColor`. Columns outside the span stay empty.
 * Peaks are multiplied by `gain` (a normalised overview) and clipped to the height.
 */
export function drawPeakColumns(
  ctx: CanvasRenderingContext2D,
  span: PeakSpan,
  view: { start: number; end: number },
  size: { width: number; height: number },
  colors: { wave: string; progress: string },
  progressX: number,
  gain = 1,
): void {
  const { width, height } = size;
  const half = height / 2;
  const perPx = (view.end - view.start) / width;
  const n = span.min.length;
  ctx.clearRect(0, 0, width, height);
  for (const [color, from, to] of [[colors.progress, 0, Math.min(width, Math.max(0, Math.round(progressX)))], [colors.wave, Math.max(0, Math.round(progressX)), width]] as const) {
    if (to <= from) continue;
    ctx.fillStyle = color;
    ctx.beginPath();
    for (let x = from; x < to; x++) {
      const t0 = view.start + x * perPx;
      const first = Math.floor((t0 - span.start) * span.peaksPerSecond);
      const last = Math.ceil((t0 + perPx - span.start) * span.peaksPerSecond);
      if (last <= 0 || first >= n) continue;
      let top = 0;
      let bottom = 0;
      for (let i = Math.max(0, first); i < Math.min(n, Math.max(first + 1, last)); i++) {
        top = Math.max(top, Math.abs(span.max[i]));
        bottom = Math.max(bottom, Math.abs(span.min[i]));
      }
      const up = Math.max(0.5, Math.min(1, top * gain) * half);
      const down = Math.max(0.5, Math.min(1, bottom * gain) * half);
      ctx.rect(x, half - up, 1, up + down);
    }
    ctx.fill();
  }
}

/** The waveform's colours (wavesurfer's and the detail layer's). */
export const WAVE_COLORS = { wave: '#5d7694', progress: '#9cc2f0' } as const;

/**
 * True when `span` covers [start, end) (clipped to the file) with at least `minPeaksPerSecond`;
 * a small shortfall at the file's end is allowed (its last peak may be cut).
 */
export function spanCovers(span: PeakSpan, start: number, end: number, duration: number, minPeaksPerSecond: number): boolean {
  const slack = 1 / span.peaksPerSecond;
  return span.peaksPerSecond >= minPeaksPerSecond && span.start <= Math.max(0, start) + 1e-9 && spanEnd(span) >= Math.min(end, duration) - slack;
}

/** The gain that scales a span's largest |peak| to 1 (1 for a silent span). */
export function normalizingGain(span: PeakSpan): number {
  let peak = 0;
  for (let i = 0; i < span.min.length; i++) peak = Math.max(peak, Math.abs(span.min[i]), Math.abs(span.max[i]));
  return peak > 0 ? 1 / peak : 1;
}

/**
 * At most `count` min/max pairs covering the same time as `max`/`min`: each output pair is the largest max
 * and the smallest min of the consecutive input pairs it stands for (no peak is lost, only merged). Arrays
 * already that short are returned as they are.
 */
export function decimatePeaks(max: Float32Array, min: Float32Array, count: number): { max: Float32Array; min: Float32Array } {
  const n = max.length;
  if (n <= count) return { max, min };
  const outMax = new Float32Array(count);
  const outMin = new Float32Array(count);
  for (let j = 0; j < count; j++) {
    const from = Math.floor((j * n) / count);
    const to = Math.floor(((j + 1) * n) / count);
    let hi = -Infinity;
    let lo = Infinity;
    for (let i = from; i < to; i++) {
      if (max[i] > hi) hi = max[i];
      if (min[i] < lo) lo = min[i];
    }
    outMax[j] = hi;
    outMin[j] = lo;
  }
  return { max: outMax, min: outMin };
}
