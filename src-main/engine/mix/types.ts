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
  /** Probability that a mixture contains its class's event. */
  eventProbability: number;
  /** Event-to-background ratios to draw from uniformly, dB. */
  ebrsDb: number[];
  /** Crossfade where a background shorter than the mixture is looped, seconds. */
  loopCrossfadeSeconds: number;
}

export interface PlannedEvent {
  file: string;
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

/** Everything needed to render one mixture, drawn from the seed; all positions in samples at the mix rate. */
export interface MixturePlan {
  /** File name of the mixture, e.g. `train_babycry_0007.wav`. */
  name: string;
  split: SplitName;
  label: string;
  index: number;
  length: number;
  background: {
    file: string;
    /** First sample taken from the background (of its loop when looped). */
    start: number;
    /** True when the background is shorter than the mixture and is looped with a crossfade. */
    looped: boolean;
  };
  event: PlannedEvent | null;
}
