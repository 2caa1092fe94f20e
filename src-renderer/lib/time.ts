/** `75.5` → `1:15.500`; hours appear only when needed. */
export function formatTime(seconds: number, decimals = 3): string {
  if (!Number.isFinite(seconds)) return '–';
  const sign = seconds < 0 ? '-' : '';
  const scale = 10 ** decimals;
  const total = Math.round(Math.abs(seconds) * scale) / scale;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total - h * 3600 - m * 60;
  const sText = decimals > 0 ? s.toFixed(decimals).padStart(decimals + 3, '0') : String(Math.round(s)).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, '0')}:${sText}` : `${sign}${m}:${sText}`;
}

/** Short duration for lists: `42.1 s`, `3:07`, `1:02:03`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const t = Math.round(seconds);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
}

/**
 * Parse what a user types in a time cell: `12.5`, `1:02.25`, `1:00:03`.
 * Returns the seconds, or an error message saying what is wrong.
 */
export function parseTime(text: string): { ok: true; value: number } | { ok: false; error: string } {
  const t = text.trim();
  if (t === '') return { ok: false, error: 'empty time' };
  const parts = t.split(':');
  if (parts.length > 3) return { ok: false, error: `"${t}" is not a time (use s, m:s or h:m:s)` };
  let value = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const last = i === parts.length - 1;
    if (!(last ? /^\d+(\.\d*)?$|^\.\d+$/ : /^\d+$/).test(p)) return { ok: false, error: `"${t}" is not a time (use s, m:s or h:m:s)` };
    const n = Number(p);
    if (!last && i > 0 && n >= 60) return { ok: false, error: `"${t}": minutes must be below 60` };
    if (last && parts.length > 1 && n >= 60) return { ok: false, error: `"${t}": seconds must be below 60` };
    value = value * 60 + n;
  }
  return { ok: true, value };
}
