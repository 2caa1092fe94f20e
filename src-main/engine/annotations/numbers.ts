const MAX_DECIMALS = 6;

/**
 * Writes a time or frequency so that it reads back as the same number, without float noise:
 * up to 6 decimals (trailing zeros trimmed) when that is exact or differs only by rounding noise
 * (0.30000000000000004 -> "0.3"); the shortest exact form otherwise (e.g. 0.8814731551300574),
 * so precise inputs survive a round trip.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} as an annotation number`);
  const fixed = trimFixed(value.toFixed(MAX_DECIMALS));
  const back = Number(fixed);
  if (back === value || Math.abs(back - value) <= 1e-12 * Math.max(1, Math.abs(value))) return fixed;
  return String(value);
}

function trimFixed(text: string): string {
  if (!text.includes('.')) return text;
  const trimmed = text.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '-0' ? '0' : trimmed;
}

const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** True when the text is a plain decimal number (no hex, no empty string, no "Infinity"). */
export function isNumeric(text: string): boolean {
  return NUMBER_PATTERN.test(text.trim());
}

/** Parses a decimal number; undefined when the text is not one. */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!NUMBER_PATTERN.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}
