import { hostname } from 'node:os';
import type { Store, TrainingRunRow } from '../store';

/** Stored in each run's params so a later process can tell a live run from one whose process died. */
export function runOwner(): { pid: number; host: string } {
  return { pid: process.pid, host: hostname() };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A 'running' run whose recorded process (on this host) no longer exists, or that recorded no owner. */
export function isStaleRun(run: TrainingRunRow): boolean {
  if (run.status !== 'running') return false;
  const pid = run.params.pid;
  const host = run.params.host;
  if (typeof pid !== 'number') return true;
  if (host !== hostname()) return false; // another machine's process: cannot tell, leave it
  return pid !== process.pid && !processAlive(pid);
}

/**
 * Marks training runs left 'running' by a process that was killed as failed ("interrupted"), so the
 * history never shows a ghost run. Runs of live processes are left alone. Returns the runs it closed.
 */
export function recoverInterruptedRuns(store: Store, projectId?: number): TrainingRunRow[] {
  const projects = projectId !== undefined ? [projectId] : store.listProjects().map((p) => p.id);
  const closed: TrainingRunRow[] = [];
  for (const id of projects) {
    for (const run of store.listTrainingRuns(id)) {
      if (!isStaleRun(run)) continue;
      closed.push(
        store.finishTrainingRun(run.id, {
          status: 'failed',
          errorMessage: `interrupted: the fine-tuning process (pid ${String(run.params.pid ?? '?')}) ended without finishing the run`,
        }),
      );
    }
  }
  return closed;
}
