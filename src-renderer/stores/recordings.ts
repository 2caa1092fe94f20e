import { defineStore } from 'pinia';
import { ref, computed, shallowRef } from 'vue';
import { api } from '../api';
import type { Recording, RecordingStatus } from '../../src-main/api/contract';
import { useUiStore } from './ui';
import { useProjectStore } from './project';

export interface Peaks {
  recordingId: number;
  duration: number;
  /** [max, min] channels for wavesurfer (top and bottom halves). */
  channels: [Float32Array, Float32Array];
  /** A first look from probes (long file not yet read through); replaced by exact peaks when ready. */
  approximate: boolean;
}

/** How often, and how many times, approximate peaks are asked for again. */
const REFINE_INTERVAL_MS = 1500;
const REFINE_TRIES = 80;

export interface RecordingFilters {
  labelId: number | null;
  minConfidence: number;
  statuses: RecordingStatus[];
}

/**
 * Peaks per second for a file: fine for short clips; for long ones bounded to about 40,000 peaks in
 * all, so the page never parses or draws hundreds of thousands of them.
 */
export function peaksRateFor(duration: number): number {
  if (!(duration > 0)) return 100;
  return Math.min(1000, 40_000 / duration);
}

/** The project's files, the filters over them, and the one open in the editor. */
export const useRecordingsStore = defineStore('recordings', () => {
  const ui = useUiStore();
  const project = useProjectStore();
  const list = ref<Recording[]>([]);
  const loading = ref(false);
  const currentId = ref<number | null>(null);
  /** Files ticked for batch actions (detection, export). */
  const checked = ref<Set<number>>(new Set());
  const filters = ref<RecordingFilters>({ labelId: null, minConfidence: 0, statuses: [] });
  // Shallow: tens of thousands of numbers behind a reactive proxy make every read by wavesurfer slow.
  const peaks = shallowRef<Peaks | null>(null);
  const mediaUrl = ref<string | null>(null);
  /** Why the open file could not be loaded (then nothing of it, nor of the previous file, is shown). */
  const loadError = ref<string | null>(null);

  const current = computed(() => list.value.find((r) => r.id === currentId.value) ?? null);
  const currentIndex = computed(() => list.value.findIndex((r) => r.id === currentId.value));

  /**
   * Lists the project's files. `onListed` runs as soon as the list is in, before the page draws it
   * (drawing a long list is a long task; requests made first are served meanwhile).
   */
  async function load(onListed?: (list: Recording[]) => void): Promise<void> {
    if (!project.project) return;
    loading.value = true;
    try {
      const f = filters.value;
      list.value = await ui.guard(() =>
        api().call('recordings.list', {
          projectId: project.project!.id,
          ...(f.statuses.length ? { status: f.statuses } : {}),
          ...(f.labelId != null ? { labelId: f.labelId } : {}),
          ...(f.minConfidence > 0 ? { minConfidence: f.minConfidence } : {}),
        }),
      );
      onListed?.(list.value);
    } finally {
      loading.value = false;
    }
  }

  function setFilters(next: Partial<RecordingFilters>): Promise<void> {
    filters.value = { ...filters.value, ...next };
    return load();
  }

  /** A row changed on the server (push event or our own call). */
  function upsert(recording: Recording): void {
    const i = list.value.findIndex((r) => r.id === recording.id);
    if (i >= 0) list.value.splice(i, 1, recording);
  }

  async function reloadOne(recordingId: number): Promise<void> {
    upsert(await ui.guard(() => api().call('recordings.get', { recordingId })));
  }

  async function open(recordingId: number): Promise<void> {
    if (currentId.value === recordingId && peaks.value) return;
    const rec = list.value.find((r) => r.id === recordingId);
    currentId.value = recordingId;
    peaks.value = null;
    mediaUrl.value = null;
    loadError.value = null;
    ui.currentTime = 0;
    const rate = peaksRateFor(rec?.durationSeconds ?? 0);
    try {
      const [p, media] = await Promise.all([
        api().call('recordings.peaks', { recordingId, peaksPerSecond: rate }),
        api().call('recordings.mediaUrl', { recordingId }),
      ]);
      if (currentId.value !== recordingId) return; // user moved on
      peaks.value = { recordingId, duration: p.durationSeconds, channels: [Float32Array.from(p.max), Float32Array.from(p.min)], approximate: p.approximate };
      mediaUrl.value = media.url;
      if (p.approximate) void refinePeaks(recordingId, rate);
    } catch (error) {
      // Shown in place of the waveform, not as a toast.
      if (currentId.value !== recordingId) return;
      loadError.value = ui.errorText(error);
      // Listed as broken from now on, so Enter skips it.
      const latest = list.value.find((r) => r.id === recordingId);
      if (latest) upsert({ ...latest, error: loadError.value });
    }
  }

  /** Asks again until the service has read the file through, then swaps in the exact peaks. */
  async function refinePeaks(recordingId: number, rate: number): Promise<void> {
    for (let i = 0; i < REFINE_TRIES; i++) {
      await new Promise((resolve) => setTimeout(resolve, REFINE_INTERVAL_MS));
      if (currentId.value !== recordingId || !peaks.value?.approximate) return;
      try {
        const p = await api().call('recordings.peaks', { recordingId, peaksPerSecond: rate });
        if (currentId.value !== recordingId || !peaks.value) return;
        if (!p.approximate) {
          peaks.value = { ...peaks.value, channels: [Float32Array.from(p.max), Float32Array.from(p.min)], approximate: false };
          return;
        }
      } catch {
        return; // the first look stays; opening the file again retries
      }
    }
  }

  async function setReviewed(recordingId: number, reviewed: boolean): Promise<void> {
    const updated = await ui.save(() => api().call('recordings.setReviewed', { recordingId, reviewed }));
    upsert(updated);
    void project.refresh();
  }

  /** The file after the current one in the list (wrapping to none at the end). */
  const next = computed(() => (currentIndex.value >= 0 ? list.value[currentIndex.value + 1] ?? null : list.value[0] ?? null));
  /** The first file after the current one that did not fail to open (Enter skips broken files). */
  const nextOpenable = computed(() => list.value.slice(currentIndex.value + 1).find((r) => !r.error) ?? null);
  const previous = computed(() => (currentIndex.value > 0 ? list.value[currentIndex.value - 1] : null));

  function toggleChecked(id: number): void {
    const s = new Set(checked.value);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    checked.value = s;
  }

  function clearChecked(): void {
    checked.value = new Set();
  }

  return {
    list, loading, currentId, current, currentIndex, checked, filters, peaks, mediaUrl, loadError, next, nextOpenable, previous,
    load, setFilters, upsert, reloadOne, open, setReviewed, toggleChecked, clearChecked,
  };
});
