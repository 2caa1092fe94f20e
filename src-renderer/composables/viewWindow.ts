import { onBeforeUnmount, shallowRef, watch, type ShallowRef } from 'vue';
import { wavesurfer } from './player';

/**
 * Where wavesurfer draws the file, in viewport pixels: its wrapper spans the whole file and is
 * scrolled inside the visible container. A click seeks to (x − wrapperLeft) / wrapperWidth ×
 * duration, so rulers and windows placed with the same numbers agree with the player.
 */
export interface ViewWindow {
  duration: number;
  wrapperLeft: number;
  wrapperWidth: number;
  viewLeft: number;
  viewWidth: number;
  /** Seconds at the left and right edges of the visible container. */
  start: number;
  end: number;
}

export function timeToX(w: ViewWindow, time: number): number {
  return w.wrapperLeft + (time / w.duration) * w.wrapperWidth;
}

/** The visible window, re-measured whenever wavesurfer scrolls, zooms, redraws or resizes. */
export function useViewWindow(): ShallowRef<ViewWindow | null> {
  const win = shallowRef<ViewWindow | null>(null);
  let frame = 0;
  let observer: ResizeObserver | null = null;
  const unsubscribers: (() => void)[] = [];

  function measure(): void {
    const ws = wavesurfer.value;
    const duration = ws?.getDuration() ?? 0;
    const wrapper = ws?.getWrapper();
    const view = wrapper?.parentElement;
    if (!ws || !wrapper || !view || !(duration > 0)) {
      win.value = null;
      return;
    }
    const w = wrapper.getBoundingClientRect();
    const v = view.getBoundingClientRect();
    if (!(w.width > 0)) {
      win.value = null;
      return;
    }
    const start = ((v.left - w.left) / w.width) * duration;
    win.value = { duration, wrapperLeft: w.left, wrapperWidth: w.width, viewLeft: v.left, viewWidth: v.width, start, end: start + (v.width / w.width) * duration };
  }

  function schedule(): void {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(measure);
  }

  function forget(): void {
    cancelAnimationFrame(frame);
    win.value = null;
  }

  function detach(): void {
    while (unsubscribers.length) unsubscribers.pop()!();
    observer?.disconnect();
    observer = null;
  }

  watch(
    wavesurfer,
    (ws) => {
      detach();
      if (!ws) return schedule();
      for (const name of ['scroll', 'zoom', 'redraw', 'redrawcomplete', 'resize', 'ready', 'decode'] as const) unsubscribers.push(ws.on(name, schedule));
      // A load (a file, or the empty player) makes the last window another file's: none until the next
      // measure, so that nothing reads the old duration as this file's (the empty player's 0.001 s would
      // read as zoomed in by far).
      unsubscribers.push(ws.on('load', forget));
      observer = new ResizeObserver(schedule);
      observer.observe(ws.getWrapper());
      if (ws.getWrapper().parentElement) observer.observe(ws.getWrapper().parentElement!);
      schedule();
    },
    { immediate: true },
  );
  onBeforeUnmount(() => {
    detach();
    cancelAnimationFrame(frame);
  });
  return win;
}
