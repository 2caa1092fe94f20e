import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Shared helpers for the audio/feature tests: signals, spectra, temp dirs, external tools. */

export function tone(freq: number, rate: number, seconds: number, amplitude = 0.5, phase = 0): Float32Array {
  const n = Math.round(rate * seconds);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate + phase);
  return out;
}

export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

/** |DFT| at an arbitrary frequency (Hz), computed directly. */
export function dftMagnitude(x: Float32Array, rate: number, freq: number): number {
  let re = 0;
  let im = 0;
  const w = (2 * Math.PI * freq) / rate;
  for (let i = 0; i < x.length; i++) {
    re += x[i] * Math.cos(w * i);
    im -= x[i] * Math.sin(w * i);
  }
  return Math.hypot(re, im);
}

/**
 * Frequency (Hz, 1 Hz resolution on a 1-second signal) of the largest DFT magnitude:
 * a coarse search on a short Hann-windowed segment, refined on the whole signal.
 */
export function peakFrequency(x: Float32Array, rate: number): number {
  const n = 1024;
  const start = Math.max(0, Math.floor(x.length / 2) - n / 2);
  const seg = new Float32Array(n);
  for (let i = 0; i < n; i++) seg[i] = (x[start + i] ?? 0) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
  let coarse = 0;
  let coarseMag = -1;
  for (let k = 1; k < n / 2; k++) {
    const m = dftMagnitude(seg, n, k);
    if (m > coarseMag) [coarse, coarseMag] = [(k * rate) / n, m];
  }
  const span = Math.ceil((2 * rate) / n);
  let best = 0;
  let bestMag = -1;
  for (let f = Math.max(1, Math.round(coarse) - span); f <= Math.round(coarse) + span; f++) {
    const m = dftMagnitude(x, rate, f);
    if (m > bestMag) [best, bestMag] = [f, m];
  }
  return best;
}
import { createRng as rng } from '../../src-main/engine/random';

export { rng };

export function makeTempDir(prefix = 'earmark-audio-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function hasTool(name: string): boolean {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Compare two sample arrays without handing huge arrays to the matcher (its diff is slow):
 * returns a short description of the first difference, or 'equal'.
 */
export function compareSamples(a: Float32Array, b: Float32Array, tolerance = 0): string {
  if (a.length !== b.length) return `length ${a.length} != ${b.length}`;
  let worst = 0;
  let first = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= tolerance) && first < 0) first = i;
    if (d > worst || Number.isNaN(d)) worst = d;
  }
  return first < 0 ? 'equal' : `first difference at ${first}: ${a[first]} vs ${b[first]} (max |diff| ${worst})`;
}
