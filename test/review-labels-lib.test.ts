import { describe, expect, it } from 'vitest';
import type { ReviewItem } from '../src-main/api/contract';
import { orderQueue, reviewState, uncertainty } from '../src-main/service/review-queue';
import { freeShortcut, labelNameError } from '../src-renderer/lib/labelName';
import { unusedLabelColor } from '../src-renderer/lib/palette';

const item = (id: number, path: string, labelId: number, onset: number, confidence: number | null, threshold: number): ReviewItem => ({
  event: { id, recordingId: 1, labelId, onset, offset: onset + 1, confidence, source: 'predicted', verified: false, lowFrequency: null, highFrequency: null, version: 1, updatedAt: '' },
  path,
  state: 'pending',
  threshold,
});

describe('review queue order', () => {
  const items = [item(1, 'b.wav', 2, 5, 0.9, 0.5), item(2, 'a.wav', 1, 3, 0.35, 0.3), item(3, 'a.wav', 2, 1, 0.62, 0.7), item(4, 'a.wav', 1, 9, null, 0.5)];
  it('puts the confidence nearest its own class threshold first, events without confidence last', () => {
    expect(orderQueue(items, 'uncertain', (id) => id).map((i) => i.event.id)).toEqual([2, 3, 1, 4]);
    expect(uncertainty(items[0])).toBeCloseTo(0.4);
  });
  it('orders by file then onset, or by label rank then time', () => {
    expect(orderQueue(items, 'time', (id) => id).map((i) => i.event.id)).toEqual([3, 2, 4, 1]);
    expect(orderQueue(items, 'label', (id) => (id === 2 ? 0 : 1)).map((i) => i.event.id)).toEqual([3, 1, 2, 4]);
  });
  it('derives the verdict from the event', () => {
    expect(reviewState({ deleted: true, rejected: true, verified: true })).toBe('rejected');
    expect(reviewState({ deleted: false, rejected: false, verified: true })).toBe('accepted');
    expect(reviewState({ deleted: false, rejected: false, verified: false })).toBe('pending');
  });
});

describe('label names', () => {
  const labels = [{ id: 1, name: 'gunshot' }, { id: 2, name: 'dog' }];
  it('refuses empty names, tabs and line breaks, and names another label has in any case', () => {
    expect(labelNameError('  ', labels)).toMatch(/needs a name/);
    expect(labelNameError('a\tb', labels)).toMatch(/tabs or line breaks/);
    expect(labelNameError('a\nb', labels)).toMatch(/tabs or line breaks/);
    expect(labelNameError('x'.repeat(121), labels)).toMatch(/at most 120/);
    expect(labelNameError('GunShot', labels)).toBe('There is already a label "gunshot"');
    expect(labelNameError('GunShot', labels, 1)).toBeNull();
    expect(labelNameError(' siren ', labels)).toBeNull();
  });
  it('gives a new label the first free key and an unused colour', () => {
    expect(freeShortcut(['1', '2', null, '4'])).toBe('3');
    expect(freeShortcut(['1', '2', '3', '4', '5', '6', '7', '8', '9'])).toBeNull();
    const first = unusedLabelColor([]);
    expect(unusedLabelColor([first.toUpperCase()])).not.toBe(first);
  });
});
