import { createHash } from 'node:crypto';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

/** Share of the sources (by count for events, by duration for backgrounds) that each split receives. */
export const SPLIT_SHARES: Readonly<Record<SplitName, number>> = Object.freeze({ train: 0.6, validation: 0.2, test: 0.2 });

/** One splittable unit: a file, or a group of files from the same source recording. */
export interface SplitItem {
  /** Name whose hash fixes the item's place in the assignment order. */
  key: string;
  /** Amount the item adds to its split (1 for a file; seconds of audio for a background group). */
  weight: number;
}

export type SplitAssignment = Record<SplitName, string[]>;

/**
 * The scene a background file belongs to: files named `<scene>_<NN>` are separate recordings of one kind
 * of scene. A name without a trailing `_<digits>` is its own scene.
 */
export function sourceGroup(fileName: string): string {
  const stem = fileName.replace(/\.[^./]+$/, '');
  return stem.replace(/_\d+$/, '');
}

function orderKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Assigns items to train/validation/test, about 60/20/20 by weight. The items are visited in the order of
 * the hash of their key (independent of any seed, so a model's test sources stay held out across mixes),
 * each going to the split furthest below its share. Deterministic, disjoint, and every split receives an
 * item as soon as there are three.
 */
export function splitItems(items: readonly SplitItem[]): SplitAssignment {
  const ordered = [...items].sort((a, b) => {
    const ka = orderKey(a.key);
    const kb = orderKey(b.key);
    return ka < kb ? -1 : ka > kb ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
  const result: SplitAssignment = { train: [], validation: [], test: [] };
  const assigned: Record<SplitName, number> = { train: 0, validation: 0, test: 0 };
  let total = 0;
  for (const item of ordered) {
    const w = Math.max(item.weight, 0);
    let best: SplitName = 'train';
    let bestDeficit = -Infinity;
    // Empty splits first, so that small source lists still give every split something.
    const anyEmpty = SPLITS.some((s) => result[s].length === 0);
    for (const split of SPLITS) {
      if (anyEmpty && result[split].length > 0) continue;
      const deficit = SPLIT_SHARES[split] * (total + w) - assigned[split];
      if (deficit > bestDeficit + 1e-12) {
        best = split;
        bestDeficit = deficit;
      }
    }
    result[best].push(item.key);
    assigned[best] += w;
    total += w;
  }
  for (const split of SPLITS) result[split].sort();
  return result;
}

export interface SourceSplit {
  /** Event file names per class, per split. */
  events: Record<string, SplitAssignment>;
  /** Background file names per split. */
  backgrounds: SplitAssignment;
}

/**
 * Splits the corpus by source file: event files per class by count, background files by duration.
 * Backgrounds are stratified by scene (`sourceGroup`): a scene with three or more recordings spreads them
 * over all three splits, so every split hears that kind of scene through different recordings (as DCASE
 * 2017 Task 2 drew development and evaluation backgrounds from the same scene classes); scenes with fewer
 * recordings are balanced across splits by duration. No file is ever in two splits.
 * `backgrounds` maps file name to duration in seconds.
 */
export function splitSources(events: Record<string, readonly string[]>, backgrounds: ReadonlyMap<string, number>): SourceSplit {
  const eventSplit: Record<string, SplitAssignment> = {};
  for (const [label, files] of Object.entries(events)) {
    eventSplit[label] = splitItems(files.map((file) => ({ key: file, weight: 1 })));
  }
  const scenes = new Map<string, string[]>();
  for (const file of backgrounds.keys()) {
    const scene = sourceGroup(file);
    scenes.set(scene, [...(scenes.get(scene) ?? []), file]);
  }
  const bg: SplitAssignment = { train: [], validation: [], test: [] };
  const rest: SplitItem[] = [];
  for (const files of scenes.values()) {
    const items = files.map((file) => ({ key: file, weight: backgrounds.get(file) ?? 0 }));
    if (files.length < SPLITS.length) {
      rest.push(...items);
      continue;
    }
    const part = splitItems(items);
    for (const split of SPLITS) bg[split].push(...part[split]);
  }
  const restSplit = splitItems(rest);
  for (const split of SPLITS) bg[split] = [...bg[split], ...restSplit[split]].sort();
  return { events: eventSplit, backgrounds: bg };
}
