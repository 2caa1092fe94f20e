import { defineStore } from 'pinia';
import { ref, computed } from 'vue';
import { api } from '../api';
import type { EditState, SoundEventRow } from '../../src-main/api/contract';
import { useUiStore } from './ui';
import { useProjectStore } from './project';
import { useRecordingsStore } from './recordings';
import { boundsError, mergeError, nextEvent, previousEvent, sortByOnset, splitError } from '../lib/events';

export interface EventPatch {
  onset?: number;
  offset?: number;
  labelId?: number;
  verified?: boolean;
  /** Both together: numbers set the frequency band, both null clear it. */
  lowFrequency?: number | null;
  highFrequency?: number | null;
}

export interface FrequencyBand {
  lowFrequency: number;
  highFrequency: number;
}

/**
 * Events of the open recording. Edits are applied locally at once (optimistic), sent to the API,
 * then replaced by the server's row (reconcile) or rolled back with a toast on failure.
 */
export const useEventsStore = defineStore('events', () => {
  const ui = useUiStore();
  const project = useProjectStore();
  const recordings = useRecordingsStore();

  const recordingId = ref<number | null>(null);
  const events = ref<SoundEventRow[]>([]);
  const selected = ref<number[]>([]);

  const sorted = computed(() => sortByOnset(events.value));
  const selectedEvents = computed(() => sorted.value.filter((e) => selected.value.includes(e.id)));
  const primary = computed(() => (selected.value.length ? events.value.find((e) => e.id === selected.value[selected.value.length - 1]) ?? null : null));

  let loadToken = 0;
  async function load(id: number): Promise<void> {
    const token = ++loadToken;
    const rows = await ui.guard(() => api().call('events.list', { recordingId: id }));
    if (token !== loadToken) return;
    if (recordingId.value !== id) selected.value = [];
    recordingId.value = id;
    events.value = rows;
    // Detection may have added labels since we last listed them.
    if (rows.some((r) => !project.labelById.has(r.labelId))) void project.loadLabels().catch(() => undefined);
    selected.value = selected.value.filter((s) => rows.some((r) => r.id === s));
  }

  function clear(): void {
    loadToken++;
    recordingId.value = null;
    events.value = [];
    selected.value = [];
  }

  function select(id: number | null, additive = false): void {
    if (id == null) selected.value = [];
    else if (additive) selected.value = selected.value.includes(id) ? selected.value.filter((s) => s !== id) : [...selected.value, id];
    else selected.value = [id];
  }

  function replace(row: SoundEventRow): void {
    const i = events.value.findIndex((e) => e.id === row.id);
    if (i >= 0) events.value.splice(i, 1, row);
    else if (row.recordingId === recordingId.value) events.value.push(row);
  }

  function afterEdit(edits: EditState, countsChanged: boolean): void {
    project.setEdits(edits);
    if (countsChanged && recordingId.value != null) void recordings.reloadOne(recordingId.value).catch(() => undefined);
  }

  function duration(): number | null {
    return recordings.current?.durationSeconds ?? null;
  }

  async function update(id: number, patch: EventPatch): Promise<void> {
    const before = events.value.find((e) => e.id === id);
    if (!before) return;
    const onset = patch.onset ?? before.onset;
    const offset = patch.offset ?? before.offset;
    const problem = boundsError(onset, offset, duration());
    if (problem) {
      ui.toast('error', problem);
      throw new Error(problem);
    }
    replace({ ...before, ...patch, verified: true, source: 'human' });
    try {
      const result = await ui.save(() => api().call('events.update', { eventId: id, ...patch }));
      replace(result.event);
      afterEdit(result.edits, false);
    } catch (error) {
      replace(before);
      throw error;
    }
  }

  async function create(onset: number, offset: number, labelId: number, band?: FrequencyBand): Promise<SoundEventRow | null> {
    if (recordingId.value == null) return null;
    const problem = boundsError(onset, offset, duration());
    if (problem) {
      ui.toast('error', problem);
      return null;
    }
    const rid = recordingId.value;
    const result = await ui.save(() => api().call('events.create', { recordingId: rid, labelId, onset, offset, ...band }));
    replace(result.event);
    selected.value = [result.event.id];
    afterEdit(result.edits, true);
    return result.event;
  }

  async function remove(ids: number[]): Promise<void> {
    for (const id of ids) {
      const before = events.value.find((e) => e.id === id);
      if (!before) continue;
      events.value = events.value.filter((e) => e.id !== id);
      selected.value = selected.value.filter((s) => s !== id);
      try {
        const result = await ui.save(() => api().call('events.delete', { eventId: id }));
        afterEdit(result.edits, true);
      } catch (error) {
        events.value.push(before);
        throw error;
      }
    }
  }

  async function split(id: number, at: number): Promise<void> {
    const ev = events.value.find((e) => e.id === id);
    if (!ev) return;
    const problem = splitError(ev, at);
    if (problem) {
      ui.toast('error', problem);
      return;
    }
    const result = await ui.save(() => api().call('events.split', { eventId: id, at }));
    events.value = events.value.filter((e) => e.id !== id && !result.events.some((r) => r.id === e.id));
    events.value.push(...result.events);
    selected.value = [result.events[1].id];
    afterEdit(result.edits, true);
  }

  async function merge(ids: number[]): Promise<void> {
    const chosen = events.value.filter((e) => ids.includes(e.id));
    const problem = mergeError(chosen.map((e) => ({ label: project.labelById.get(e.labelId)?.name ?? String(e.labelId) })));
    if (problem) {
      ui.toast('error', problem);
      return;
    }
    const result = await ui.save(() => api().call('events.merge', { eventIds: ids }));
    events.value = events.value.filter((e) => !ids.includes(e.id));
    replace(result.event);
    selected.value = [result.event.id];
    afterEdit(result.edits, true);
  }

  async function undo(): Promise<void> {
    if (!project.project) return;
    const result = await ui.save(() => api().call('edits.undo', { projectId: project.project!.id }));
    await afterHistory(result, 'Undid');
  }

  async function redo(): Promise<void> {
    if (!project.project) return;
    const result = await ui.save(() => api().call('edits.redo', { projectId: project.project!.id }));
    await afterHistory(result, 'Redid');
  }

  async function afterHistory(
    result: { applied: boolean; description: string | null; recordingIds: number[]; edits: EditState },
    verb: 'Undid' | 'Redid',
  ): Promise<void> {
    project.setEdits(result.edits);
    if (!result.applied) {
      ui.toast('info', verb === 'Undid' ? 'Nothing to undo' : 'Nothing to redo');
      return;
    }
    if (result.description) ui.toast('info', `${verb}: ${result.description.charAt(0).toLowerCase()}${result.description.slice(1)}`, 2500);
    await Promise.all(
      result.recordingIds.map(async (rid) => {
        await recordings.reloadOne(rid).catch(() => undefined);
        if (rid === recordingId.value) await load(rid);
      }),
    );
  }

  /** Clears the frequency band of each of `ids` that has one (one undoable edit each). */
  async function clearBands(ids: number[]): Promise<void> {
    const banded = events.value.filter((e) => ids.includes(e.id) && e.lowFrequency !== null);
    for (const ev of banded) await update(ev.id, { lowFrequency: null, highFrequency: null });
  }

  function neighbour(direction: 1 | -1, time: number): SoundEventRow | null {
    return direction > 0 ? nextEvent(events.value, time) : previousEvent(events.value, time);
  }

  return {
    recordingId, events, sorted, selected, selectedEvents, primary,
    load, clear, select, replace, update, create, remove, split, merge, undo, redo, neighbour, clearBands,
  };
});
