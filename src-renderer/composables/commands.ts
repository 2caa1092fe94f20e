import { useEventsStore } from '../stores/events';
import { useProjectStore } from '../stores/project';
import { useRecordingsStore } from '../stores/recordings';
import { useUiStore } from '../stores/ui';
import { useReviewStore } from '../stores/review';
import type { Resolved } from '../lib/keymap';
import { currentTime, fitPxPerSec, playPause, playRange, reveal, seek } from './player';

/** Predictions below this confidence are confirmed before "Mark reviewed" accepts them. */
export const LOW_CONFIDENCE = 0.5;

/** Every user action with more than one trigger (keys, buttons, table), in one place. */
export function useCommands() {
  const ui = useUiStore();
  const events = useEventsStore();
  const recordings = useRecordingsStore();
  const project = useProjectStore();
  const review = useReviewStore();

  // Errors are already toasted by the stores; commands must not leave unhandled rejections.
  const quiet = (p: Promise<unknown>) => void p.catch(() => undefined);

  async function openRecording(id: number): Promise<void> {
    events.clear();
    await Promise.all([recordings.open(id), events.load(id)]);
  }

  function selectEvent(id: number, additive = false): void {
    events.select(id, additive);
    const ev = events.events.find((e) => e.id === id);
    if (ev && !additive) reveal(ev.onset);
  }

  function step(direction: 1 | -1): void {
    const target = events.neighbour(direction, currentTime());
    if (target) selectEvent(target.id);
  }

  function setLabelByIndex(index: number): void {
    const key = String(index + 1);
    const label = project.labels.find((l) => l.shortcut === key) ?? (project.labels.some((l) => l.shortcut) ? undefined : project.labels[index]);
    if (!label) {
      ui.toast('error', `No label on key ${index + 1}`);
      return;
    }
    setLabel(label.id);
  }

  function setLabel(labelId: number): void {
    const targets = events.selectedEvents;
    if (!targets.length) {
      ui.drawLabelId = labelId;
      return;
    }
    for (const ev of targets) if (ev.labelId !== labelId) quiet(events.update(ev.id, { labelId }));
  }

  /**
   * Marks the open file reviewed, which accepts its predictions as correct: asks first when some
   * are below LOW_CONFIDENCE. Then opens the next file that can be opened, or says the list ended.
   */
  async function markReviewedAndNext(): Promise<void> {
    const rec = recordings.current;
    if (!rec) return;
    if (!rec.error) {
      const doubtful = events.events.filter((e) => !e.verified && e.confidence != null && e.confidence < LOW_CONFIDENCE).length;
      const question = `${doubtful} predicted event${doubtful === 1 ? ' has' : 's have'} a confidence below ${LOW_CONFIDENCE}. Marking ${rec.name} reviewed accepts ${doubtful === 1 ? 'it' : 'them'} as correct. Mark it reviewed?`;
      if (doubtful && !window.confirm(question)) return;
      await recordings.setReviewed(rec.id, true);
    }
    const nextRec = recordings.nextOpenable;
    if (nextRec) return openRecording(nextRec.id);
    const reviewed = recordings.list.filter((r) => r.status === 'reviewed').length;
    ui.toast('info', `That was the last file in the list: ${reviewed} of ${recordings.list.length} reviewed`, 6000);
  }

  function toggleLoop(): void {
    ui.loop = !ui.loop;
    if (ui.loop && events.primary) playEvent();
  }

  /** Plays the selected event from its onset to its offset. */
  function playEvent(): void {
    const ev = events.primary;
    if (!ev) return ui.toast('error', 'select an event to play');
    ui.playingEventId = ev.id;
    playRange(ev.onset, ev.offset);
  }

  /** Playback paused: at the end of the playing event, play it again (loop) or the next one (auto-advance). */
  function playbackPaused(): void {
    const ev = events.events.find((e) => e.id === ui.playingEventId);
    ui.playingEventId = null;
    if (!ev || currentTime() < ev.offset - 0.05) return; // paused by the user, or the event is gone
    const next = ui.loop ? ev : ui.autoAdvance ? events.neighbour(1, ev.onset) : null;
    if (!next) return;
    if (next !== ev) selectEvent(next.id);
    playEvent();
  }

  function split(): void {
    const ev = events.primary;
    if (!ev) return ui.toast('error', 'select an event to split');
    quiet(events.split(ev.id, Math.round(currentTime() * 1000) / 1000));
  }

  function merge(): void {
    quiet(events.merge(events.selectedEvents.map((e) => e.id)));
  }

  /** Shows review queue item `index`: opens its file and selects the event (a rejected one is no longer on the file). */
  async function reviewGo(index: number): Promise<void> {
    const item = review.items[index];
    if (!item) return;
    review.index = index;
    if (events.recordingId !== item.event.recordingId) await openRecording(item.event.recordingId);
    if (review.index !== index) return; // the reviewer moved on while the file loaded
    if (item.state === 'rejected') events.select(null);
    else selectEvent(item.event.id);
  }

  async function toggleReview(): Promise<void> {
    if (review.open) {
      review.open = false;
      return;
    }
    if (!project.project) return;
    review.open = true;
    await review.load();
    if (!review.total) return ui.toast('info', 'No predictions to review: run detection first');
    const pending = review.firstPending();
    await reviewGo(pending >= 0 ? pending : 0);
  }

  async function reviewStep(direction: 1 | -1): Promise<void> {
    if (!review.open) return toggleReview();
    if (!review.total) return;
    await reviewGo((review.index + direction + review.total) % review.total);
  }

  /** After a verdict in the queue, the next prediction still to judge, or word that none is left. */
  async function reviewAdvance(): Promise<void> {
    const next = review.nextPending(review.index);
    if (next === null) return ui.toast('success', `All ${review.total} predictions reviewed`);
    await reviewGo(next);
  }

  /** Accept / reject: the review queue's current prediction while the queue is open, else the selected events. */
  async function judge(decision: 'accept' | 'reject'): Promise<void> {
    const item = review.open ? review.current : null;
    const targets = item ? [item.event] : events.selectedEvents;
    if (!targets.length) return ui.toast('error', `select an event to ${decision}`);
    for (const ev of targets) {
      if (decision === 'reject' && ev.source !== 'predicted') {
        ui.toast('error', 'Only predictions can be rejected; delete a drawn event instead');
        continue;
      }
      await review.decide(ev.id, decision);
    }
    if (item) await reviewAdvance();
  }

  function nudge(edge: 'onset' | 'offset', amount: number): void {
    const ev = events.primary;
    if (!ev) return ui.toast('error', 'select an event to adjust');
    const at = Math.max(0, Math.round((ev[edge] + amount) * 1000) / 1000);
    quiet(events.update(ev.id, { [edge]: at }));
  }

  function zoom(factor: number): void {
    ui.zoomBy(factor, fitPxPerSec());
  }

  function run(cmd: Resolved): void {
    switch (cmd.action) {
      case 'playPause': return playPause();
      case 'seekBack': return seek(currentTime() - (cmd.amount ?? 1));
      case 'seekForward': return seek(currentTime() + (cmd.amount ?? 1));
      case 'prevEvent': return step(-1);
      case 'nextEvent': return step(1);
      case 'setLabel': return setLabelByIndex(cmd.index ?? 0);
      case 'deleteEvent': return quiet(events.remove(events.selected.slice()));
      case 'undo': return quiet(events.undo().then(() => (review.open ? review.load() : undefined)));
      case 'redo': return quiet(events.redo().then(() => (review.open ? review.load() : undefined)));
      case 'markReviewedNext': return quiet(markReviewedAndNext());
      case 'toggleLoop': return toggleLoop();
      case 'playEvent': return playEvent();
      case 'toggleAutoAdvance': ui.autoAdvance = !ui.autoAdvance; return;
      case 'slower': return ui.stepPlaybackRate(-1);
      case 'faster': return ui.stepPlaybackRate(1);
      case 'split': return split();
      case 'merge': return merge();
      case 'zoomIn': return zoom(1.5);
      case 'zoomOut': return zoom(1 / 1.5);
      case 'help': ui.helpOpen = !ui.helpOpen; return;
      case 'escape':
        if (ui.helpOpen || ui.exportOpen || ui.detectionOpen || ui.openFolderOpen || ui.labelsOpen) {
          ui.helpOpen = ui.exportOpen = ui.detectionOpen = ui.openFolderOpen = ui.labelsOpen = false;
        } else events.select(null);
        return;
      case 'nextFile': if (recordings.next) quiet(openRecording(recordings.next.id)); return;
      case 'prevFile': if (recordings.previous) quiet(openRecording(recordings.previous.id)); return;
      case 'reviewQueue': return quiet(toggleReview());
      case 'reviewNext': return quiet(reviewStep(1));
      case 'reviewPrev': return quiet(reviewStep(-1));
      case 'accept': return quiet(judge('accept'));
      case 'reject': return quiet(judge('reject'));
      case 'nudge': return nudge(cmd.edge ?? 'onset', cmd.amount ?? 0);
      case 'clearBand': return quiet(events.clearBands(events.selected.slice()));
    }
  }

  return {
    run, openRecording, selectEvent, setLabel, markReviewedAndNext, toggleLoop, playEvent, playbackPaused, split, merge, zoom, quiet,
    toggleReview, reviewGo, reviewStep, judge,
  };
}
