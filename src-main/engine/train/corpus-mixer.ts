import { BackgroundSubtractor } from '../features/background';
import { frameDuration, type FeatureConfig } from '../features/config';
import { hzToMel, melToHz } from '../features/mel';
import type { MelCorpus, MelSource } from './corpus-sources';

/**
 * Fresh training mixtures drawn in the mel-power domain: a background bed (sometimes two), target events at
 * random times and event-to-background ratios, unlabelled distractors, and channel and room effects. Mel
 * power adds like signal power when the sources are uncorrelated, so summing mel powers and then taking the
 * log approximates the log-mel of the waveform mixture at a tiny fraction of its cost (see the parity test).
 */
export interface CorpusMixing {
  /** Probability that a crop holds a target event. */
  eventProbability: number;
  /** After each target event, the probability of one more (up to maxEvents): short events need company to be seen often. */
  extraEventProbability: number;
  maxEvents: number;
  /** Event-to-background ratio range, dB (uniform). */
  ebrDb: [number, number];
  /** Overall level of the bed, dB (uniform): the recording's gain. */
  bedGainDb: [number, number];
  /** Probability of layering a second background bed, and its level relative to the first, dB. */
  secondBedProbability: number;
  secondBedDb: [number, number];
  /** Probability of one unlabelled distractor, and its level relative to the bed, dB. */
  distractorProbability: number;
  distractorDb: [number, number];
  /** Time stretch of events and distractors (frame resampling), as a factor range. */
  stretch: [number, number];
  /** Probability of shifting an event by up to maxBandShift mel bands (a small pitch change). */
  bandShiftProbability: number;
  maxBandShift: number;
  /** Probability of room reverb on an event, and its RT60 range, seconds. */
  reverbProbability: number;
  rt60: [number, number];
  /** Probability of a random smooth EQ on the whole crop, and its largest gain, dB. */
  eqProbability: number;
  eqDb: number;
  /** Probability of a telephone-like band limit (300-3400 Hz) on the whole crop. */
  bandLimitProbability: number;
  /** Frames mixed before the crop so the background estimate has settled (only with background subtraction). */
  leadInSeconds: number;
}

export const DEFAULT_CORPUS_MIXING: CorpusMixing = {
  eventProbability: 0.75,
  extraEventProbability: 0.45,
  maxEvents: 3,
  ebrDb: [-9, 9],
  bedGainDb: [-12, 12],
  secondBedProbability: 0.4,
  secondBedDb: [-15, 0],
  distractorProbability: 0.4,
  distractorDb: [-6, 9],
  stretch: [0.9, 1.1],
  bandShiftProbability: 0.3,
  maxBandShift: 1,
  reverbProbability: 0.3,
  rt60: [0.2, 1.2],
  eqProbability: 0.3,
  eqDb: 6,
  bandLimitProbability: 0.1,
  leadInSeconds: 3,
};

export interface MixedCrop {
  /** [frames x bands] features as the model's front end would give them (before the model's band normalisation). */
  features: Float32Array;
  /** [frames x classes] 0/1 activity. */
  targets: Float32Array;
}

const uniform = (rng: () => number, [lo, hi]: [number, number]) => lo + rng() * (hi - lo);
const pick = <T>(rng: () => number, items: T[]) => items[Math.floor(rng() * items.length)];
const dbToPower = (db: number) => 10 ** (db / 10);

/** Mel band centre frequencies, Hz. */
function bandCentres(features: FeatureConfig): Float64Array {
  const lo = hzToMel(features.fmin);
  const hi = hzToMel(features.fmax);
  return Float64Array.from({ length: features.melBands }, (_, b) => melToHz(lo + ((b + 1) * (hi - lo)) / (features.melBands + 1)));
}

/** A source's frames resampled in time by `factor` (>1 longer) and shifted by `shift` bands. */
function transformSource(src: MelSource, bands: number, factor: number, shift: number): { power: Float32Array; frames: number } {
  const frames = Math.max(1, Math.round(src.frames * factor));
  const power = new Float32Array(frames * bands);
  for (let f = 0; f < frames; f++) {
    const s = Math.min(src.frames - 1, Math.floor(f / factor));
    for (let b = 0; b < bands; b++) power[f * bands + b] = src.power[s * bands + Math.min(bands - 1, Math.max(0, b - shift))];
  }
  return { power, frames };
}

/** Exponential room tail per band, in place: frames grow by the tail's length. */
function addReverb(src: { power: Float32Array; frames: number }, bands: number, frameSeconds: number, rt60: number, wet: number): { power: Float32Array; frames: number } {
  const decay = Math.exp((-6.91 * frameSeconds) / rt60);
  const tail = Math.ceil(rt60 / frameSeconds);
  const frames = src.frames + tail;
  const out = new Float32Array(frames * bands);
  const state = new Float64Array(bands);
  for (let f = 0; f < frames; f++) {
    for (let b = 0; b < bands; b++) {
      const dry = f < src.frames ? src.power[f * bands + b] : 0;
      state[b] = decay * state[b] + (1 - decay) * dry;
      out[f * bands + b] = dry + wet * state[b];
    }
  }
  return { power: out, frames };
}

function meanFramePower(power: Float32Array, bands: number, from: number, to: number): number {
  let sum = 0;
  for (let i = from * bands; i < to * bands; i++) sum += power[i];
  return sum / Math.max(1, to - from);
}

/** Adds `gain` x source frames into mix starting at frame `at` (clipped to the mix). */
function addInto(mix: Float64Array, frames: number, bands: number, src: { power: Float32Array; frames: number }, at: number, gain: number): void {
  const from = Math.max(0, at);
  const to = Math.min(frames, at + src.frames);
  for (let f = from; f < to; f++) {
    const s = (f - at) * bands;
    const d = f * bands;
    for (let b = 0; b < bands; b++) mix[d + b] += gain * src.power[s + b];
  }
}

/** Frames [0, frames) of a background from a random start, looping it when it is shorter. */
function bedExcerpt(src: MelSource, frames: number, bands: number, rng: () => number): Float32Array {
  const out = new Float32Array(frames * bands);
  const start = Math.floor(rng() * Math.max(1, src.frames - (src.frames > frames ? frames : 0)));
  for (let f = 0; f < frames; f++) {
    const s = (start + f) % src.frames;
    out.set(src.power.subarray(s * bands, (s + 1) * bands), f * bands);
  }
  return out;
}

export class CorpusMixer {
  private readonly bands: number;
  private readonly frameSeconds: number;
  private readonly centres: Float64Array;
  private readonly labels: string[];

  constructor(private readonly corpus: MelCorpus, private readonly classes: string[], private readonly features: FeatureConfig, private readonly mixing: CorpusMixing = DEFAULT_CORPUS_MIXING) {
    this.bands = features.melBands;
    this.frameSeconds = frameDuration(features);
    this.centres = bandCentres(features);
    this.labels = classes.filter((c) => (corpus.events[c]?.length ?? 0) > 0);
    if (corpus.backgrounds.length === 0) throw new Error('corpus mixing: no background in the training split');
    if (this.labels.length === 0) throw new Error(`corpus mixing: no event of ${classes.join(', ')} in the training split`);
  }

  /** One crop of `frames` frames. */
  crop(frames: number, rng: () => number): MixedCrop {
    const { bands, mixing: m } = this;
    const lead = this.features.background ? Math.round(m.leadInSeconds / this.frameSeconds) : 0;
    const total = lead + frames;
    const mix = new Float64Array(total * bands);
    const bed = bedExcerpt(pick(rng, this.corpus.backgrounds), total, bands, rng);
    const bedGain = dbToPower(uniform(rng, m.bedGainDb));
    for (let i = 0; i < mix.length; i++) mix[i] = bedGain * bed[i];
    if (rng() < m.secondBedProbability) {
      const second = bedExcerpt(pick(rng, this.corpus.backgrounds), total, bands, rng);
      const g = bedGain * dbToPower(uniform(rng, m.secondBedDb));
      for (let i = 0; i < mix.length; i++) mix[i] += g * second[i];
    }
    const bedOnly = Float32Array.from(mix);
    const targets = new Float32Array(frames * this.classes.length);
    const occupied: [number, number][] = [];
    let events = rng() < m.eventProbability ? 1 : 0;
    while (events > 0 && events < m.maxEvents && rng() < m.extraEventProbability) events++;
    for (let e = 0; e < events; e++) {
      const label = pick(rng, this.labels);
      const sound = this.shape(pick(rng, this.corpus.events[label]), rng, true);
      const placed = Math.min(sound.dryFrames, frames);
      const at = this.placement(frames, placed, occupied, rng);
      if (at === undefined) continue;
      occupied.push([at, at + placed]);
      const gain = this.levelFor(sound, bedOnly, lead + at, uniform(rng, m.ebrDb));
      addInto(mix, total, bands, sound, lead + at, gain);
      const c = this.classes.indexOf(label);
      for (let f = at; f < at + placed; f++) targets[f * this.classes.length + c] = 1;
    }
    if (this.corpus.distractors.length > 0 && rng() < m.distractorProbability) {
      const sound = this.shape(pick(rng, this.corpus.distractors), rng, false);
      const at = Math.floor(rng() * (frames + sound.frames)) - sound.frames + 1;
      addInto(mix, total, bands, sound, lead + at, this.levelFor(sound, bedOnly, lead + Math.max(0, at), uniform(rng, m.distractorDb)));
    }
    this.applyChannel(mix, total, rng);
    const logFloor = this.features.logFloor;
    const out = new Float32Array(total * bands);
    for (let i = 0; i < out.length; i++) out[i] = Math.log(mix[i] + logFloor);
    if (this.features.background) new BackgroundSubtractor(bands, this.frameSeconds, this.features.background).apply(out, total);
    return { features: out.slice(lead * bands), targets };
  }

  /** An event or distractor after stretch, band shift and reverb; dryFrames is the labelled part. */
  private shape(src: MelSource, rng: () => number, isEvent: boolean): { power: Float32Array; frames: number; dryFrames: number } {
    const m = this.mixing;
    const shift = isEvent && rng() < m.bandShiftProbability ? Math.round((rng() * 2 - 1) * m.maxBandShift) : 0;
    let sound = transformSource(src, this.bands, uniform(rng, m.stretch), shift);
    const dryFrames = sound.frames;
    if (rng() < m.reverbProbability) sound = addReverb(sound, this.bands, this.frameSeconds, uniform(rng, m.rt60), 0.2 + 0.8 * rng());
    return { ...sound, dryFrames };
  }

  /** Power gain that puts a sound `ratioDb` above the bed over the frames it covers (DCASE EBR, in mel power). */
  private levelFor(sound: { power: Float32Array; frames: number }, bed: Float32Array, at: number, ratioDb: number): number {
    const total = bed.length / this.bands;
    const from = Math.max(0, at);
    const to = Math.min(total, at + sound.frames);
    const bedPower = meanFramePower(bed, this.bands, from, Math.max(from + 1, to));
    const soundPower = meanFramePower(sound.power, this.bands, 0, sound.frames);
    if (!(soundPower > 0)) return 0;
    return (dbToPower(ratioDb) * Math.max(bedPower, 1e-12)) / soundPower;
  }

  /** A start frame where `length` frames fit inside the crop without overlapping earlier events. */
  private placement(frames: number, length: number, occupied: [number, number][], rng: () => number): number | undefined {
    for (let attempt = 0; attempt < 8; attempt++) {
      const at = Math.floor(rng() * (frames - length + 1));
      if (occupied.every(([a, b]) => at + length <= a || at >= b)) return at;
    }
    return undefined;
  }

  /** The recording channel: a smooth random EQ, or a telephone band, over the whole crop. */
  private applyChannel(mix: Float64Array, frames: number, rng: () => number): void {
    const m = this.mixing;
    const gains = new Float64Array(this.bands).fill(1);
    let any = false;
    if (rng() < m.eqProbability) {
      any = true;
      const a1 = (rng() * 2 - 1) * m.eqDb;
      const a2 = (rng() * 2 - 1) * m.eqDb * 0.5;
      const phase = rng() * Math.PI * 2;
      for (let b = 0; b < this.bands; b++) {
        const x = b / (this.bands - 1);
        gains[b] *= dbToPower(a1 * (x - 0.5) * 2 * 0.5 + a2 * Math.sin(2 * Math.PI * x + phase));
      }
    }
    if (rng() < m.bandLimitProbability) {
      any = true;
      const stop = dbToPower(-30 - 10 * rng());
      for (let b = 0; b < this.bands; b++) if (this.centres[b] < 300 || this.centres[b] > 3400) gains[b] *= stop;
    }
    if (!any) return;
    for (let f = 0; f < frames; f++) for (let b = 0; b < this.bands; b++) mix[f * this.bands + b] *= gains[b];
  }
}
