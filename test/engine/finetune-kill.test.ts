import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverInterruptedRuns } from '../../src-main/engine/finetune/recover';
import { loadModel } from '../../src-main/engine/model/io';
import { openStore } from '../../src-main/engine/store';
import { reviewedClips, tinyProject, type TinyProject } from '../fixtures/finetune/setup';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CHILD = join(ROOT, 'test', 'fixtures', 'finetune', 'kill-child.ts');

/** Starts the child, SIGKILLs it once it has printed `epoch 2`, resolves with what it printed. */
function runAndKill(dbPath: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('epoch 2\n')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL' || !stdout.includes('epoch 2')) reject(new Error(`child ended without being killed mid-training (code ${code}, signal ${signal}): ${stdout}\n${stderr}`));
      else resolvePromise(stdout);
    });
  });
}

describe('fine-tuning killed mid-training', () => {
  let p: TinyProject;
  beforeAll(async () => {
    p = await tinyProject(reviewedClips(8, ['beep', 'whistle']));
  });
  afterAll(() => p.cleanup());

  it('leaves the previous model active and loadable, and the database consistent', async () => {
    await runAndKill(p.dbPath);
    const store = openStore(p.dbPath);
    try {
      expect(store.checkConsistency()).toEqual([]);
      expect(store.getActiveModel()?.id).toBe(p.parentModelId);
      expect(store.listModels().map((m) => m.id)).toEqual([p.parentModelId]);
      const [run] = store.listTrainingRuns(p.projectId);
      expect(run.status).toBe('running');
      expect(run.metrics.length).toBeGreaterThanOrEqual(2);
      expect(run.resultModelId).toBeNull();

      // The next start-up closes the ghost run; a live process's run would be left alone.
      const closed = recoverInterruptedRuns(store);
      expect(closed.map((r) => r.id)).toEqual([run.id]);
      const after = store.getTrainingRun(run.id);
      expect(after.status).toBe('failed');
      expect(after.errorMessage).toMatch(/^interrupted: the fine-tuning process \(pid \d+\) ended/);
      expect(recoverInterruptedRuns(store)).toEqual([]);
      expect(store.checkConsistency()).toEqual([]);
    } finally {
      store.close();
    }
    const parent = await loadModel(p.modelDir);
    expect(parent.manifest.classes).toEqual(['beep', 'whistle']);
    tf.dispose([...parent.weights.values()]);
    // No half-written model directory was left beside the parent.
    expect(readdirSync(join(p.dir, 'models'))).toEqual(['parent']);
  });
});
