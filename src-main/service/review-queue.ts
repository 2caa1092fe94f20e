import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ReviewItem, ReviewOrder, ReviewState } from '../api/contract';
import type { EventRow } from '../engine/store';

/** Threshold used for a class the active model does not tune (or when there is no model). */
export const DEFAULT_THRESHOLD = 0.5;

export function reviewState(event: Pick<EventRow, 'deleted' | 'rejected' | 'verified'>): ReviewState {
  if (event.rejected) return 'rejected';
  return event.verified ? 'accepted' : 'pending';
}

const thresholdCache = new Map<string, { mtimeMs: number; thresholds: Record<string, number> }>();

/** The per-class thresholds of a model directory's post-processing; {} when it has none or cannot be read. */
export function modelThresholds(dirPath: string | null | undefined): Record<string, number> {
  if (!dirPath) return {};
  const file = path.join(dirPath, 'model.json');
  try {
    const { mtimeMs } = statSync(file);
    const cached = thresholdCache.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.thresholds;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { postprocess?: { thresholds?: Record<string, unknown> } };
    const thresholds: Record<string, number> = {};
    for (const [label, value] of Object.entries(manifest.postprocess?.thresholds ?? {})) {
      if (typeof value === 'number' && Number.isFinite(value)) thresholds[label] = value;
    }
    thresholdCache.set(file, { mtimeMs, thresholds });
    return thresholds;
  } catch {
    return {};
  }
}

/** How far a prediction's confidence is from its class's decision threshold: small means the model hesitated. */
export function uncertainty(item: Pick<ReviewItem, 'event' | 'threshold'>): number {
  return item.event.confidence === null ? Infinity : Math.abs(item.event.confidence - item.threshold);
}

function byTime(a: ReviewItem, b: ReviewItem): number {
  return a.path.localeCompare(b.path) || a.event.onset - b.event.onset || a.event.id - b.event.id;
}

/** Sorts queue items in the order the reviewer picked; `labelRank` gives each label id its place in the label list. */
export function orderQueue(items: readonly ReviewItem[], order: ReviewOrder, labelRank: (labelId: number) => number): ReviewItem[] {
  const sorted = [...items];
  if (order === 'time') return sorted.sort(byTime);
  if (order === 'label') return sorted.sort((a, b) => labelRank(a.event.labelId) - labelRank(b.event.labelId) || byTime(a, b));
  return sorted.sort((a, b) => uncertainty(a) - uncertainty(b) || byTime(a, b));
}
