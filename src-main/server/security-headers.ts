/**
 * Content-Security-Policy of the studio page, shared by both hosts: only our own origin, no inline scripts,
 * no eval. `extraMedia` adds media sources (Electron serves audio from its own scheme).
 */
export function studioCsp(extraMedia: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Vue transitions and wavesurfer set inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    ["media-src 'self' blob:", ...extraMedia].join(' '),
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** CSP of the studio page in browser mode. */
export const BROWSER_CSP = studioCsp();

/** Headers sent with every response. The token travels in URLs, so no Referer may leak it. */
export const COMMON_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
