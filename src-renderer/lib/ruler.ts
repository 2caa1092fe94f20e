/**
 * Tick and label spacing (seconds) for the time ruler at a zoom level: ticks ≥ 8 px apart,
 * labels ≥ 70 px apart and on a multiple of the tick; nothing finer than 10 ms (the clock's
 * milliseconds stay readable at the deepest zoom).
 */
const STEPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

export function rulerIntervals(pxPerSec: number): { timeInterval: number; primaryLabelInterval: number; secondaryLabelInterval: number } {
  const px = pxPerSec > 0 ? pxPerSec : 1;
  const tick = STEPS.find((s) => s * px >= 8) ?? 3600;
  const multiple = (s: number) => Math.abs(s / tick - Math.round(s / tick)) < 1e-9;
  const label = STEPS.find((s) => s >= tick && s * px >= 70 && multiple(s)) ?? tick * 10;
  return { timeInterval: tick, primaryLabelInterval: label, secondaryLabelInterval: label };
}
