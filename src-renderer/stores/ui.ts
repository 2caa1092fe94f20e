import { defineStore } from 'pinia';
import { ref, computed } from 'vue';
import { isApiMethod } from '../../src-main/api/wire';

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  message: string;
}

export type SpectrogramScale = 'mel' | 'linear';

export const PLAYBACK_RATES = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2];

/** View state and the cross-cutting feedback channels: toasts and the saved indicator. */
export const useUiStore = defineStore('ui', () => {
  const toasts = ref<Toast[]>([]);
  let nextToast = 1;
  const pendingSaves = ref(0);
  const lastSavedAt = ref<Date | null>(null);
  const lastSaveFailed = ref(false);

  const helpOpen = ref(false);
  const exportOpen = ref(false);
  const detectionOpen = ref(false);
  const openFolderOpen = ref(false);
  const labelsOpen = ref(false);

  const spectrogramScale = ref<SpectrogramScale>('mel');
  const showSpectrogram = ref(true);
  const pxPerSec = ref(0); // 0 = fit the whole file
  const playbackRate = ref(1);
  const loop = ref(false);
  /** After an event played to its end (not looping), select and play the next one. */
  const autoAdvance = ref(false);
  /** The event whose playback (from its onset to its offset) is under way. */
  const playingEventId = ref<number | null>(null);
  const playing = ref(false);
  const currentTime = ref(0);
  /** Label for events drawn by hand. */
  const drawLabelId = ref<number | null>(null);

  function toast(kind: Toast['kind'], message: string, ttlMs = kind === 'error' ? 8000 : 3000): void {
    const id = nextToast++;
    toasts.value.push({ id, kind, message });
    if (toasts.value.length > 5) toasts.value.shift();
    setTimeout(() => dismiss(id), ttlMs);
  }

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id);
  }

  /** An error as the user reads it: without the API method it came from (`projects.open: …`). */
  function errorText(error: unknown): string {
    const message = error && typeof error === 'object' && 'message' in error ? String((error as { message: unknown }).message) : String(error);
    const prefix = /^([a-z]+\.[a-zA-Z]+)(?: failed)?:\s*/.exec(message);
    return prefix && isApiMethod(prefix[1]) ? message.slice(prefix[0].length) : message;
  }

  /** Runs an API call, toasting its error (and re-throwing it so callers can roll back). */
  async function guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      toast('error', errorText(error));
      throw error;
    }
  }

  /** Like guard, but counts as a save for the saved indicator. */
  async function save<T>(work: () => Promise<T>): Promise<T> {
    pendingSaves.value++;
    try {
      const result = await guard(work);
      lastSavedAt.value = new Date();
      lastSaveFailed.value = false;
      return result;
    } catch (error) {
      lastSaveFailed.value = true;
      throw error;
    } finally {
      pendingSaves.value--;
    }
  }

  const saveState = computed<'saving' | 'saved' | 'failed' | 'idle'>(() => {
    if (pendingSaves.value > 0) return 'saving';
    if (lastSaveFailed.value) return 'failed';
    return lastSavedAt.value ? 'saved' : 'idle';
  });

  function zoomBy(factor: number, fitPxPerSec: number): void {
    const base = pxPerSec.value || fitPxPerSec;
    pxPerSec.value = Math.max(fitPxPerSec, Math.min(4000, base * factor));
  }

  function stepPlaybackRate(direction: 1 | -1): void {
    const i = Math.max(0, PLAYBACK_RATES.indexOf(playbackRate.value));
    playbackRate.value = PLAYBACK_RATES[Math.max(0, Math.min(PLAYBACK_RATES.length - 1, i + direction))];
  }

  return {
    toasts, toast, dismiss, guard, save, saveState, pendingSaves, lastSavedAt, errorText,
    helpOpen, exportOpen, detectionOpen, openFolderOpen, labelsOpen,
    spectrogramScale, showSpectrogram, pxPerSec, playbackRate, loop, autoAdvance, playingEventId, playing, currentTime, drawLabelId, zoomBy,
    stepPlaybackRate,
  };
});
