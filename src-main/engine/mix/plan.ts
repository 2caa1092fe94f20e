import { rngFor } from './prng';
import { loopCrossfadeLength } from './render';
import type { SplitName } from './split';
import type { MixSettings, MixturePlan, PlannedEvent, SplitSources } from './types';

export function mixtureName(split: SplitName, label: string, index: number): string {
  return `${split}_${label}_${String(index).padStart(4, '0')}.wav`;
}

/**
 * Plans `count` mixtures of one class in one split. Pure: each mixture draws from its own generator,
 * seeded from (seed, split, label, index), so the same arguments always give the same plans and
 * raising the count only appends mixtures.
 */
export function planMixtures(settings: MixSettings, split: SplitName, label: string, count: number, sources: SplitSources): MixturePlan[] {
  const length = Math.round(settings.lengthSeconds * settings.sampleRate);
  if (length < 1) throw new Error(`mixture length ${settings.lengthSeconds} s is shorter than one sample`);
  if (settings.ebrsDb.length === 0) throw new Error('no event-to-background ratio given');
  const backgrounds = sources.backgrounds;
  const events = sources.events[label] ?? [];
  if (count > 0 && backgrounds.length === 0) throw new Error(`no background available for the ${split} split`);
  if (count > 0 && settings.eventProbability > 0 && events.length === 0) {
    throw new Error(`no "${label}" event file available for the ${split} split`);
  }
  const plans: MixturePlan[] = [];
  for (let index = 0; index < count; index++) {
    const rng = rngFor(settings.seed, split, label, index);
    const bg = rng.pick(backgrounds);
    const looped = bg.length < length;
    const span = looped ? bg.length - loopCrossfadeLength(bg.length, settings.sampleRate, settings.loopCrossfadeSeconds) : bg.length - length + 1;
    const bgStart = rng.int(span);
    const withEvent = rng.next() < settings.eventProbability;
    let event: PlannedEvent | null = null;
    if (withEvent) {
      const source = rng.pick(events);
      const ebrDb = rng.pick(settings.ebrsDb);
      const audible = source.extent.end - source.extent.start;
      const eventLength = Math.min(audible, length);
      const onset = rng.int(length - eventLength + 1);
      event = { file: source.file, sourceStart: source.extent.start, length: eventLength, cropped: eventLength < audible, onset, ebrDb };
    }
    plans.push({ name: mixtureName(split, label, index), split, label, index, length, background: { file: bg.file, start: bgStart, looped }, event });
  }
  return plans;
}
