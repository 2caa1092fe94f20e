/** FFT sizes offered for the spectrogram (the API accepts powers of two from 256 to 4096). */
export const FFT_SIZES = [256, 512, 1024, 2048, 4096] as const;
export type FftSize = (typeof FFT_SIZES)[number];

/** The spectrogram's height when set by dragging, pixels. */
export const HEIGHT_RANGE = { min: 80, max: 1200 } as const;

/** A frequency typed by the user: Hz, or with a "k" kHz ("2.5k"); empty is null (the default edge). */
export function parseFrequency(text: string): { ok: true; value: number | null } | { ok: false } {
  const t = text.trim().toLowerCase().replace(/\s*hz$/, '');
  if (t === '') return { ok: true, value: null };
  const match = /^(\d+(?:\.\d+)?)(k?)$/.exec(t);
  if (!match) return { ok: false };
  const value = Number(match[1]) * (match[2] ? 1000 : 1);
  return Number.isFinite(value) ? { ok: true, value } : { ok: false };
}
