import { describe, expect, it } from 'vitest';
import { createRng } from '../../src-main/engine/mix/prng';
import { backgroundExcerpt, loopPeriod, renderBackground, renderMixture, rms } from '../../src-main/engine/mix/render';
import { audibleExtent, EVENT_EXTENT } from '../../src-main/engine/mix/trim';

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
      const out = renderMixture(background, [{ samples: event, onset, ebrDb }]);
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
    const out = renderMixture(background, [{ samples: event, onset: 1000, ebrDb: 6 }]);
    expect(out.mixGain).toBeLessThan(1);
    const peak = out.samples.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(peak).toBeCloseTo(0.98, 5);
    expect(ebrOf(out.samples, background, out.mixGain, 1000, event.length)).toBeCloseTo(6, 3);
  });

  it('leaves a background-only mixture as the background and does not modify its inputs', () => {
    const background = noise(1000, 0.2);
    const copy = background.slice();
    const out = renderMixture(background, []);
    expect(out.samples).toEqual(background);
    expect(out.eventGains).toEqual([]);
    expect(background).toEqual(copy);
  });

  it('meets the EBR of each event against the background under it when there are several', () => {
    const background = noise(6 * RATE, 0.1);
    for (let i = 3 * RATE; i < background.length; i++) background[i] *= 0.1; // a quieter second half
    const events = [
      { samples: tone(RATE / 2, 0.3), onset: 1000, ebrDb: -6 },
      { samples: tone(RATE / 4, 0.05, 500), onset: 4 * RATE, ebrDb: 6 },
    ];
    const out = renderMixture(background, events);
    expect(out.eventGains).toHaveLength(2);
    for (const e of events) expect(ebrOf(out.samples, background, out.mixGain, e.onset, e.samples.length)).toBeCloseTo(e.ebrDb, 3);
  });

  it('refuses an event that does not fit', () => {
    expect(() => renderMixture(noise(100, 0.1), [{ samples: tone(50, 0.1), onset: 60, ebrDb: 0 }])).toThrow(RangeError);
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

describe('renderBackground', () => {
  const piece = { looped: false, fadeIn: 0, fadeOut: 0 };

  it('gives a single unfaded piece exactly as its excerpt, looped when short', () => {
    const src = noise(1000, 0.5);
    const audioOf = () => src;
    expect(renderBackground([{ ...piece, file: 'a', start: 100, at: 0, length: 300 }], 300, audioOf, RATE, 0.001)).toEqual(src.slice(100, 400));
    const looped = renderBackground([{ ...piece, file: 'a', start: 850, at: 0, length: 2500, looped: true }], 2500, audioOf, RATE, 100 / RATE);
    expect(looped).toEqual(backgroundExcerpt(src, 850, 2500, 100));
  });

  it('joins pieces with an equal-power crossfade', () => {
    const files: Record<string, Float32Array> = { a: new Float32Array(1000).fill(0.5), b: new Float32Array(1000).fill(-0.25) };
    const out = renderBackground(
      [
        { ...piece, file: 'a', start: 0, at: 0, length: 600, fadeOut: 100 },
        { ...piece, file: 'b', start: 200, at: 500, length: 500, fadeIn: 100 },
      ],
      1000,
      (f) => files[f],
      RATE,
      0,
    );
    expect(out[0]).toBe(0.5);
    expect(out[499]).toBe(0.5);
    expect(out[600]).toBe(-0.25);
    expect(out[999]).toBe(-0.25);
    for (let i = 500; i < 600; i++) {
      const theta = (Math.PI / 2) * ((i - 500 + 0.5) / 100);
      expect(out[i]).toBeCloseTo(0.5 * Math.cos(theta) - 0.25 * Math.sin(theta), 6);
    }
    expect(() => renderBackground([{ ...piece, file: 'a', start: 0, at: 900, length: 200 }], 1000, (f) => files[f], RATE, 0)).toThrow(RangeError);
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
    expect(audibleExtent(signal, RATE, { frameSeconds: 0.01, thresholdDb: 30 })!.start).toBe(0.5 * RATE);
    expect(audibleExtent(signal, RATE, { frameSeconds: 0.01, thresholdDb: 45 })!.start).toBe(0);
    expect(audibleExtent(new Float32Array(100), RATE)).toBeNull();
  });

  it('does not annotate a near-silent lead-in from one click within 40 dB of the event (EVENT_EXTENT)', () => {
    // 2 s of a lead-in 42 dB below the cry with one 10 ms click 26 dB below it, then the cry.
    const signal = new Float32Array(3 * RATE);
    signal.set(tone(2 * RATE, 0.003), 0);
    signal.set(tone(0.01 * RATE, 0.02), RATE);
    signal.set(tone(RATE, 0.4), 2 * RATE);
    const extent = audibleExtent(signal, RATE)!;
    expect(Math.abs(extent.start - 2 * RATE)).toBeLessThanOrEqual(EVENT_EXTENT.frameSeconds * RATE);
    expect(extent.end).toBe(3 * RATE);
    // The old rule (10 ms frames, 40 dB) started the event at the click.
    const old = audibleExtent(signal, RATE, { frameSeconds: 0.01, thresholdDb: 40 })!;
    expect(Math.abs(old.start - RATE)).toBeLessThanOrEqual(0.01 * RATE);
  });
});
