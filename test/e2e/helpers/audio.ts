import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeWav } from '../../../src-main/engine/audio/wav';

export const SAMPLE_RATE = 16_000;
export const DURATION = 10;

/** One event a generated file contains (and the scripted detector reports). */
export interface PlantedEvent {
  label: string;
  onset: number;
  offset: number;
  confidence: number;
}

export interface PlantedFile {
  /** Path relative to the folder, '/'-separated. */
  relPath: string;
  events: PlantedEvent[];
}

/** The generated folder: a babycry-like harmonic call, a glass-like burst plus a gunshot-like impulse, and a quiet file. */
export const PLANTED: PlantedFile[] = [
  { relPath: 'day1/rec_a.wav', events: [{ label: 'babycry', onset: 1, offset: 2.5, confidence: 0.92 }] },
  {
    relPath: 'rec_b.wav',
    events: [
      { label: 'glassbreak', onset: 3, offset: 3.4, confidence: 0.81 },
      { label: 'gunshot', onset: 6.2, offset: 6.5, confidence: 0.66 },
    ],
  },
  { relPath: 'rec_c.wav', events: [] },
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function synth(events: PlantedEvent[], seed: number): Float32Array {
  const n = SAMPLE_RATE * DURATION;
  const x = new Float32Array(n);
  const rand = rng(seed);
  for (let i = 0; i < n; i++) x[i] = (rand() * 2 - 1) * 0.015; // room noise
  for (const ev of events) {
    const a = Math.round(ev.onset * SAMPLE_RATE);
    const b = Math.round(ev.offset * SAMPLE_RATE);
    let lp = 0;
    for (let i = a; i < b; i++) {
      const t = (i - a) / SAMPLE_RATE;
      const len = (b - a) / SAMPLE_RATE;
      const env = Math.min(1, t / 0.01) * Math.min(1, (len - t) / 0.02);
      let v = 0;
      if (ev.label === 'babycry') {
        const f0 = 450 + 60 * Math.sin(2 * Math.PI * 5 * t);
        for (let h = 1; h <= 6; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
        v *= 0.35;
      } else if (ev.label === 'glassbreak') {
        const hiss = rand() * 2 - 1;
        v = 0.6 * Math.exp(-t * 9) * (hiss - lp);
        lp = hiss;
        for (const f of [3100, 4700, 6200]) v += 0.12 * Math.exp(-t * 6) * Math.sin(2 * Math.PI * f * t);
      } else {
        v = 0.9 * Math.exp(-t * 25) * (rand() * 2 - 1);
      }
      x[i] += v * env;
    }
  }
  return x;
}

/** Writes the planted files under `dir`; returns their absolute paths. */
export function writeAudioFolder(dir: string, planted: readonly PlantedFile[] = PLANTED): string[] {
  return planted.map((file, i) => {
    const abs = path.join(dir, ...file.relPath.split('/'));
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, encodeWav(synth(file.events, 1234 + i), SAMPLE_RATE));
    return abs;
  });
}
