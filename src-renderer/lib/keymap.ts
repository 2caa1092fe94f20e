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
  | 'prevFile'
  | 'reviewQueue'
  | 'reviewNext'
  | 'reviewPrev'
  | 'accept'
  | 'reject'
  | 'nudge'
  | 'clearBand';

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
  /** For seeks: seconds; for nudge: seconds added to `edge` (negative: earlier). */
  amount?: number;
  /** For nudge: which end of the selected event moves. */
  edge?: 'onset' | 'offset';
}

/** How far J / K move an event's edge. */
export const NUDGE_SECONDS = 0.05;

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
  { keys: 'Q', action: 'Review queue: every prediction of the project, one by one' },
  { keys: 'N / Shift+N', action: 'Next / previous prediction in the review queue' },
  { keys: 'V', action: 'Accept the prediction (then the next one in the queue)' },
  { keys: 'X', action: 'Reject the prediction as a false alarm (then the next one)' },
  { keys: 'J / Shift+J', action: 'Move the selected event\'s onset 50 ms earlier / later' },
  { keys: 'K / Shift+K', action: 'Move the selected event\'s offset 50 ms later / earlier' },
  { keys: 'Shift+drag on the spectrogram', action: 'Draw an event as a box (inside the selected event: set its frequency band)' },
  { keys: 'B', action: 'Clear the selected events\' frequency bands' },
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
  if (k === 'q' || k === 'Q') return { action: 'reviewQueue' };
  if (k === 'n' || k === 'N') return { action: e.shiftKey ? 'reviewPrev' : 'reviewNext' };
  if (k === 'v' || k === 'V') return { action: 'accept' };
  if (k === 'x' || k === 'X') return { action: 'reject' };
  if (k === 'j' || k === 'J') return { action: 'nudge', edge: 'onset', amount: e.shiftKey ? NUDGE_SECONDS : -NUDGE_SECONDS };
  if (k === 'b' || k === 'B') return { action: 'clearBand' };
  if (k === 'k' || k === 'K') return { action: 'nudge', edge: 'offset', amount: e.shiftKey ? -NUDGE_SECONDS : NUDGE_SECONDS };
  return null;
}

/** Keys typed into inputs must stay there, except Escape and the undo/redo chords. */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toLowerCase();
  return tag === 'input' || tag === 'textarea' || tag === 'select' || el.isContentEditable === true;
}
