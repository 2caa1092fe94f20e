import { join } from 'node:path';
import { formatAnnotations } from '../annotations';
import type { AnnotationSet, SoundEvent } from '../annotations/types';
import type { SplitName } from './split';
import type { MixturePlan } from './types';
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

/** The reference annotations of some mixtures: every mixture is a file; one event for those that hold one. */
export function mixAnnotations(plans: readonly MixturePlan[], sampleRate: number): AnnotationSet {
  const events: SoundEvent[] = [];
  for (const p of plans) {
    if (!p.event) continue;
    events.push({
      filename: p.name,
      onset: roundSeconds(p.event.onset / sampleRate),
      offset: roundSeconds((p.event.onset + p.event.length) / sampleRate),
      label: p.label,
    });
  }
  return { files: plans.map((p) => p.name), events };
}

/** DCASE 2017 Task 2 event list: `name \t onset \t offset \t label`, or the name alone for a mixture without event. */
export function eventListText(plans: readonly MixturePlan[], sampleRate: number): string {
  return formatAnnotations(mixAnnotations(plans, sampleRate), 'dcase');
}

/** How one mixture was made, in seconds: enough to rebuild it from the corpus. */
export interface RecipeEntry {
  name: string;
  label: string;
  background: { file: string; offset: number; looped: boolean };
  event: null | {
    file: string;
    /** Start of the used part within the event file (start of its audible extent). */
    sourceOffset: number;
    duration: number;
    cropped: boolean;
    ebrDb: number;
    onset: number;
    offset: number;
    gain: number;
  };
  /** Common gain applied to the whole mixture to keep its peak under the limit (1 when none). */
  mixGain: number;
}

export function recipeEntry(plan: MixturePlan, rendered: RenderedMixture, sampleRate: number): RecipeEntry {
  const e = plan.event;
  return {
    name: plan.name,
    label: plan.label,
    background: { file: plan.background.file, offset: roundSeconds(plan.background.start / sampleRate), looped: plan.background.looped },
    event: e && {
      file: e.file,
      sourceOffset: roundSeconds(e.sourceStart / sampleRate),
      duration: roundSeconds(e.length / sampleRate),
      cropped: e.cropped,
      ebrDb: e.ebrDb,
      onset: roundSeconds(e.onset / sampleRate),
      offset: roundSeconds((e.onset + e.length) / sampleRate),
      gain: rendered.eventGain,
    },
    mixGain: rendered.mixGain,
  };
}
