import { studioCsp } from '../server/security-headers';

/** CSP of the studio window in Electron (served as a header on earmark://app): our bundle only, media from earmark://media, nothing remote. */
export const ELECTRON_CSP = studioCsp(['earmark:']);

export const MEDIA_SCHEME = 'earmark';

/** earmark://media/<id> -> id, or null. */
export function mediaIdFromUrl(url: string): number | null {
  const match = /^earmark:\/\/media\/(\d{1,15})$/.exec(url.split('?')[0]);
  if (!match) return null;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
