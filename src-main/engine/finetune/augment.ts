import type { SoundEvent } from '../annotations/types';
import { frameDuration, type FeatureConfig } from '../features/config';
import { backgroundExcerpt, loopCrossfadeLength, renderMixture } from '../mix/render';
import { rngFor } from '../mix/prng';
import { frameTargets, type FeatureExtractor } from '../train/dataset';
import type { FinetuneExample } from './material';

export interface AugmentOptions {
  /** Extra mixtures per training file (0 = off). */
  perFile: number;
  seed: number;
  /** Event-to-background ratios drawn uniformly, dB (default -6, 0, 6: the mix recipe's). */
  ebrsDb?: number[];
  /** Mixture length, seconds (default 10). */
  lengthSeconds?: number;
  /** Distance kept from any verified event when taking background, seconds (default 0.5). */
  marginSeconds?: number;
  /** Loop crossfade for short backgrounds, seconds (default 0.1, as in the mix recipe). */
  crossfadeSeconds?: number;
}

/** Sample ranges [start, end) of a file at least `margin` samples away from every event, longest first. */
export function eventFreeStretches(events: readonly SoundEvent[], length: number, sampleRate: number, margin: number): [number, number][] {
  const busy = events
    .map((e) => [Math.max(0, Math.floor(e.onset * sampleRate) - margin), Math.min(length, Math.ceil(e.offset * sampleRate) + margin)] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const free: [number, number][] = [];
  let cursor = 0;
  for (const [start, end] of busy) {
    if (start > cursor) free.push([cursor, start]);
    cursor = Math.max(cursor, end);
  }
  if (cursor < length) free.push([cursor, length]);
  return free.sort((a, b) => b[1] - b[0] - (a[1] - a[0]));
}

/**
 * Mixes the user's own verified event excerpts into their own reviewed backgrounds (event-free stretches
 * of training files), with the mix module's renderer: same EBR definition, looping and peak limiting.
 * Deterministic from the seed. Examples need their decoded `samples`.
 */
export async function augmentWithMixtures(
  examples: readonly FinetuneExample[],
  classes: readonly string[],
  features: FeatureConfig,
  extract: FeatureExtractor,
  options: AugmentOptions,
): Promise<FinetuneExample[]> {
  const sr = features.sampleRate;
  const length = Math.round((options.lengthSeconds ?? 10) * sr);
  const margin = Math.round((options.marginSeconds ?? 0.5) * sr);
  const ebrs = options.ebrsDb ?? [-6, 0, 6];
  const excerpts = examples.flatMap((ex) =>
    ex.events
      .filter((e) => classes.includes(e.label) && ex.samples)
      .map((e) => ({ label: e.label, samples: ex.samples!.subarray(Math.floor(e.onset * sr), Math.min(ex.samples!.length, Math.ceil(e.offset * sr))) }))
      .filter((e) => e.samples.length > 0),
  );
  const backgrounds = examples
    .map((ex) => {
      if (!ex.samples) return undefined;
      const [longest] = eventFreeStretches(ex.events, ex.samples.length, sr, margin);
      return longest && longest[1] - longest[0] >= Math.round(0.5 * sr) ? ex.samples.subarray(longest[0], longest[1]) : undefined;
    })
    .filter((b): b is Float32Array => b !== undefined);
  if (options.perFile <= 0 || excerpts.length === 0 || backgrounds.length === 0) return [];
  const out: FinetuneExample[] = [];
  const count = options.perFile * examples.length;
  for (let i = 0; i < count; i++) {
    const rng = rngFor(options.seed, 'finetune-augment', i);
    const excerpt = rng.pick(excerpts);
    const bg = rng.pick(backgrounds);
    const crossfade = loopCrossfadeLength(bg.length, sr, options.crossfadeSeconds ?? 0.1);
    const start = bg.length >= length ? rng.int(bg.length - length + 1) : rng.int(Math.max(1, bg.length - crossfade));
    const background = backgroundExcerpt(bg, start, length, crossfade);
    const eventSamples = excerpt.samples.subarray(0, Math.min(excerpt.samples.length, length));
    const onset = rng.int(length - eventSamples.length + 1);
    let mixed: Float32Array;
    try {
      mixed = renderMixture(background, [{ samples: eventSamples, onset, ebrDb: rng.pick(ebrs) }]).samples;
    } catch {
      continue; // a silent excerpt cannot be placed at an EBR
    }
    const filename = `augmented_${String(i).padStart(4, '0')}`;
    const events: SoundEvent[] = [{ filename, onset: onset / sr, offset: (onset + eventSamples.length) / sr, label: excerpt.label }];
    const logmel = await extract(mixed, features);
    out.push({ recordingId: -1, filename, features: logmel, targets: frameTargets(events, logmel.frames, [...classes], frameDuration(features)), events });
  }
  return out;
}
