/** Keyboard shortcuts: one table used by the key handler and by the help overlay. */
export type Action =
  | 'playPause'
  | 'seekBack'
  | 'seekForward'
  | 'prevEvent'
  | 'nextEvent'
  | 'setLabel'
  | 'deleteEvent'
  | 'undo'
  | 'redo'
  | 'markReviewedNext'
  | 'toggleLoop'
  | 'playEvent'
  | 'toggleAutoAdvance'
  | 'slower'
  | 'faster'
  | 'split'
  | 'merge'
  | 'zoomIn'
  | 'zoomOut'
  | 'help'
  | 'escape'
  | 'nextFile'
  | 'prevFile';

export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  altKey?: boolean;
}

export interface Resolved {
  action: Action;
  /** For setLabel: index into the label list (0-based). */
  index?: number;
  /** For seeks: seconds. */
  amount?: number;
}

export const SHORTCUT_HELP: { keys: string; action: string }[] = [
  { keys: 'Space', action: 'Play / pause' },
  { keys: '← / →', action: 'Seek 1 s (Shift: 5 s)' },
  { keys: 'Alt+← / Alt+→  or  [ / ]', action: 'Previous / next event' },
  { keys: '1 … 9', action: 'Set label of selected event (or label for new events)' },
  { keys: 'Delete / Backspace', action: 'Delete selected events' },
  { keys: 'Ctrl+Z', action: 'Undo' },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', action: 'Redo' },
  { keys: 'Enter / R', action: 'Mark file reviewed and open the next' },
  { keys: 'P', action: 'Play selected event (loops while L is on)' },
  { keys: 'L', action: 'Loop selected event' },
  { keys: 'A', action: 'Auto-advance: play the next event after each' },
  { keys: '<  or  >', action: 'Slower / faster playback (0.25× – 2×)' },
  { keys: 'S', action: 'Split selected event at the cursor' },
  { keys: 'M', action: 'Merge selected events' },
  { keys: '+ / −', action: 'Zoom in / out' },
  { keys: 'PgUp / PgDn', action: 'Previous / next file' },
  { keys: 'Esc', action: 'Clear selection, close dialogs' },
  { keys: '?', action: 'This help' },
];

export function resolveKey(e: KeyLike): Resolved | null {
  const ctrl = !!(e.ctrlKey || e.metaKey);
  const k = e.key;
  if (ctrl) {
    const lower = k.toLowerCase();
    if (lower === 'z') return { action: e.shiftKey ? 'redo' : 'undo' };
    if (lower === 'y') return { action: 'redo' };
    return null;
  }
  if (k === ' ' || e.code === 'Space') return { action: 'playPause' };
  if (k === 'ArrowLeft') return e.altKey ? { action: 'prevEvent' } : { action: 'seekBack', amount: e.shiftKey ? 5 : 1 };
  if (k === 'ArrowRight') return e.altKey ? { action: 'nextEvent' } : { action: 'seekForward', amount: e.shiftKey ? 5 : 1 };
  if (k === '[') return { action: 'prevEvent' };
  if (k === ']') return { action: 'nextEvent' };
  if (/^[1-9]$/.test(k) && !e.altKey) return { action: 'setLabel', index: Number(k) - 1 };
  if (k === 'Delete' || k === 'Backspace') return { action: 'deleteEvent' };
  if (k === 'Enter' || k === 'r' || k === 'R') return { action: 'markReviewedNext' };
  if (k === 'l' || k === 'L') return { action: 'toggleLoop' };
  if (k === 'p' || k === 'P') return { action: 'playEvent' };
  if (k === 'a' || k === 'A') return { action: 'toggleAutoAdvance' };
  if (k === '<' || k === ',') return { action: 'slower' };
  if (k === '>' || k === '.') return { action: 'faster' };
  if (k === 's' || k === 'S') return { action: 'split' };
  if (k === 'm' || k === 'M') return { action: 'merge' };
  if (k === '+' || k === '=') return { action: 'zoomIn' };
  if (k === '-' || k === '_') return { action: 'zoomOut' };
  if (k === '?') return { action: 'help' };
  if (k === 'Escape') return { action: 'escape' };
  if (k === 'PageDown') return { action: 'nextFile' };
  if (k === 'PageUp') return { action: 'prevFile' };
  return null;
}

/** Keys typed into inputs must stay there, except Escape and the undo/redo chords. */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toLowerCase();
  return tag === 'input' || tag === 'textarea' || tag === 'select' || el.isContentEditable === true;
}
