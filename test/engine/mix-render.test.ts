import { describe, expect, it } from 'vitest';
import { createRng } from '../../src-main/engine/mix/prng';
import { backgroundExcerpt, loopPeriod, renderMixture, rms } from '../../src-main/engine/mix/render';
import { audibleExtent } from '../../src-main/engine/mix/trim';

const RATE = 16000;

function noise(length: number, amplitude: number, seed = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => amplitude * (rng.next() * 2 - 1));
}

function tone(length: number, amplitude: number, hz = 1000): Float32Array {
  return Float32Array.from({ length }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));
}

function ebrOf(mix: Float32Array, background: Float32Array, mixGain: number, onset: number, length: number): number {
  const eventPart = new Float32Array(length);
  for (let i = 0; i < length; i++) eventPart[i] = mix[onset + i] - mixGain * background[onset + i];
  const bgPart = background.subarray(onset, onset + length).map((x) => x * mixGain);
  return 20 * Math.log10(rms(eventPart) / rms(bgPart));
}

describe('renderMixture', () => {
  it('meets the requested EBR, measured from the rendered signal', () => {
    const background = noise(5 * RATE, 0.1);
    const event = tone(RATE / 2, 0.3);
    for (const ebrDb of [-6, 0, 6]) {
      const onset = 12345;
      const out = renderMixture(background, { samples: event, onset, ebrDb });
      expect(out.mixGain).toBe(1);
      expect(ebrOf(out.samples, background, out.mixGain, onset, event.length)).toBeCloseTo(ebrDb, 4);
      // Outside the event, the mixture is the background untouched.
      expect(out.samples[onset - 1]).toBe(background[onset - 1]);
      expect(out.samples[onset + event.length]).toBe(background[onset + event.length]);
    }
  });

  it('scales the whole mixture below 0.98 FS when it would peak higher, keeping the EBR', () => {
    const background = noise(RATE, 0.5);
    const event = tone(RATE / 4, 0.2);
    const out = renderMixture(background, { samples: event, onset: 1000, ebrDb: 6 });
    expect(out.mixGain).toBeLessThan(1);
    const peak = out.samples.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(peak).toBeCloseTo(0.98, 5);
    expect(ebrOf(out.samples, background, out.mixGain, 1000, event.length)).toBeCloseTo(6, 3);
  });

  it('leaves a background-only mixture as the background and does not modify its inputs', () => {
    const background = noise(1000, 0.2);
    const copy = background.slice();
    const out = renderMixture(background, null);
    expect(out.samples).toEqual(background);
    expect(out.eventGain).toBe(0);
    expect(background).toEqual(copy);
  });

  it('refuses an event that does not fit', () => {
    expect(() => renderMixture(noise(100, 0.1), { samples: tone(50, 0.1), onset: 60, ebrDb: 0 })).toThrow(RangeError);
  });
});

describe('background excerpt', () => {
  it('slices a long enough background', () => {
    const src = noise(1000, 0.5);
    expect(backgroundExcerpt(src, 100, 300, 10)).toEqual(src.slice(100, 400));
  });

  it('loops a short background through a crossfade without a jump', () => {
    // A ramp makes the loop seam visible: without a crossfade it would jump from 1 to 0.
    const src = Float32Array.from({ length: 1000 }, (_, i) => i / 1000);
    const period = loopPeriod(src, 100);
    expect(period.length).toBe(900);
    const out = backgroundExcerpt(src, 850, 2500, 100);
    expect(out.length).toBe(2500);
    expect(out[0]).toBe(period[850]);
    expect(out[50]).toBe(period[0]);
    expect(out[950]).toBe(period[0]);
    let maxStep = 0;
    for (let i = 1; i < out.length; i++) maxStep = Math.max(maxStep, Math.abs(out[i] - out[i - 1]));
    expect(maxStep).toBeLessThan(0.05);
  });
});

describe('audibleExtent', () => {
  it('finds a tone burst between silences to within a frame', () => {
    const signal = new Float32Array(RATE);
    signal.set(tone(0.5 * RATE, 0.5), 0.2 * RATE);
    const extent = audibleExtent(signal, RATE)!;
    expect(Math.abs(extent.start - 0.2 * RATE)).toBeLessThanOrEqual(160);
    expect(Math.abs(extent.end - 0.7 * RATE)).toBeLessThanOrEqual(160);
  });

  it('keeps quiet parts within the threshold and returns null for silence', () => {
    const signal = new Float32Array(RATE);
    signal.set(tone(0.1 * RATE, 0.005), 0); // a lead-in 41.6 dB below the burst
    signal.set(tone(0.1 * RATE, 0.6), 0.5 * RATE);
    expect(audibleExtent(signal, RATE, { thresholdDb: 30 })!.start).toBe(0.5 * RATE);
    expect(audibleExtent(signal, RATE, { thresholdDb: 45 })!.start).toBe(0);
    expect(audibleExtent(new Float32Array(100), RATE)).toBeNull();
  });
});
