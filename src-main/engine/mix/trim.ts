/** Sample range [start, end) of the audible part of an event file. */
export interface AudibleExtent {
  start: number;
  end: number;
}

export interface AudibleExtentOptions {
  /** Frame length for the energy envelope, seconds. */
  frameSeconds?: number;
  /** A frame is audible when its RMS is within this many dB of the loudest frame. */
  thresholdDb?: number;
}

/**
 * Where the event is audible: from the first to the last frame whose RMS is within `thresholdDb`
 * of the loudest frame. The mixture's reference onset/offset are this extent, so leading/trailing
 * near-silence in an event file does not end up annotated as event. Returns null for a silent signal.
 */
export function audibleExtent(samples: Float32Array, sampleRate: number, options: AudibleExtentOptions = {}): AudibleExtent | null {
  const frame = Math.max(1, Math.round((options.frameSeconds ?? 0.01) * sampleRate));
  const thresholdDb = options.thresholdDb ?? 40;
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
