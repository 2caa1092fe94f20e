import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api } from '../api';
import type { ReviewItem, ReviewOrder } from '../../src-main/api/contract';
import { useEventsStore } from './events';
import { useProjectStore } from './project';
import { useRecordingsStore } from './recordings';
import { useUiStore } from './ui';

/**
 * The project-wide review queue: every prediction in the order the reviewer picked, with its
 * verdict. Edits made on the open file (relabel, adjust, verify) count as soon as they are made.
 */
export const useReviewStore = defineStore('review', () => {
  const ui = useUiStore();
  const project = useProjectStore();
  const events = useEventsStore();
  const recordings = useRecordingsStore();

  const open = ref(false);
  const order = ref<ReviewOrder>('uncertain');
  const loaded = ref<ReviewItem[]>([]);
  const index = ref(0);

  /** Queue items with the open file's live events folded in (a relabelled or adjusted event is accepted). */
  const items = computed<ReviewItem[]>(() => {
    const live = new Map(events.events.map((e) => [e.id, e]));
    return loaded.value.map((item) => {
      const event = item.state === 'rejected' ? undefined : live.get(item.event.id);
      return event ? { ...item, event, state: event.verified ? 'accepted' : 'pending' } : item;
    });
  });
  const total = computed(() => items.value.length);
  const reviewed = computed(() => items.value.filter((i) => i.state !== 'pending').length);
  const current = computed(() => items.value[index.value] ?? null);

  async function load(): Promise<void> {
    if (!project.project) return;
    const keep = current.value?.event.id;
    const queue = await ui.guard(() => api().call('review.queue', { projectId: project.project!.id, order: order.value }));
    loaded.value = queue.items;
    const at = keep === undefined ? -1 : queue.items.findIndex((i) => i.event.id === keep);
    index.value = at >= 0 ? at : Math.max(0, Math.min(index.value, queue.items.length - 1));
  }

  /** The next item after `from` (wrapping) that is still pending, or null when all are judged. */
  function nextPending(from: number): number | null {
    const n = items.value.length;
    for (let step = 1; step <= n; step++) {
      const i = (from + step) % n;
      if (items.value[i].state === 'pending') return i;
    }
    return null;
  }

  function firstPending(): number {
    return items.value.findIndex((i) => i.state === 'pending');
  }

  async function decide(eventId: number, decision: 'accept' | 'reject'): Promise<ReviewItem> {
    const result = await ui.save(() => api().call('review.decide', { eventId, decision }));
    const i = loaded.value.findIndex((item) => item.event.id === eventId);
    if (i >= 0) loaded.value.splice(i, 1, result.item);
    project.setEdits(result.edits);
    const { recordingId } = result.item.event;
    if (recordingId === events.recordingId) {
      if (result.item.state === 'rejected') await events.load(recordingId);
      else events.replace(result.item.event);
    }
    void recordings.reloadOne(recordingId).catch(() => undefined);
    return result.item;
  }

  return { open, order, index, items, total, reviewed, current, load, nextPending, firstPending, decide };
});
