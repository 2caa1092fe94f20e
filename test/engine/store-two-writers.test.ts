import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src-main/engine/store';

const ROOT = resolve(import.meta.dirname, '..', '..');
const WRITER = join(ROOT, 'test', 'fixtures', 'store', 'detect-writer.ts');
const FILES_EACH = 40;

function runWriter(dbPath: string, root: string, prefix: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dbPath, root, prefix, String(FILES_EACH)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('store: two writers', () => {
  it('two processes recording detections into one new database lose nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'earmark-two-writers-'));
    try {
      for (const prefix of ['a', 'b']) for (let i = 0; i < FILES_EACH; i++) writeFileSync(join(dir, `${prefix}-${i}.wav`), `${prefix}${i}`);
      const dbPath = join(dir, 'shared.db');
      const runs = await Promise.all([runWriter(dbPath, dir, 'a'), runWriter(dbPath, dir, 'b')]);
      for (const run of runs) expect({ code: run.code, stderr: run.stderr, stdout: run.stdout }).toEqual({ code: 0, stderr: '', stdout: 'done\n' });

      const store = openStore(dbPath);
      try {
        expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
        const projects = store.listProjects();
        expect(projects).toHaveLength(1);
        expect(store.listModels()).toHaveLength(1);
        const recordings = store.listRecordings(projects[0].id);
        expect(recordings).toHaveLength(2 * FILES_EACH);
        expect(recordings.every((r) => r.status === 'detected')).toBe(true);
        expect(store.listEvents({ projectId: projects[0].id })).toHaveLength(2 * FILES_EACH);
        expect(store.listDetectionRuns(projects[0].id).map((r) => [r.status, r.filesDone])).toEqual([
          ['completed', FILES_EACH],
          ['completed', FILES_EACH],
        ]);
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
