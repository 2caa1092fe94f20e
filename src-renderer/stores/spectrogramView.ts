import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { COLORMAP_NAMES, spectrogramPalette, type ColormapName } from '../lib/spectrogram';
import { FFT_SIZES, HEIGHT_RANGE, type FftSize } from '../lib/spectrogramSettings';

const STORAGE_KEY = 'earmark.spectrogramView';

interface Saved {
  gainDb: number;
  contrast: number;
  colormap: ColormapName;
  /** Pixels; null fills the space under the waveform. */
  heightPx: number | null;
  /** null: the service picks one for the scale and sample rate. */
  fftSize: FftSize | null;
  /** Frequency range shown, Hz; null: 0 and the recording's Nyquist frequency. */
  minHz: number | null;
  maxHz: number | null;
}

const DEFAULTS: Saved = { gainDb: 0, contrast: 1, colormap: 'magma', heightPx: null, fftSize: null, minHz: null, maxHz: null };

const isHz = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function load(): Saved {
  try {
    const raw = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<Saved>;
    const minHz = isHz(raw.minHz) ? raw.minHz : null;
    const maxHz = isHz(raw.maxHz) && (minHz === null || raw.maxHz > minHz) ? raw.maxHz : null;
    return {
      gainDb: typeof raw.gainDb === 'number' && Number.isFinite(raw.gainDb) ? raw.gainDb : DEFAULTS.gainDb,
      contrast: typeof raw.contrast === 'number' && raw.contrast > 0 ? raw.contrast : DEFAULTS.contrast,
      colormap: COLORMAP_NAMES.includes(raw.colormap as ColormapName) ? (raw.colormap as ColormapName) : DEFAULTS.colormap,
      heightPx: typeof raw.heightPx === 'number' && raw.heightPx >= HEIGHT_RANGE.min && raw.heightPx <= HEIGHT_RANGE.max ? raw.heightPx : null,
      fftSize: FFT_SIZES.includes(raw.fftSize as FftSize) ? (raw.fftSize as FftSize) : null,
      minHz,
      maxHz,
    };
  } catch {
    return { ...DEFAULTS };
  }
}

/**
 * How the spectrogram is displayed, kept across sessions: gain, contrast and colour map (recolouring
 * only), its height, and the FFT size and frequency range it is computed with.
 */
export const useSpectrogramViewStore = defineStore('spectrogramView', () => {
  const saved = load();
  const gainDb = ref(saved.gainDb);
  const contrast = ref(saved.contrast);
  const colormap = ref<ColormapName>(saved.colormap);
  const heightPx = ref<number | null>(saved.heightPx);
  const fftSize = ref<FftSize | null>(saved.fftSize);
  const minHz = ref<number | null>(saved.minHz);
  const maxHz = ref<number | null>(saved.maxHz);
  const palette = computed(() => spectrogramPalette(colormap.value, gainDb.value, contrast.value));

  watch([gainDb, contrast, colormap, heightPx, fftSize, minHz, maxHz], () => {
    const settings: Saved = {
      gainDb: gainDb.value, contrast: contrast.value, colormap: colormap.value, heightPx: heightPx.value, fftSize: fftSize.value, minHz: minHz.value, maxHz: maxHz.value,
    };
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
    } catch {
      // Storage may be unavailable (private mode): the settings then last for this session.
    }
  });

  /** Sets the range shown; an empty or inverted range is refused (returns false) and nothing changes. */
  function setFrequencyRange(min: number | null, max: number | null): boolean {
    if ((min !== null && !isHz(min)) || (max !== null && !isHz(max)) || (min !== null && max !== null && min >= max)) return false;
    minHz.value = min;
    maxHz.value = max;
    return true;
  }

  function setHeight(px: number | null): void {
    heightPx.value = px === null ? null : Math.round(Math.min(HEIGHT_RANGE.max, Math.max(HEIGHT_RANGE.min, px)));
  }

  function reset(): void {
    gainDb.value = DEFAULTS.gainDb;
    contrast.value = DEFAULTS.contrast;
    colormap.value = DEFAULTS.colormap;
    heightPx.value = DEFAULTS.heightPx;
    fftSize.value = DEFAULTS.fftSize;
    minHz.value = DEFAULTS.minHz;
    maxHz.value = DEFAULTS.maxHz;
  }

  return { gainDb, contrast, colormap, heightPx, fftSize, minHz, maxHz, palette, setFrequencyRange, setHeight, reset };
});
