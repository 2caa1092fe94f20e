import { defineStore } from 'pinia';
import { ref, computed } from 'vue';

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  message: string;
}

export type SpectrogramScale = 'mel' | 'linear';

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

  const spectrogramScale = ref<SpectrogramScale>('mel');
  const showSpectrogram = ref(true);
  const pxPerSec = ref(0); // 0 = fit the whole file
  const playbackRate = ref(1);
  const loop = ref(false);
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

  function errorText(error: unknown): string {
    if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
    return String(error);
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

  return {
    toasts, toast, dismiss, guard, save, saveState, pendingSaves, lastSavedAt, errorText,
    helpOpen, exportOpen, detectionOpen, openFolderOpen,
    spectrogramScale, showSpectrogram, pxPerSec, playbackRate, loop, playing, currentTime, drawLabelId, zoomBy,
  };
});
