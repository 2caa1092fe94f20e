import { randomBytes } from 'node:crypto';
import { ApiError, type ApiEvent, type Job } from '../api/contract';

type JobKind = Job['kind'];

/** A running job's handle: progress updates, per-file errors, cancellation. */
export interface JobHandle {
  readonly id: string;
  readonly signal: AbortSignal;
  progress(done: number, total: number, current: string | null): void;
  fileError(recordingId: number | null, path: string, message: string): void;
  /** A file that was processed despite a problem. */
  fileWarning(recordingId: number | null, path: string, message: string): void;
  epoch(entry: Job['epochs'][number]): void;
  /** Training jobs: replaces the job's training details (run id, warnings, outcome). */
  training(detail: NonNullable<Job['training']>): void;
  finish(status: 'done' | 'failed' | 'cancelled', message?: string | null, resultModelId?: number | null): void;
}

const FINISHED = new Set(['done', 'failed', 'cancelled']);
const KEEP_FINISHED = 200;

/** In-memory job table; every change is published as an ApiEvent. */
export class JobRegistry {
  private readonly jobs = new Map<string, { job: Job; controller: AbortController }>();
  constructor(private readonly publish: (event: ApiEvent) => void) {}

  start(kind: JobKind, projectId: number, total: number): JobHandle {
    const id = `${kind === 'detection' ? 'det' : 'train'}_${randomBytes(9).toString('base64url')}`;
    const job: Job = {
      id,
      kind,
      projectId,
      status: 'running',
      progress: { done: 0, total, fraction: 0 },
      current: null,
      errors: [],
      message: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      epochs: [],
      resultModelId: null,
    };
    const controller = new AbortController();
    this.jobs.set(id, { job, controller });
    this.prune();
    const emit = () => this.publish({ type: 'job.progress', job: structuredClone(job) });
    emit();
    return {
      id,
      signal: controller.signal,
      progress: (done, totalNow, current) => {
        job.progress = { done, total: totalNow, fraction: totalNow > 0 ? Math.min(1, done / totalNow) : 0 };
        job.current = current;
        emit();
      },
      fileError: (recordingId, path, message) => {
        job.errors.push({ recordingId, path, message });
        emit();
      },
      fileWarning: (recordingId, path, message) => {
        (job.warnings ??= []).push({ recordingId, path, message });
        emit();
      },
      epoch: (entry) => {
        job.epochs.push(entry);
        emit();
      },
      training: (detail) => {
        job.training = structuredClone(detail);
        emit();
      },
      finish: (status, message = null, resultModelId = null) => {
        if (FINISHED.has(job.status)) return;
        job.status = status;
        job.message = message;
        job.current = null;
        job.resultModelId = resultModelId;
        job.finishedAt = new Date().toISOString();
        this.publish({ type: 'job.finished', job: structuredClone(job) });
      },
    };
  }

  get(id: string): Job {
    const entry = this.jobs.get(id);
    if (!entry) throw new ApiError('not-found', `job ${id} not found`);
    return structuredClone(entry.job);
  }

  list(filter: { projectId?: number; activeOnly?: boolean } = {}): Job[] {
    return [...this.jobs.values()]
      .map((e) => e.job)
      .filter((j) => (filter.projectId === undefined || j.projectId === filter.projectId) && (!filter.activeOnly || !FINISHED.has(j.status)))
      .map((j) => structuredClone(j))
      .reverse();
  }

  active(kind: JobKind, projectId: number): Job | undefined {
    return [...this.jobs.values()].find((e) => e.job.kind === kind && e.job.projectId === projectId && !FINISHED.has(e.job.status))?.job;
  }

  /** Asks a job to stop; it reaches 'cancelled' when its current step ends. */
  cancel(id: string, kind: JobKind): Job {
    const entry = this.jobs.get(id);
    if (!entry || entry.job.kind !== kind) throw new ApiError('not-found', `${kind} job ${id} not found`);
    if (!FINISHED.has(entry.job.status)) entry.controller.abort();
    return structuredClone(entry.job);
  }

  cancelAll(): void {
    for (const { controller } of this.jobs.values()) controller.abort();
  }

  private prune(): void {
    const finished = [...this.jobs.entries()].filter(([, e]) => FINISHED.has(e.job.status));
    for (const [id] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(id);
  }
}
