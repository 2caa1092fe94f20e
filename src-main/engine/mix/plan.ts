import { rngFor, type Rng } from './prng';
import { loopCrossfadeLength } from './render';
import type { SplitName } from './split';
import type { BackgroundPiece, BackgroundSource, EventSource, MixSettings, MixturePlan, PlannedEvent, SplitSources } from './types';

/** Least silence-free time between two events of a long recording (between their audible extents), seconds. */
export const EVENT_GAP_SECONDS = 1;
/** Crossfade between consecutive background pieces of a long recording, seconds (at most a quarter of either piece). */
export const SCENE_CROSSFADE_SECONDS = 0.5;
/** Each background piece of a long recording lasts a uniform draw from this range (or its whole file when shorter), seconds. */
export const SCENE_PIECE_SECONDS: readonly [number, number] = [20, 60];

export function mixtureName(split: SplitName, label: string, index: number): string {
  return `${split}_${label}_${String(index).padStart(4, '0')}.wav`;
}

/** `<split>_long_NNNN.wav`, or `<split>_ambience_NNNN.wav` for an event-free recording. */
export function longRecordingName(split: SplitName, index: number, eventsPerRecording: number): string {
  return mixtureName(split, eventsPerRecording > 0 ? 'long' : 'ambience', index);
}

/** Events in each long recording: round(eventsPerMinute * lengthSeconds / 60), exactly. */
export function eventsPerRecording(eventsPerMinute: number, lengthSeconds: number): number {
  return Math.round((eventsPerMinute * lengthSeconds) / 60);
}

function mixLength(settings: MixSettings): number {
  const length = Math.round(settings.lengthSeconds * settings.sampleRate);
  if (length < 1) throw new Error(`mixture length ${settings.lengthSeconds} s is shorter than one sample`);
  if (settings.ebrsDb.length === 0) throw new Error('no event-to-background ratio given');
  return length;
}

/** The audible extent of `source`, cut to `length` when longer, as an event of `label` (onset still to be placed). */
function drawnEvent(source: EventSource, label: string, ebrDb: number, length: number): PlannedEvent {
  const audible = source.extent.end - source.extent.start;
  const eventLength = Math.min(audible, length);
  return { file: source.file, label, sourceStart: source.extent.start, length: eventLength, cropped: eventLength < audible, onset: 0, ebrDb };
}

/**
 * Plans `count` mixtures of one class in one split. Pure: each mixture draws from its own generator,
 * seeded from (seed, split, label, index), so the same arguments always give the same plans and
 * raising the count only appends mixtures.
 */
export function planMixtures(settings: MixSettings, split: SplitName, label: string, count: number, sources: SplitSources): MixturePlan[] {
  const length = mixLength(settings);
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
    const planned: PlannedEvent[] = [];
    if (rng.next() < settings.eventProbability) {
      const event = drawnEvent(rng.pick(events), label, rng.pick(settings.ebrsDb), length);
      event.onset = rng.int(length - event.length + 1);
      planned.push(event);
    }
    const background: BackgroundPiece = { file: bg.file, start: bgStart, at: 0, length, looped, fadeIn: 0, fadeOut: 0 };
    plans.push({ name: mixtureName(split, label, index), split, label, index, length, backgrounds: [background], events: planned });
  }
  return plans;
}

/**
 * Background pieces covering [0, length): excerpts of randomly chosen files (never the same file twice in a row
 * when there is a choice), joined by equal-power crossfades, so the scene changes now and then.
 */
function planScene(rng: Rng, length: number, backgrounds: readonly BackgroundSource[], sampleRate: number): BackgroundPiece[] {
  const maxFade = Math.round(SCENE_CROSSFADE_SECONDS * sampleRate);
  const [minSeconds, maxSeconds] = SCENE_PIECE_SECONDS;
  const pieces: BackgroundPiece[] = [];
  let end = 0;
  while (end < length) {
    const previous = pieces[pieces.length - 1];
    const choices = previous && backgrounds.length > 1 ? backgrounds.filter((b) => b.file !== previous.file) : backgrounds;
    const bg = rng.pick(choices);
    let pieceLength = Math.min(bg.length, Math.round((minSeconds + rng.next() * (maxSeconds - minSeconds)) * sampleRate));
    const fade = previous ? Math.min(maxFade, Math.floor(previous.length / 4), Math.floor(pieceLength / 4)) : 0;
    const at = end - fade;
    pieceLength = Math.min(pieceLength, length - at);
    if (previous) previous.fadeOut = fade;
    pieces.push({ file: bg.file, start: rng.int(bg.length - pieceLength + 1), at, length: pieceLength, looped: false, fadeIn: fade, fadeOut: 0 });
    end = at + pieceLength;
  }
  return pieces;
}

/**
 * Plans `count` long recordings of one split, each holding exactly round(eventsPerMinute * length / 60) events:
 * class uniform over `classes`, source uniform over that class's files, EBR uniform over the list, placed
 * uniformly at random among the placements that keep EVENT_GAP_SECONDS between events. Seeded per recording
 * like planMixtures. Throws when the drawn events cannot fit.
 */
export function planLongRecordings(
  settings: MixSettings,
  split: SplitName,
  classes: readonly string[],
  eventsPerMinute: number,
  count: number,
  sources: SplitSources,
): MixturePlan[] {
  const length = mixLength(settings);
  if (!(eventsPerMinute >= 0 && Number.isFinite(eventsPerMinute))) throw new Error(`events per minute must be a number of at least 0, got ${eventsPerMinute}`);
  const perRecording = eventsPerRecording(eventsPerMinute, settings.lengthSeconds);
  if (count > 0 && sources.backgrounds.length === 0) throw new Error(`no background available for the ${split} split`);
  if (count > 0 && perRecording > 0) {
    if (classes.length === 0) throw new Error('no class given');
    for (const label of classes) if (!sources.events[label]?.length) throw new Error(`no "${label}" event file available for the ${split} split`);
  }
  const gap = Math.round(EVENT_GAP_SECONDS * settings.sampleRate);
  const kind = perRecording > 0 ? 'long' : 'ambience';
  const plans: MixturePlan[] = [];
  for (let index = 0; index < count; index++) {
    const name = longRecordingName(split, index, perRecording);
    const rng = rngFor(settings.seed, split, kind, index);
    const backgrounds = planScene(rng, length, sources.backgrounds, settings.sampleRate);
    const events = Array.from({ length: perRecording }, () => {
      const label = rng.pick(classes);
      return drawnEvent(rng.pick(sources.events[label]), label, rng.pick(settings.ebrsDb), length);
    });
    const busy = events.reduce((n, e) => n + e.length, 0) + Math.max(0, events.length - 1) * gap;
    const slack = length - busy;
    if (slack < 0) {
      throw new Error(
        `${name}: ${events.length} events (${(busy / settings.sampleRate).toFixed(1)} s with ${EVENT_GAP_SECONDS} s between them) ` +
          `do not fit in ${settings.lengthSeconds} s; lower --events-per-minute or raise --length`,
      );
    }
    // Uniform placement: the events keep their (random) drawing order; the slack is split at sorted uniform points.
    const cuts = events.map(() => rng.int(slack + 1)).sort((a, b) => a - b);
    let busyBefore = 0;
    events.forEach((e, k) => {
      e.onset = busyBefore + cuts[k];
      busyBefore += e.length + gap;
    });
    plans.push({ name, split, label: null, index, length, backgrounds, events });
  }
  return plans;
}
