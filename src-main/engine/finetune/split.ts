import { createRng } from '../model/crnn';
import type { TrainingRecording } from '../store';

export interface HoldOutOptions {
  /** Share of reviewed files held back for validation (default 0.2). */
  share?: number;
  seed: number;
}

export interface HeldOutSplit {
  train: TrainingRecording[];
  validation: TrainingRecording[];
}

const labelsOf = (item: TrainingRecording) => new Set(item.events.map((e) => e.label));

/**
 * Holds back about `share` of the reviewed files for validation, deterministically from the seed:
 * first one file per class (rarest first) for every class with at least two positive files, never
 * taking a class's last training positive, then random files up to the share. Both sides keep at
 * least one file when there are two or more.
 */
export function holdOutSplit(material: readonly TrainingRecording[], options: HoldOutOptions): HeldOutSplit {
  const rng = createRng(options.seed ^ 0x5bd1e995);
  const order = [...material];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  if (order.length < 2) return { train: order, validation: [] };
  const target = Math.min(order.length - 1, Math.max(1, Math.round((options.share ?? 0.2) * order.length)));
  const held = new Set<TrainingRecording>();
  const trainCount = new Map<string, number>();
  for (const item of order) for (const label of labelsOf(item)) trainCount.set(label, (trainCount.get(label) ?? 0) + 1);
  const canHold = (item: TrainingRecording) => !held.has(item) && [...labelsOf(item)].every((l) => (trainCount.get(l) ?? 0) >= 2);
  const hold = (item: TrainingRecording) => {
    held.add(item);
    for (const label of labelsOf(item)) trainCount.set(label, trainCount.get(label)! - 1);
  };
  const byRarity = [...trainCount.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([l]) => l);
  // One validation file per class goes beyond the share if needed, but never past half the files.
  const perClassLimit = Math.max(target, Math.floor(order.length / 2));
  for (const label of byRarity) {
    if ([...held].some((h) => labelsOf(h).has(label))) continue;
    const pick = order.find((item) => labelsOf(item).has(label) && canHold(item));
    if (pick && held.size < perClassLimit) hold(pick);
  }
  for (const item of order) {
    if (held.size >= target) break;
    if (canHold(item) || (!held.has(item) && labelsOf(item).size === 0)) hold(item);
  }
  return { train: order.filter((i) => !held.has(i)), validation: order.filter((i) => held.has(i)) };
}
