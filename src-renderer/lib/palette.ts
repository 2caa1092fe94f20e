/** Stable colour per label: the DCASE classes get fixed hues, any other label a hue from its name. */
const FIXED: Record<string, string> = {
  babycry: '#4fa3ff',
  glassbreak: '#3ddbb0',
  gunshot: '#ff6b5e',
};

const EXTRA = ['#f5b942', '#c07cff', '#ff8fc8', '#9bd34a', '#5ed3f3', '#ff9a52', '#b4a7ff', '#e0d25c'];

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function labelColor(label: string): string {
  return FIXED[label] ?? EXTRA[hash(label) % EXTRA.length];
}

/** A colour for a new label: the first of the palette no label uses yet. */
export function unusedLabelColor(used: readonly string[]): string {
  const taken = new Set(used.map((c) => c.toLowerCase()));
  return [...Object.values(FIXED), ...EXTRA].find((c) => !taken.has(c)) ?? EXTRA[used.length % EXTRA.length];
}

/** `#rrggbb` → `rgba(r, g, b, alpha)`. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  const a = Math.max(0, Math.min(1, alpha));
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a.toFixed(3)})`;
}

/** Region fill from a label colour: stronger for confident or verified events, faint for weak predictions. */
export function regionFill(color: string, confidence: number | null | undefined, verified: boolean): string {
  const c = verified ? 1 : Math.max(0, Math.min(1, confidence ?? 1));
  return withAlpha(color, 0.1 + 0.2 * c);
}
