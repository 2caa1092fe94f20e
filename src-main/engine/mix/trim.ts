/** Sample range [start, end) of the audible part of an event file. */
export interface AudibleExtent {
  start: number;
  end: number;
}

export interface AudibleExtentOptions {
  /** Frame length for the energy envelope, seconds. */
  frameSeconds: number;
  /** A frame is audible when its RMS is within this many dB of the loudest frame. */
  thresholdDb: number;
}

/**
 * Where an event is, for reference annotations and training targets: from the first to the last 50 ms
 * frame within 25 dB of the loudest. Mixed at an event-to-background ratio of -9..+9 dB, a part 25 dB
 * below the event's peak lies under the background, so it is not annotated: with 40 dB and 10 ms frames,
 * baby-cry files with seconds of near-silent lead-in (a single 10 ms frame within 40 dB of the cry) were annotated
 * from that frame, up to 2.2 s before the cry could be heard.
 */
export const EVENT_EXTENT: Readonly<AudibleExtentOptions> = { frameSeconds: 0.05, thresholdDb: 25 };

/**
 * Where the event is audible: from the first to the last frame whose RMS is within `thresholdDb`
 * of the loudest frame. The mixture's reference onset/offset are this extent, so leading/trailing
 * near-silence in an event file does not end up annotated as event. Returns null for a silent signal.
 */
export function audibleExtent(samples: Float32Array, sampleRate: number, options: Readonly<AudibleExtentOptions> = EVENT_EXTENT): AudibleExtent | null {
  const frame = Math.max(1, Math.round(options.frameSeconds * sampleRate));
  const { thresholdDb } = options;
  const frames = Math.ceil(samples.length / frame);
  const energy = new Float64Array(frames);
  let max = 0;
  for (let f = 0; f < frames; f++) {
    const from = f * frame;
    const to = Math.min(samples.length, from + frame);
    let sum = 0;
    for (let i = from; i < to; i++) sum += samples[i] * samples[i];
    energy[f] = sum / (to - from);
    if (energy[f] > max) max = energy[f];
  }
  if (!(max > 0)) return null;
  const floor = max * 10 ** (-thresholdDb / 10);
  let first = 0;
  while (energy[first] < floor) first++;
  let last = frames - 1;
  while (energy[last] < floor) last--;
  return { start: first * frame, end: Math.min(samples.length, (last + 1) * frame) };
}
