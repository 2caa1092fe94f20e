import { defineStore } from 'pinia';
import { ref, computed } from 'vue';
import { api } from '../api';
import type { ApiEvent, Job } from '../../src-main/api/contract';
import { useUiStore } from './ui';
import { useProjectStore } from './project';
import { useRecordingsStore } from './recordings';
import { useEventsStore } from './events';

const TERMINAL = new Set(['done', 'failed', 'cancelled']);

export function isFinished(job: Job): boolean {
  return TERMINAL.has(job.status);
}

/** Files per second over the job so far. */
export function throughput(job: Job, now = Date.now()): number | null {
  const started = Date.parse(job.startedAt);
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  const seconds = (end - started) / 1000;
  if (!(seconds > 0) || job.progress.done === 0) return null;
  return job.progress.done / seconds;
}

/**
 * Background jobs (detection; training later). Progress arrives by push events; a slow poll
 * covers hosts or networks where pushes are lost.
 */
export const useJobsStore = defineStore('jobs', () => {
  const ui = useUiStore();
  const project = useProjectStore();
  const recordings = useRecordingsStore();
  const events = useEventsStore();
  const detection = ref<Job | null>(null);
  let poll: ReturnType<typeof setInterval> | null = null;

  const running = computed(() => detection.value != null && !isFinished(detection.value));

  function onJob(job: Job): void {
    if (job.kind !== 'detection') return;
    if (detection.value && detection.value.id !== job.id && !isFinished(detection.value)) return;
    const wasRunning = detection.value != null && detection.value.id === job.id && !isFinished(detection.value);
    detection.value = job;
    if (isFinished(job)) {
      stopPolling();
      if (wasRunning) void finished(job).catch(() => undefined);
    }
  }

  async function finished(job: Job): Promise<void> {
    if (job.status === 'done') ui.toast(job.errors.length ? 'error' : 'success', `Detection finished: ${job.progress.done} files${job.errors.length ? `, ${job.errors.length} failed` : ''}`);
    else if (job.status === 'failed') ui.toast('error', `Detection failed: ${job.message ?? 'unknown error'}`);
    else ui.toast('info', 'Detection cancelled');
    await Promise.all([recordings.load(), project.refresh(), project.loadLabels(), project.loadInfo()]);
    if (events.recordingId != null) await events.load(events.recordingId);
  }

  function startPolling(jobId: string): void {
    stopPolling();
    poll = setInterval(async () => {
      try {
        onJob(await api().call('jobs.get', { jobId }));
      } catch (error) {
        stopPolling();
        ui.toast('error', ui.errorText(error));
      }
    }, 1000);
  }

  function stopPolling(): void {
    if (poll) clearInterval(poll);
    poll = null;
  }

  async function startDetection(recordingIds?: number[], force = false): Promise<void> {
    if (!project.project) return;
    const { jobId } = await ui.guard(() =>
      api().call('detection.start', { projectId: project.project!.id, force, ...(recordingIds?.length ? { recordingIds } : {}) }),
    );
    detection.value = await ui.guard(() => api().call('jobs.get', { jobId }));
    if (isFinished(detection.value)) void finished(detection.value).catch(() => undefined);
    else startPolling(jobId);
  }

  async function cancelDetection(): Promise<void> {
    if (!detection.value) return;
    const jobId = detection.value.id;
    onJob(await ui.guard(() => api().call('detection.cancel', { jobId })));
  }

  /** Resume showing a job that was running before a reload. */
  async function attach(): Promise<void> {
    if (!project.project) return;
    const active = await ui.guard(() => api().call('jobs.list', { projectId: project.project!.id, activeOnly: true }));
    const job = active.find((j) => j.kind === 'detection');
    if (job) {
      detection.value = job;
      startPolling(job.id);
    }
  }

  /** Push events from the host. */
  function handle(event: ApiEvent): void {
    switch (event.type) {
      case 'job.progress':
      case 'job.finished':
        onJob(event.job);
        break;
      case 'recording.updated':
        recordings.upsert(event.recording);
        break;
      case 'events.changed':
        if (event.recordingId === events.recordingId) void events.load(event.recordingId).catch(() => undefined);
        break;
      case 'models.changed':
        void project.loadModels().catch(() => undefined);
        break;
    }
  }

  return { detection, running, startDetection, cancelDetection, attach, handle, onJob };
});
