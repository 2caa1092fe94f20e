import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { COLORMAP_NAMES, spectrogramPalette, type ColormapName } from '../lib/spectrogram';

const STORAGE_KEY = 'earmark.spectrogramView';

interface Saved {
  gainDb: number;
  contrast: number;
  colormap: ColormapName;
}

const DEFAULTS: Saved = { gainDb: 0, contrast: 1, colormap: 'magma' };

function load(): Saved {
  try {
    const raw = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<Saved>;
    return {
      gainDb: typeof raw.gainDb === 'number' && Number.isFinite(raw.gainDb) ? raw.gainDb : DEFAULTS.gainDb,
      contrast: typeof raw.contrast === 'number' && raw.contrast > 0 ? raw.contrast : DEFAULTS.contrast,
      colormap: COLORMAP_NAMES.includes(raw.colormap as ColormapName) ? (raw.colormap as ColormapName) : DEFAULTS.colormap,
    };
  } catch {
    return { ...DEFAULTS };
  }
}

/** How the spectrogram is displayed (no new computation): gain, contrast and colour map, kept across sessions. */
export const useSpectrogramViewStore = defineStore('spectrogramView', () => {
  const saved = load();
  const gainDb = ref(saved.gainDb);
  const contrast = ref(saved.contrast);
  const colormap = ref<ColormapName>(saved.colormap);
  const palette = computed(() => spectrogramPalette(colormap.value, gainDb.value, contrast.value));

  watch([gainDb, contrast, colormap], () => {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ gainDb: gainDb.value, contrast: contrast.value, colormap: colormap.value }));
    } catch {
      // Storage may be unavailable (private mode): the settings then last for this session.
    }
  });

  function reset(): void {
    gainDb.value = DEFAULTS.gainDb;
    contrast.value = DEFAULTS.contrast;
    colormap.value = DEFAULTS.colormap;
  }

  return { gainDb, contrast, colormap, palette, reset };
});
