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
 * Background files named `<source>_<NN>` come from one recording; they must share a split so that
 * no recording is heard in both training and test. A name without a trailing `_<digits>` is its own group.
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
  /** Background file names per split (whole source groups). */
  backgrounds: SplitAssignment;
}

/**
 * Splits the corpus: event files per class by file, backgrounds by source group weighted by duration.
 * `backgrounds` maps file name to duration in seconds.
 */
export function splitSources(events: Record<string, readonly string[]>, backgrounds: ReadonlyMap<string, number>): SourceSplit {
  const eventSplit: Record<string, SplitAssignment> = {};
  for (const [label, files] of Object.entries(events)) {
    eventSplit[label] = splitItems(files.map((file) => ({ key: file, weight: 1 })));
  }
  const groups = new Map<string, { files: string[]; seconds: number }>();
  for (const [file, seconds] of backgrounds) {
    const group = sourceGroup(file);
    const entry = groups.get(group) ?? { files: [], seconds: 0 };
    entry.files.push(file);
    entry.seconds += seconds;
    groups.set(group, entry);
  }
  const groupSplit = splitItems([...groups].map(([key, g]) => ({ key, weight: g.seconds })));
  const bg: SplitAssignment = { train: [], validation: [], test: [] };
  for (const split of SPLITS) bg[split] = groupSplit[split].flatMap((g) => groups.get(g)!.files).sort();
  return { events: eventSplit, backgrounds: bg };
}
