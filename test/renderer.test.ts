import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatDuration, formatTime, parseTime } from '../src-renderer/lib/time';
import { boundsError, mergeError, nextEvent, previousEvent, snapBounds, splitError } from '../src-renderer/lib/events';
import { resolveKey, isTypingTarget } from '../src-renderer/lib/keymap';
import { COLORMAP, decodeTile, framesForColumn, renderColumns } from '../src-renderer/lib/spectrogram';
import { labelColor, regionFill, withAlpha } from '../src-renderer/lib/palette';
import { validateTimeEdit } from '../src-renderer/lib/tableEdit';
import { regionLook } from '../src-renderer/lib/regionStyle';
import { decimatePeaks, normalizingGain } from '../src-renderer/lib/peaksDraw';
import { afterNextFrame } from '../src-renderer/lib/frames';

describe('time formatting and parsing', () => {
  it('formats seconds with minutes and optional hours', () => {
    expect(formatTime(0)).toBe('0:00.000');
    expect(formatTime(75.5)).toBe('1:15.500');
    expect(formatTime(3723.25, 2)).toBe('1:02:03.25');
    expect(formatTime(59.9996)).toBe('1:00.000');
    expect(formatTime(Number.NaN)).toBe('–');
  });
  it('formats list durations', () => {
    expect(formatDuration(42.12)).toBe('42.1 s');
    expect(formatDuration(187)).toBe('3:07');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(null)).toBe('–');
  });
  it('parses s, m:s and h:m:s and rejects junk with a reason', () => {
    expect(parseTime('12.5')).toEqual({ ok: true, value: 12.5 });
    expect(parseTime(' 1:02.25 ')).toEqual({ ok: true, value: 62.25 });
    expect(parseTime('1:00:03')).toEqual({ ok: true, value: 3603 });
    expect(parseTime('.5')).toEqual({ ok: true, value: 0.5 });
    expect(parseTime('')).toEqual({ ok: false, error: 'empty time' });
    expect(parseTime('abc').ok).toBe(false);
    expect(parseTime('-1').ok).toBe(false);
    expect(parseTime('1:75')).toEqual({ ok: false, error: '"1:75": seconds must be below 60' });
    expect(parseTime('1:2:3:4').ok).toBe(false);
  });
});

describe('event rules', () => {
  const evs = [
    { id: 1, onset: 5, offset: 6, label: 'a' },
    { id: 2, onset: 1, offset: 2, label: 'a' },
    { id: 3, onset: 9, offset: 9.5, label: 'b' },
  ];
  it('checks bounds against the file', () => {
    expect(boundsError(1, 2, 10)).toBeNull();
    expect(boundsError(-0.1, 2, 10)).toBe('onset must not be negative');
    expect(boundsError(1, 10.5, 10)).toMatch(/end of the file \(10\.000 s\)/);
    expect(boundsError(2, 2.005, 10)).toMatch(/at least 10 ms/);
    expect(boundsError(3, 2, null)).toMatch(/after onset/);
  });
  it('steps to the next and previous event by onset', () => {
    expect(nextEvent(evs, 0)?.id).toBe(2);
    expect(nextEvent(evs, 1)?.id).toBe(1);
    expect(nextEvent(evs, 9)).toBeNull();
    expect(previousEvent(evs, 9)?.id).toBe(1);
    expect(previousEvent(evs, 1)).toBeNull();
  });
  it('refuses splits outside the event and merges of one or mixed labels', () => {
    expect(splitError(evs[0], 5.5)).toBeNull();
    expect(splitError(evs[0], 6)).not.toBeNull();
    expect(splitError(evs[0], 4)).not.toBeNull();
    expect(mergeError([evs[0]])).toMatch(/at least two/);
    expect(mergeError([evs[0], evs[1]])).toBeNull();
    expect(mergeError([evs[0], evs[2]])).toBe('cannot merge events with different labels (a, b)');
  });
  it('snaps dragged bounds to milliseconds inside the file', () => {
    expect(snapBounds(1.23456, 2.34567, 10)).toEqual({ onset: 1.235, offset: 2.346 });
    expect(snapBounds(-0.2, 11, 10)).toEqual({ onset: 0, offset: 10 });
    expect(snapBounds(3, 3.001, 10)).toEqual({ onset: 3, offset: 3.01 });
  });
  it('validates table edits', () => {
    expect(validateTimeEdit('onset', '1.5', { onset: 1, offset: 2 }, 10)).toEqual({ ok: true, onset: 1.5, offset: 2 });
    expect(validateTimeEdit('offset', '0:03.0004', { onset: 1, offset: 2 }, 10)).toEqual({ ok: true, onset: 1, offset: 3 });
    expect(validateTimeEdit('onset', '2.5', { onset: 1, offset: 2 }, 10)).toEqual({ ok: false, error: 'offset must be at least 10 ms after onset' });
    expect(validateTimeEdit('offset', 'x', { onset: 1, offset: 2 }, 10).ok).toBe(false);
  });
});

describe('keyboard map', () => {
  it('maps the documented shortcuts', () => {
    expect(resolveKey({ key: ' ' })).toEqual({ action: 'playPause' });
    expect(resolveKey({ key: 'ArrowLeft' })).toEqual({ action: 'seekBack', amount: 1 });
    expect(resolveKey({ key: 'ArrowRight', shiftKey: true })).toEqual({ action: 'seekForward', amount: 5 });
    expect(resolveKey({ key: 'ArrowLeft', altKey: true })).toEqual({ action: 'prevEvent' });
    expect(resolveKey({ key: ']' })).toEqual({ action: 'nextEvent' });
    expect(resolveKey({ key: '3' })).toEqual({ action: 'setLabel', index: 2 });
    expect(resolveKey({ key: 'z', ctrlKey: true })).toEqual({ action: 'undo' });
    expect(resolveKey({ key: 'Z', ctrlKey: true, shiftKey: true })).toEqual({ action: 'redo' });
    expect(resolveKey({ key: 'y', metaKey: true })).toEqual({ action: 'redo' });
    expect(resolveKey({ key: 'Enter' })).toEqual({ action: 'markReviewedNext' });
    expect(resolveKey({ key: 'Delete' })).toEqual({ action: 'deleteEvent' });
    expect(resolveKey({ key: 's' })).toEqual({ action: 'split' });
    expect(resolveKey({ key: 'm' })).toEqual({ action: 'merge' });
    expect(resolveKey({ key: 'l' })).toEqual({ action: 'toggleLoop' });
    expect(resolveKey({ key: '+' })).toEqual({ action: 'zoomIn' });
    expect(resolveKey({ key: '-' })).toEqual({ action: 'zoomOut' });
    expect(resolveKey({ key: '?' })).toEqual({ action: 'help' });
    expect(resolveKey({ key: 'c', ctrlKey: true })).toBeNull();
    expect(resolveKey({ key: 'w' })).toBeNull();
    expect(resolveKey({ key: 'q' })).toEqual({ action: 'reviewQueue' });
    expect(resolveKey({ key: 'n' })).toEqual({ action: 'reviewNext' });
    expect(resolveKey({ key: 'N', shiftKey: true })).toEqual({ action: 'reviewPrev' });
    expect(resolveKey({ key: 'v' })).toEqual({ action: 'accept' });
    expect(resolveKey({ key: 'x' })).toEqual({ action: 'reject' });
    expect(resolveKey({ key: 'j' })).toEqual({ action: 'nudge', edge: 'onset', amount: -0.05 });
    expect(resolveKey({ key: 'K', shiftKey: true })).toEqual({ action: 'nudge', edge: 'offset', amount: -0.05 });
  });
  it('knows typing targets', () => {
    expect(isTypingTarget({ tagName: 'INPUT' } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: false } as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe('spectrogram drawing', () => {
  // 4 columns x 2 bins over [10, 14): column c, bin b = 10*c + 100*b
  const bytes = Uint8Array.from([0, 100, 10, 110, 20, 120, 30, 130]);
  const tile = { start: 10, end: 14, columns: 4, bins: 2, data: Buffer.from(bytes).toString('base64') };
  it('decodes the base64 column-major tile', () => {
    const img = decodeTile(tile);
    expect(img.start).toBe(10);
    expect(img.secondsPerFrame).toBe(1);
    expect([...img.values]).toEqual([...bytes]);
  });
  it('maps pixel columns to frames', () => {
    expect(framesForColumn(0, 2, 0, 4, 1, 4)).toEqual([0, 2]);
    expect(framesForColumn(1, 2, 0, 4, 1, 4)).toEqual([2, 4]);
    expect(framesForColumn(3, 8, 0, 4, 1, 4)).toEqual([1, 2]);
  });
  it('renders the window with high bins on top and keeps the loudest frame per pixel', () => {
    const img = decodeTile(tile);
    const px = renderColumns(img, 2, 10, 14);
    const rgb = (x: number, row: number) => [...px.slice((row * 2 + x) * 4, (row * 2 + x) * 4 + 3)];
    const lut = (v: number) => [...COLORMAP.slice(v * 3, v * 3 + 3)];
    // bottom row (row 1) is bin 0; pixel 0 covers frames 0..1 → max(0, 10) = 10
    expect(rgb(0, 1)).toEqual(lut(10));
    expect(rgb(1, 1)).toEqual(lut(30));
    expect(rgb(0, 0)).toEqual(lut(110));
    expect(rgb(1, 0)).toEqual(lut(130));
    // a window outside the tile is black
    const outside = renderColumns(img, 1, 0, 5);
    expect([...outside.slice(0, 4)]).toEqual([0, 0, 0, 255]);
  });
});

describe('palette and region look', () => {
  it('gives fixed colours to DCASE classes and stable ones to others', () => {
    expect(labelColor('babycry')).toBe('#4fa3ff');
    expect(labelColor('dog')).toBe(labelColor('dog'));
    expect(withAlpha('#ff8000', 0.5)).toBe('rgba(255, 128, 0, 0.500)');
  });
  it('fills by confidence and tells predicted from verified', () => {
    expect(regionFill('#000000', 0, false)).toBe('rgba(0, 0, 0, 0.100)');
    expect(regionFill('#000000', 0.2, true)).toBe('rgba(0, 0, 0, 0.300)');
    expect(regionLook('#4fa3ff', 0.8, false, false).style.border).toContain('dashed');
    expect(regionLook('#4fa3ff', null, true, false).style.border).toContain('solid');
    expect(regionLook('#4fa3ff', null, true, true).style.outline).toBe('2px solid #ffffff');
  });
});

describe('time ruler spacing', async () => {
  const { rulerIntervals } = await import('../src-renderer/lib/ruler');
  it('keeps ticks at least 8 px and labels at least 70 px apart, labels on ticks', () => {
    expect(rulerIntervals(125)).toEqual({ timeInterval: 0.1, primaryLabelInterval: 1, secondaryLabelInterval: 1 });
    expect(rulerIntervals(0.35)).toEqual({ timeInterval: 30, primaryLabelInterval: 300, secondaryLabelInterval: 300 });
    expect(rulerIntervals(4000)).toEqual({ timeInterval: 0.01, primaryLabelInterval: 0.02, secondaryLabelInterval: 0.02 });
    for (const px of [0.01, 0.3, 3, 33, 333, 3333]) {
      const r = rulerIntervals(px);
      expect(r.timeInterval * px).toBeGreaterThanOrEqual(8 - 1e-9);
      expect(Number.isInteger(Math.round((r.primaryLabelInterval / r.timeInterval) * 1e6) / 1e6)).toBe(true);
    }
  });
});

describe('overview peaks', () => {
  it('merges min/max pairs without losing a peak, and leaves short arrays alone', () => {
    const max = Float32Array.from([0.1, 0.9, 0.2, 0.3, 0.05, 0.4, 0.2]);
    const min = Float32Array.from([-0.1, -0.2, -0.8, -0.3, -0.05, -0.1, -0.6]);
    const three = decimatePeaks(max, min, 3);
    // Groups [0, 2), [2, 4), [4, 7).
    expect(Array.from(three.max)).toEqual([0.9, 0.3, 0.4].map(Math.fround));
    expect(Array.from(three.min)).toEqual([-0.2, -0.8, -0.6].map(Math.fround));
    const big = new Float32Array(40_000).map((_, i) => Math.sin(i));
    const down = decimatePeaks(big, big.map((v) => -v), 8000);
    expect(down.max.length).toBe(8000);
    expect(Math.max(...down.max)).toBe(Math.max(...big));
    expect(decimatePeaks(max, min, 7).max).toBe(max);
  });

  it('normalises to the largest absolute peak, and leaves silence at gain 1', () => {
    expect(normalizingGain({ start: 0, peaksPerSecond: 1, max: [0.1, 0.25], min: [-0.5, 0] })).toBe(2);
    expect(normalizingGain({ start: 0, peaksPerSecond: 1, max: [0, 0], min: [0, 0] })).toBe(1);
  });
});

describe('afterNextFrame', () => {
  // A page's frame clock, stepped by hand: requestAnimationFrame callbacks run when frame() is called.
  function withFrames(): { frame: () => void; restore: () => void } {
    let callbacks = new Map<number, FrameRequestCallback>();
    let next = 1;
    const g = globalThis as unknown as Record<string, unknown>;
    const saved = { raf: g.requestAnimationFrame, caf: g.cancelAnimationFrame };
    g.requestAnimationFrame = (cb: FrameRequestCallback) => (callbacks.set(next, cb), next++);
    g.cancelAnimationFrame = (id: number) => callbacks.delete(id);
    return {
      frame: () => {
        const due = callbacks;
        callbacks = new Map();
        for (const cb of due.values()) cb(0);
      },
      restore: () => {
        g.requestAnimationFrame = saved.raf;
        g.cancelAnimationFrame = saved.caf;
      },
    };
  }

  let clock: ReturnType<typeof withFrames>;
  beforeEach(() => {
    vi.useFakeTimers();
    clock = withFrames();
  });
  afterEach(() => {
    clock.restore();
    vi.useRealTimers();
  });

  it('runs the work in a task of its own after the next frame, once', () => {
    const work = vi.fn();
    afterNextFrame(work);
    vi.advanceTimersByTime(0);
    expect(work).not.toHaveBeenCalled(); // no frame yet
    clock.frame();
    expect(work).not.toHaveBeenCalled(); // not inside the frame's callbacks
    vi.advanceTimersByTime(0);
    expect(work).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('runs it anyway when no frame comes (a hidden page), and not after cancel', () => {
    const late = vi.fn();
    afterNextFrame(late);
    vi.advanceTimersByTime(199);
    expect(late).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(late).toHaveBeenCalledTimes(1);
    clock.frame();
    vi.advanceTimersByTime(1000);
    expect(late).toHaveBeenCalledTimes(1);

    const cancelled = vi.fn();
    const cancel = afterNextFrame(cancelled);
    clock.frame();
    cancel();
    vi.advanceTimersByTime(1000);
    expect(cancelled).not.toHaveBeenCalled();
  });
});
