import type WaveSurfer from 'wavesurfer.js';
import { shallowRef } from 'vue';
import { decimatePeaks } from '../lib/peaksDraw';

/**
 * Most min/max pairs the player (wavesurfer) is given. It draws every pair it holds at each zoom step, so
 * it gets no more than a wide screen shows; the detail layer (WaveformDetail) draws anything finer.
 */
export const PLAYER_MAX_PEAKS = 8000;

/** The [max, min] channels the player draws for a file's overview peaks. */
export function playerChannels(channels: readonly [Float32Array, Float32Array]): [Float32Array, Float32Array] {
  const { max, min } = decimatePeaks(channels[0], channels[1], PLAYER_MAX_PEAKS);
  return [max, min];
}

/**
 * The one wavesurfer instance, shared by the waveform view (which owns it) and by commands
 * (keyboard, transport bar, table) that play, seek and zoom.
 */
export const wavesurfer = shallowRef<WaveSurfer | null>(null);

export function currentTime(): number {
  return wavesurfer.value?.getCurrentTime() ?? 0;
}

export function seek(time: number): void {
  const ws = wavesurfer.value;
  if (!ws) return;
  const d = ws.getDuration();
  ws.setTime(Math.max(0, Math.min(d || 0, time)));
}

/** Seek and bring `time` into view if it is off screen. */
export function reveal(time: number): void {
  const ws = wavesurfer.value;
  if (!ws) return;
  seek(time);
  const width = ws.getWidth();
  const pxPerSec = effectivePxPerSec();
  const scroll = ws.getScroll();
  const x = time * pxPerSec;
  if (x < scroll || x > scroll + width) ws.setScroll(Math.max(0, x - width * 0.25));
}

export function playPause(): void {
  void wavesurfer.value?.playPause();
}

export function playRange(start: number, end: number): void {
  void wavesurfer.value?.play(start, end);
}

/** Pixels per second actually drawn (the wrapper stretches to fill when zoomed out). */
export function effectivePxPerSec(): number {
  const ws = wavesurfer.value;
  if (!ws) return 1;
  const d = ws.getDuration();
  return d > 0 ? ws.getWrapper().scrollWidth / d : 1;
}

/** Pixels per second that fit the whole file in view. */
export function fitPxPerSec(): number {
  const ws = wavesurfer.value;
  if (!ws) return 1;
  const d = ws.getDuration();
  return d > 0 ? ws.getWidth() / d : 1;
}
