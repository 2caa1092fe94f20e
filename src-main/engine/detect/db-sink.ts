import { basename, relative, resolve, sep } from 'node:path';
import type { ModelManifest } from '../model/manifest';
import { hashFile, openStore, writeTransaction, type Store } from '../store';
import type { InputFile } from './files';
import type { FileFailureInfo, FileResult } from './run';

/**
 * Writes detection results into a project database: one project per input root folder (found by its
 * root, created when missing), the model (found by its directory, added when missing), a detection run
 * per project, and for each file its recording and predicted events (replacing earlier unverified
 * predictions; human-verified events stay).
 */
export class DetectionDbSink {
  private readonly projects = new Map<string, { projectId: number; runId: number }>();
  private modelId?: number;

  private constructor(private readonly store: Store, private readonly modelDir: string, private readonly manifest: ModelManifest) {}

  static open(dbPath: string, modelDir: string, manifest: ModelManifest): DetectionDbSink {
    return new DetectionDbSink(openStore(dbPath), resolve(modelDir), manifest);
  }

  private model(): number {
    if (this.modelId !== undefined) return this.modelId;
    // Found or added under the write lock, so two detect runs on one database share one model row.
    this.modelId = writeTransaction(this.store.db, () => {
      const existing = this.store.listModels().find((m) => resolve(m.dirPath) === this.modelDir);
      return existing?.id ?? this.store.addModel({ name: basename(this.modelDir), dirPath: this.modelDir, classes: this.manifest.classes }).id;
    });
    return this.modelId;
  }

  private run(root: string): { projectId: number; runId: number } {
    const key = resolve(root);
    let entry = this.projects.get(key);
    if (!entry) {
      const modelId = this.model();
      entry = writeTransaction(this.store.db, () => {
        const project = this.store.listProjects().find((p) => resolve(p.rootDir) === key) ?? this.store.createProject({ name: basename(key) || key, rootDir: key });
        return { projectId: project.id, runId: this.store.startDetectionRun(project.id, modelId).id };
      });
      this.projects.set(key, entry);
    }
    return entry;
  }

  private async recording(file: InputFile, durationSeconds: number | null): Promise<{ recordingId: number; runId: number }> {
    const { projectId, runId } = this.run(file.root);
    const relPath = relative(resolve(file.root), resolve(file.path)).split(sep).join('/');
    const result = this.store.upsertRecordings(projectId, [{ relPath, absPath: resolve(file.path), contentHash: await hashFile(file.path), durationSeconds }]);
    const row = [...result.inserted, ...result.changed, ...result.unchanged][0];
    return { recordingId: row.id, runId };
  }

  async recordResult(result: FileResult): Promise<void> {
    const { recordingId, runId } = await this.recording(result.file, result.durationSeconds);
    this.store.recordDetection(runId, recordingId, result.events.map(({ label, onset, offset, confidence }) => ({ label, onset, offset, confidence })));
  }

  /**
   * A file the state file records as done (so detection skipped it) is written to the database too unless
   * the database already holds this model's detection of it: `--db` added to a re-run still fills the database.
   */
  async recordSkipped(result: FileResult): Promise<void> {
    const { projectId } = this.run(result.file.root);
    const relPath = relative(resolve(result.file.root), resolve(result.file.path)).split(sep).join('/');
    const existing = this.store.findRecordingByPath(projectId, relPath);
    if (existing && existing.lastModelId === this.model() && existing.status !== 'new' && existing.status !== 'error') return;
    await this.recordResult(result);
  }

  async recordFailure(failure: FileFailureInfo): Promise<void> {
    const { recordingId, runId } = await this.recording(failure.file, null);
    this.store.recordDetectionFailure(runId, recordingId, failure.message);
  }

  /** Finishes every run ('completed'; 'failed' when the batch stopped on an error, 'cancelled' when interrupted) and closes the database. */
  close(status: 'completed' | 'failed' | 'cancelled' = 'completed'): void {
    try {
      for (const { runId } of this.projects.values()) this.store.finishDetectionRun(runId, status);
    } finally {
      this.store.close();
    }
  }
}
