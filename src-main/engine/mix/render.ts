import type { BackgroundPiece, MixturePlan } from './types';

/** Mixtures are scaled down so that no sample exceeds this (fraction of full scale). */
export const PEAK_LIMIT = 0.98;
/** Background RMS assumed under an event when the background is digitally silent there. */
const MIN_BACKGROUND_RMS = 1e-5;

export function rms(samples: Float32Array, from = 0, to = samples.length): number {
  if (to <= from) return 0;
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / (to - from));
}

/** Crossfade used when looping a background of `length` samples: at most a quarter of it. */
export function loopCrossfadeLength(length: number, sampleRate: number, crossfadeSeconds: number): number {
  return Math.max(0, Math.min(Math.round(crossfadeSeconds * sampleRate), Math.floor(length / 4)));
}

/**
 * One period of a seamless loop of `source`: its last `crossfade` samples are faded (equal power, as the
 * two ends are uncorrelated) into its first ones, so the period is `source.length - crossfade` samples.
 */
export function loopPeriod(source: Float32Array, crossfade: number): Float32Array {
  const period = source.length - crossfade;
  const out = source.slice(0, period);
  for (let i = 0; i < crossfade; i++) {
    const theta = (Math.PI / 2) * ((i + 0.5) / crossfade);
    out[i] = source[i] * Math.sin(theta) + source[period + i] * Math.cos(theta);
  }
  return out;
}

/** `length` samples of background from `start`; a background shorter than that is looped with a crossfade. */
export function backgroundExcerpt(source: Float32Array, start: number, length: number, crossfade: number): Float32Array {
  if (source.length >= length) {
    if (start < 0 || start + length > source.length) throw new RangeError(`background excerpt [${start}, ${start + length}) outside ${source.length} samples`);
    return source.slice(start, start + length);
  }
  const period = loopPeriod(source, crossfade);
  if (period.length === 0) throw new RangeError('cannot loop an empty background');
  const out = new Float32Array(length);
  let p = start % period.length;
  for (let n = 0; n < length; n++) {
    out[n] = period[p];
    if (++p === period.length) p = 0;
  }
  return out;
}

export interface EventPlacement {
  /** The event samples to add (already cut to the placed part). */
  samples: Float32Array;
  /** First mixture sample of the event. */
  onset: number;
  /** 20 log10(RMS(event) / RMS(background under the event)), dB. */
  ebrDb: number;
}

export interface RenderedMixture {
  samples: Float32Array;
  /** Gain applied to each event before mixing, so that its EBR is met. */
  eventGains: number[];
  /** Gain applied to the whole mixture afterwards (< 1 when it would have peaked above PEAK_LIMIT). */
  mixGain: number;
}

/**
 * Background plus events, each at its requested EBR against the background under it, scaled down as a whole
 * if it would peak above PEAK_LIMIT (a common scale keeps the EBRs). Pure: the inputs are not modified.
 */
export function renderMixture(background: Float32Array, events: readonly EventPlacement[], peakLimit = PEAK_LIMIT): RenderedMixture {
  const out = background.slice();
  const eventGains: number[] = [];
  for (const { samples, onset, ebrDb } of events) {
    if (onset < 0 || onset + samples.length > out.length) {
      throw new RangeError(`event [${onset}, ${onset + samples.length}) does not fit in a mixture of ${out.length} samples`);
    }
    const eventRms = rms(samples);
    if (!(eventRms > 0)) throw new Error('event is silent');
    const backgroundRms = Math.max(rms(background, onset, onset + samples.length), MIN_BACKGROUND_RMS);
    const eventGain = (10 ** (ebrDb / 20) * backgroundRms) / eventRms;
    for (let i = 0; i < samples.length; i++) out[onset + i] += eventGain * samples[i];
    eventGains.push(eventGain);
  }
  let peak = 0;
  for (let i = 0; i < out.length; i++) {
    const a = Math.abs(out[i]);
    if (a > peak) peak = a;
  }
  let mixGain = 1;
  if (peak > peakLimit) {
    mixGain = peakLimit / peak;
    for (let i = 0; i < out.length; i++) out[i] *= mixGain;
  }
  return { samples: out, eventGains, mixGain };
}

/** Decoded corpus audio at the mix rate, by corpus-relative path. */
export type AudioOf = (file: string) => Float32Array;

/** The background of a mixture: its pieces, each excerpted (looped if need be), faded in and out, and summed. */
export function renderBackground(pieces: readonly BackgroundPiece[], length: number, audioOf: AudioOf, sampleRate: number, loopCrossfadeSeconds: number): Float32Array {
  const out = new Float32Array(length);
  for (const piece of pieces) {
    if (piece.at < 0 || piece.at + piece.length > length) throw new RangeError(`background piece [${piece.at}, ${piece.at + piece.length}) outside ${length} samples`);
    const source = audioOf(piece.file);
    const excerpt = backgroundExcerpt(source, piece.start, piece.length, loopCrossfadeLength(source.length, sampleRate, loopCrossfadeSeconds));
    // Equal-power fades (the pieces are uncorrelated), matching loopPeriod's crossfade.
    for (let i = 0; i < piece.fadeIn; i++) excerpt[i] *= Math.sin((Math.PI / 2) * ((i + 0.5) / piece.fadeIn));
    for (let i = 0; i < piece.fadeOut; i++) excerpt[piece.length - piece.fadeOut + i] *= Math.cos((Math.PI / 2) * ((i + 0.5) / piece.fadeOut));
    for (let i = 0; i < excerpt.length; i++) out[piece.at + i] += excerpt[i];
  }
  return out;
}

/** Renders a plan from the decoded corpus audio. */
export function renderPlan(plan: MixturePlan, audioOf: AudioOf, sampleRate: number, loopCrossfadeSeconds: number): RenderedMixture {
  const background = renderBackground(plan.backgrounds, plan.length, audioOf, sampleRate, loopCrossfadeSeconds);
  const events = plan.events.map((e) => ({ samples: audioOf(e.file).subarray(e.sourceStart, e.sourceStart + e.length), onset: e.onset, ebrDb: e.ebrDb }));
  return renderMixture(background, events);
}
