import { join } from 'node:path';
import { formatAnnotations } from '../annotations';
import type { AnnotationSet, SoundEvent } from '../annotations/types';
import type { SplitName } from './split';
import type { MixturePlan, PlannedEvent } from './types';
import type { RenderedMixture } from './render';

/** Seconds with at most 6 decimals, trailing zeros trimmed ("1.5", "0.000063", "12"). */
export function formatSeconds(seconds: number): string {
  const text = seconds.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  return text === '-0' ? '0' : text;
}

function roundSeconds(seconds: number): number {
  return Number(formatSeconds(seconds));
}

/** The output layout the training and benchmark code rely on. */
export const mixPaths = {
  manifest: (out: string) => join(out, 'manifest.json'),
  audioDir: (out: string, split: SplitName) => join(out, split, 'audio'),
  audio: (out: string, split: SplitName, name: string) => join(out, split, 'audio', name),
  metaDir: (out: string, split: SplitName) => join(out, split, 'meta'),
  classEventList: (out: string, split: SplitName, label: string) => join(out, split, 'meta', `event_list_${split}_${label}.txt`),
  eventList: (out: string, split: SplitName) => join(out, split, 'meta', `event_list_${split}.txt`),
  recipe: (out: string, split: SplitName) => join(out, split, 'meta', `recipe_${split}.json`),
};

/**
 * The reference annotations of some mixtures: every mixture is a file, with its events (only those of `label`
 * when given, as in a per-class event list).
 */
export function mixAnnotations(plans: readonly MixturePlan[], sampleRate: number, label?: string): AnnotationSet {
  const events: SoundEvent[] = [];
  for (const p of plans) {
    for (const e of p.events) {
      if (label !== undefined && e.label !== label) continue;
      events.push({ filename: p.name, onset: roundSeconds(e.onset / sampleRate), offset: roundSeconds((e.onset + e.length) / sampleRate), label: e.label });
    }
  }
  return { files: plans.map((p) => p.name), events };
}

/** DCASE 2017 Task 2 event list: `name \t onset \t offset \t label` per event, or the name alone for a mixture without event. */
export function eventListText(plans: readonly MixturePlan[], sampleRate: number, label?: string): string {
  return formatAnnotations(mixAnnotations(plans, sampleRate, label), 'dcase');
}

/** How one event was placed, in seconds. */
export interface RecipeEvent {
  file: string;
  /** Start of the used part within the event file (start of its audible extent). */
  sourceOffset: number;
  duration: number;
  cropped: boolean;
  ebrDb: number;
  onset: number;
  offset: number;
  gain: number;
}

/** How one Task 2 mixture was made, in seconds: enough to rebuild it from the corpus. */
export interface Task2RecipeEntry {
  name: string;
  label: string;
  background: { file: string; offset: number; looped: boolean };
  event: RecipeEvent | null;
  /** Common gain applied to the whole mixture to keep its peak under the limit (1 when none). */
  mixGain: number;
}

/** How one long recording was made, in seconds: every background piece and every event. */
export interface LongRecipeEntry {
  name: string;
  /** In time order; each overlaps the next by the next one's fadeIn (equal-power crossfade). Never looped. */
  backgrounds: { file: string; sourceOffset: number; onset: number; offset: number; fadeIn: number; fadeOut: number }[];
  events: ({ label: string } & RecipeEvent)[];
  mixGain: number;
}

/** A recipe keeps the Task 2 shape for Task 2 mixtures, so their recipes read as they always did. */
export type RecipeEntry = Task2RecipeEntry | LongRecipeEntry;

function recipeEvent(e: PlannedEvent, gain: number, sampleRate: number): RecipeEvent {
  return {
    file: e.file,
    sourceOffset: roundSeconds(e.sourceStart / sampleRate),
    duration: roundSeconds(e.length / sampleRate),
    cropped: e.cropped,
    ebrDb: e.ebrDb,
    onset: roundSeconds(e.onset / sampleRate),
    offset: roundSeconds((e.onset + e.length) / sampleRate),
    gain,
  };
}

export function recipeEntry(plan: MixturePlan, rendered: RenderedMixture, sampleRate: number): RecipeEntry {
  const s = (samples: number) => roundSeconds(samples / sampleRate);
  if (plan.label !== null) {
    const [bg] = plan.backgrounds;
    const e = plan.events[0];
    return {
      name: plan.name,
      label: plan.label,
      background: { file: bg.file, offset: s(bg.start), looped: bg.looped },
      event: e ? recipeEvent(e, rendered.eventGains[0], sampleRate) : null,
      mixGain: rendered.mixGain,
    };
  }
  return {
    name: plan.name,
    backgrounds: plan.backgrounds.map((b) => ({ file: b.file, sourceOffset: s(b.start), onset: s(b.at), offset: s(b.at + b.length), fadeIn: s(b.fadeIn), fadeOut: s(b.fadeOut) })),
    events: plan.events.map((e, i) => ({ label: e.label, ...recipeEvent(e, rendered.eventGains[i], sampleRate) })),
    mixGain: rendered.mixGain,
  };
}
