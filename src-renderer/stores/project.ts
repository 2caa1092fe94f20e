import { defineStore } from 'pinia';
import { ref, computed } from 'vue';
import { api } from '../api';
import type { ApiResult, EditState, Label, Model, Project } from '../../src-main/api/contract';
import { useUiStore } from './ui';

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

type AppInfo = ApiResult<'app.info'>;

/** The open project: its labels, models and the undo/redo state. */
export const useProjectStore = defineStore('project', () => {
  const ui = useUiStore();
  const info = ref<AppInfo | null>(null);
  const project = ref<Project | null>(null);
  const labels = ref<Label[]>([]);
  const models = ref<Model[]>([]);
  const edits = ref<EditState | null>(null);

  const labelById = computed(() => new Map(labels.value.map((l) => [l.id, l])));
  const activeModel = computed(() => models.value.find((m) => m.active) ?? null);

  async function loadInfo(): Promise<void> {
    info.value = await ui.guard(() => api().call('app.info', {}));
  }

  /**
   * Opens the folder's project; a folder without audio is refused (with a toast) and the open project stays.
   * `alongside` runs once the project is set, while its labels, models and edit state load (the file list
   * need not wait for them).
   */
  async function open(root: string, alongside?: () => Promise<void>): Promise<void> {
    const opened = await ui.guard(() => api().call('projects.open', { root }));
    if (opened.recordingCount === 0) {
      const message = `No audio files (WAV, FLAC, MP3 or OGG) in ${opened.root}`;
      ui.toast('error', message);
      throw new Error(message);
    }
    project.value = opened;
    await Promise.all([loadLabels(), loadModels(), refreshEdits(), alongside?.()]);
  }

  async function refresh(): Promise<void> {
    if (!project.value) return;
    project.value = await ui.guard(() => api().call('projects.get', { projectId: project.value!.id }));
  }

  async function loadLabels(): Promise<void> {
    if (!project.value) return;
    labels.value = await ui.guard(() => api().call('labels.list', { projectId: project.value!.id }));
    if (ui.drawLabelId == null || !labelById.value.has(ui.drawLabelId)) ui.drawLabelId = labels.value[0]?.id ?? null;
  }

  async function createLabel(name: string): Promise<Label> {
    const label = await ui.save(() => api().call('labels.create', { projectId: project.value!.id, name }));
    labels.value = [...labels.value, label];
    return label;
  }

  async function loadModels(): Promise<void> {
    models.value = await ui.guard(() => api().call('models.list', {}));
  }

  async function activateModel(modelId: number): Promise<void> {
    await ui.guard(() => api().call('models.activate', { modelId }));
    await loadModels();
  }

  async function refreshEdits(): Promise<void> {
    if (!project.value) return;
    edits.value = await ui.guard(() => api().call('edits.state', { projectId: project.value!.id }));
  }

  function setEdits(state: EditState): void {
    if (project.value && state.projectId === project.value.id) edits.value = state;
  }

  /**
   * Labels in shortcut order (labels without a key last). Keys compare by code point: localeCompare's
   * first call loads the ICU collator, a 50 ms main-thread stall right as a folder opens.
   */
  const orderedLabels = computed(() =>
    [...labels.value].sort((a, b) => compareKeys(a.shortcut ?? '~', b.shortcut ?? '~') || a.id - b.id),
  );

  return {
    info, project, labels, models, edits, labelById, activeModel, orderedLabels,
    loadInfo, open, refresh, loadLabels, createLabel, loadModels, activateModel, refreshEdits, setEdits,
  };
});
