import type { AudibleExtent } from './trim';
import type { SplitName } from './split';

/** A decoded event file, ready to be planned into mixtures. Lengths are samples at the mix rate. */
export interface EventSource {
  /** Path relative to the corpus root, e.g. `events/gunshot/x.flac`. */
  file: string;
  label: string;
  length: number;
  /** The audible part; the planner only ever places this part. */
  extent: AudibleExtent;
}

export interface BackgroundSource {
  /** Path relative to the corpus root, e.g. `backgrounds/x.flac`. */
  file: string;
  length: number;
}

/** The sources one split may draw from. */
export interface SplitSources {
  backgrounds: BackgroundSource[];
  events: Record<string, EventSource[]>;
}

export interface MixSettings {
  seed: number;
  sampleRate: number;
  /** Mixture length, seconds. */
  lengthSeconds: number;
  /** Probability that a mixture contains its class's event (Task 2 mixtures only). */
  eventProbability: number;
  /** Event-to-background ratios to draw from uniformly, dB. */
  ebrsDb: number[];
  /** Crossfade where a background shorter than the mixture is looped, seconds. */
  loopCrossfadeSeconds: number;
}

export interface PlannedEvent {
  file: string;
  label: string;
  /** First sample taken from the event file (the start of its audible extent). */
  sourceStart: number;
  /** Samples placed in the mixture. */
  length: number;
  /** True when the audible extent was longer than the mixture and was cut to fit. */
  cropped: boolean;
  /** Sample of the mixture at which the event starts. */
  onset: number;
  ebrDb: number;
}

/** One excerpt of a background file laid into the mixture; consecutive pieces overlap by their crossfade. */
export interface BackgroundPiece {
  file: string;
  /** First sample taken from the background (of its loop when looped). */
  start: number;
  /** Mixture sample at which the piece (its fade-in) starts. */
  at: number;
  /** Samples of the mixture the piece covers, fades included. */
  length: number;
  /** True when the background is shorter than the piece and is looped with a crossfade. */
  looped: boolean;
  /** Equal-power fade-in and fade-out, samples (the crossfades with the previous and next pieces). */
  fadeIn: number;
  fadeOut: number;
}

/** Everything needed to render one mixture, drawn from the seed; all positions in samples at the mix rate. */
export interface MixturePlan {
  /** File name of the mixture, e.g. `train_babycry_0007.wav` or `test_long_0003.wav`. */
  name: string;
  split: SplitName;
  /** The class of a Task 2 mixture; null for a long recording, which holds events of every class. */
  label: string | null;
  index: number;
  length: number;
  /** Pieces in time order covering [0, length): a Task 2 mixture has one. */
  backgrounds: BackgroundPiece[];
  /** In time order, not overlapping. */
  events: PlannedEvent[];
}
