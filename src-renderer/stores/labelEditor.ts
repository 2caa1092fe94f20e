import { defineStore } from 'pinia';
import { api } from '../api';
import type { Label } from '../../src-main/api/contract';
import { freeShortcut } from '../lib/labelName';
import { useEventsStore } from './events';
import { useProjectStore } from './project';
import { useRecordingsStore } from './recordings';
import { useUiStore } from './ui';

/** What becomes of a deleted label's events. */
export type LabelFate = { events: 'delete' } | { events: 'move'; moveToLabelId: number };

/** Creating, renaming, recolouring and deleting the open project's labels. */
export const useLabelEditorStore = defineStore('labelEditor', () => {
  const ui = useUiStore();
  const project = useProjectStore();
  const events = useEventsStore();
  const recordings = useRecordingsStore();

  /** Labels and the open file's events after a change that may have touched events anywhere. */
  async function refreshAfter(recordingIds: readonly number[]): Promise<void> {
    await project.loadLabels();
    await Promise.all(recordingIds.map((id) => recordings.reloadOne(id).catch(() => undefined)));
    if (events.recordingId != null && recordingIds.includes(events.recordingId)) await events.load(events.recordingId);
  }

  async function create(name: string, color: string): Promise<Label> {
    const projectId = project.project!.id;
    const shortcut = freeShortcut(project.labels.map((l) => l.shortcut));
    const label = await ui.save(() => api().call('labels.create', { projectId, name: name.trim(), color, shortcut }));
    await project.loadLabels();
    return label;
  }

  async function rename(labelId: number, name: string): Promise<void> {
    await ui.save(() => api().call('labels.update', { labelId, name: name.trim() }));
    // Events keep their label id: only the names shown change.
    await project.loadLabels();
  }

  async function recolor(labelId: number, color: string): Promise<void> {
    await ui.save(() => api().call('labels.update', { labelId, color }));
    await project.loadLabels();
  }

  async function remove(labelId: number, fate: LabelFate | null): Promise<number> {
    const result = await ui.save(() => api().call('labels.delete', { labelId, ...(fate ?? {}) }));
    project.setEdits(result.edits);
    if (recordings.filters.labelId === labelId) await recordings.setFilters({ labelId: null });
    await refreshAfter(result.recordingIds);
    return result.eventCount;
  }

  return { create, rename, recolor, remove };
});
