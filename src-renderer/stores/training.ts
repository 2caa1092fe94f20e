import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api } from '../api';
import type { ApiEvent, ApiResult, Job } from '../../src-main/api/contract';
import { isFinished, useJobsStore } from './jobs';
import { useProjectStore } from './project';
import { useRecordingsStore } from './recordings';
import { useUiStore } from './ui';

export type TrainingMaterial = ApiResult<'training.material'>;
export type TrainingRun = ApiResult<'training.runs'>[number];

/** "0.42" for error rates, "—" when unknown. */
export function formatRate(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? '—' : value.toFixed(2);
}

/** "61.0%" for F-measures, "—" when unknown. */
export function formatPercent(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? '—' : `${(value * 100).toFixed(1)}%`;
}

/**
 * Fine-tuning from the studio: what the reviewed material offers, the running training job (its
 * per-epoch metrics arrive by push events), past runs, and the model-version panel's actions.
 */
export const useTrainingStore = defineStore('training', () => {
  const ui = useUiStore();
  const project = useProjectStore();
  const jobs = useJobsStore();
  const recordings = useRecordingsStore();

  const panelOpen = ref(false);
  const modelsOpen = ref(false);
  const material = ref<TrainingMaterial | null>(null);
  const runs = ref<TrainingRun[]>([]);
  const job = ref<Job | null>(null);
  const epochs = ref(12);
  const fromModelId = ref<number | null>(null);

  const running = computed(() => job.value != null && !isFinished(job.value));
  const canStart = computed(() => !running.value && material.value != null && material.value.problems.length === 0);

  async function loadMaterial(): Promise<void> {
    if (!project.project) return;
    const projectId = project.project.id;
    material.value = await ui.guard(() => api().call('training.material', { projectId, ...(fromModelId.value != null ? { fromModelId: fromModelId.value } : {}) }));
  }

  async function loadRuns(): Promise<void> {
    if (!project.project) return;
    const projectId = project.project.id;
    runs.value = await ui.guard(() => api().call('training.runs', { projectId }));
  }

  async function openPanel(): Promise<void> {
    panelOpen.value = true;
    await Promise.all([loadMaterial(), loadRuns(), project.loadModels()]);
  }

  async function openModels(): Promise<void> {
    modelsOpen.value = true;
    await Promise.all([project.loadModels(), loadRuns()]);
  }

  async function start(): Promise<void> {
    if (!project.project || running.value) return;
    const projectId = project.project.id;
    const { jobId } = await ui.guard(() =>
      api().call('training.start', { projectId, epochs: epochs.value, ...(fromModelId.value != null ? { fromModelId: fromModelId.value } : {}) }),
    );
    onJob(await ui.guard(() => api().call('jobs.get', { jobId })));
  }

  async function cancel(): Promise<void> {
    if (!job.value || isFinished(job.value)) return;
    const jobId = job.value.id;
    await ui.guard(() => api().call('training.cancel', { jobId }));
  }

  async function finished(done: Job): Promise<void> {
    if (done.status === 'done') ui.toast(done.message ? 'info' : 'success', done.message ?? `Fine-tuning finished: ${done.training?.result?.modelName ?? 'new model'} is active`);
    else if (done.status === 'cancelled') ui.toast('info', 'Fine-tuning cancelled; the previous model stays active');
    else ui.toast('error', done.training?.problems.length ? 'Not enough reviewed material to fine-tune' : `Fine-tuning failed: ${done.message ?? 'unknown error'}`);
    await Promise.all([project.loadModels(), project.loadInfo(), loadRuns(), loadMaterial()]);
  }

  const announced = new Set<string>();

  function onJob(next: Job): void {
    if (next.kind !== 'training' || next.projectId !== project.project?.id) return;
    if (job.value && job.value.id !== next.id && !isFinished(job.value)) return;
    // Push events and the start call's own fetch can cross: never go back from a finished state.
    if (job.value && job.value.id === next.id && isFinished(job.value)) return;
    job.value = next;
    if (isFinished(next) && !announced.has(next.id)) {
      announced.add(next.id);
      void finished(next).catch(() => undefined);
    }
  }

  /** Push events from the host (App subscribes this next to the jobs store). */
  function handle(event: ApiEvent): void {
    if (event.type === 'job.progress' || event.type === 'job.finished') onJob(event.job);
  }

  /** Shows a training job that was running before a reload. */
  async function attach(): Promise<void> {
    if (!project.project) return;
    const projectId = project.project.id;
    const active = await ui.guard(() => api().call('jobs.list', { projectId, activeOnly: true }));
    const found = active.find((j) => j.kind === 'training');
    if (found) job.value = found;
  }

  async function activate(modelId: number): Promise<void> {
    await project.activateModel(modelId);
    await project.loadInfo();
    const model = project.models.find((m) => m.id === modelId);
    ui.toast('success', `${model?.name ?? 'Model'} is now the active model`);
  }

  /** Re-detects every unreviewed file with `modelId`; reviewed files and verified events are kept. The detection panel shows progress. */
  async function redetectUnreviewed(modelId: number): Promise<void> {
    if (!project.project) return;
    const projectId = project.project.id;
    const { jobId } = await ui.guard(() => api().call('detection.start', { projectId, scope: 'unreviewed', modelId }));
    jobs.onJob(await ui.guard(() => api().call('jobs.get', { jobId })));
    modelsOpen.value = false;
    panelOpen.value = false;
    ui.detectionOpen = true;
    void recordings.load().catch(() => undefined);
  }

  return {
    panelOpen, modelsOpen, material, runs, job, epochs, fromModelId, running, canStart,
    loadMaterial, loadRuns, openPanel, openModels, start, cancel, onJob, handle, attach, activate, redetectUnreviewed,
  };
});
