/** A snapshot of a detection batch, for progress display. */
export interface DetectProgress {
  filesDone: number;
  filesFailed: number;
  filesSkipped: number;
  filesTotal: number;
  audioSeconds: number;
  bytesDone: number;
  bytesTotal: number;
  elapsedSeconds: number;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

/** One line: files done/total, hours of audio, speed as a multiple of real time, ETA by bytes left. */
export function formatProgress(p: DetectProgress): string {
  const finished = p.filesDone + p.filesFailed + p.filesSkipped;
  const speed = p.elapsedSeconds > 0 ? p.audioSeconds / p.elapsedSeconds : 0;
  const left = p.bytesTotal - p.bytesDone;
  const eta = p.bytesDone > 0 ? (p.elapsedSeconds * left) / p.bytesDone : Infinity;
  const width = 20;
  const filled = p.filesTotal > 0 ? Math.round((finished / p.filesTotal) * width) : width;
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${finished}/${p.filesTotal} files` +
    `${p.filesFailed ? ` (${p.filesFailed} failed)` : ''}, ${(p.audioSeconds / 3600).toFixed(2)} h audio, ` +
    `${speed.toFixed(0)}x real time, ETA ${finished === p.filesTotal ? '0:00' : clock(eta)}`
  );
}
