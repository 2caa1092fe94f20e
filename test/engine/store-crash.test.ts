import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '../../src-main/engine/store';
import { hashOf } from '../fixtures/store/setup';

const ROOT = resolve(import.meta.dirname, '..', '..');
const WRITER = join(ROOT, 'test', 'fixtures', 'store', 'writer.ts');

interface WriterReport {
  committed: { editId: number; versions: number }[];
  /** Version rows the edit in progress at the kill would write (-1: unknown). */
  lastIntent: number;
}

/** Runs the writer until `delayMs` after its first commit, SIGKILLs it, returns what it printed. */
function runAndKill(dbPath: string, seed: number, delayMs: number): Promise<WriterReport> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dbPath, String(seed)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!timer) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited on its own (code ${code}): ${stderr}`));
      // Only whole lines: a line cut by the kill was not fully reported.
      const report: WriterReport = { committed: [], lastIntent: -1 };
      for (const line of stdout.split('\n').slice(0, -1)) {
        const [first, second] = line.split(' ');
        if (first === 'intent') report.lastIntent = Number(second);
        else report.committed.push({ editId: Number(first), versions: Number(second) });
      }
      resolvePromise(report);
    });
  });
}

describe('store: crash safety', () => {
  it('keeps every reported edit whole and no edit half-written after SIGKILL mid-write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'earmark-crash-'));
    try {
      const template = join(dir, 'template.db');
      const setup = openStore(template);
      const project = setup.createProject({ name: 'Crash', rootDir: '/crash' });
      setup.upsertRecordings(project.id, [1, 2, 3].map((n) => ({ relPath: `r${n}.wav`, contentHash: hashOf(n) })));
      setup.addModel({ name: 'base', dirPath: '/m/base', classes: ['gunshot'] });
      setup.close();

      for (const [i, delayMs] of [120, 350, 700, 1100].entries()) {
        const dbPath = join(dir, `run${i}.db`);
        copyFileSync(template, dbPath);
        const { committed: reported, lastIntent } = await runAndKill(dbPath, 17 + i, delayMs);
        expect(reported.length).toBeGreaterThan(0);

        const store = openStore(dbPath);
        try {
          expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
          expect(store.checkConsistency()).toEqual([]);
          const versionsOf = store.db.prepare('SELECT COUNT(*) AS n FROM event_versions WHERE edit_id = ?');
          for (const { editId, versions } of reported) {
            expect(store.db.prepare('SELECT 1 FROM edits WHERE id = ?').get(editId), `edit ${editId}`).toBeDefined();
            expect((versionsOf.get(editId) as { n: number }).n, `versions of edit ${editId}`).toBe(versions);
          }
          // At most one edit can have committed after the last line printed (killed between commit and print).
          const lastReported = Math.max(...reported.map((r) => r.editId));
          const later = store.db.prepare('SELECT id FROM edits WHERE id > ?').all(lastReported) as { id: number }[];
          expect(later.length).toBeLessThanOrEqual(1);
          if (later.length === 1 && lastIntent >= 0) {
            expect((versionsOf.get(later[0].id) as { n: number }).n, 'versions of the unreported last edit').toBe(lastIntent);
          }
          // Every edit row has its versions and every version its edit (no orphan either way).
          const orphanEdits = store.db
            .prepare("SELECT COUNT(*) AS n FROM edits d WHERE kind != 'undo' AND kind != 'redo' AND NOT EXISTS (SELECT 1 FROM event_versions v WHERE v.edit_id = d.id)")
            .get() as { n: number };
          const orphanVersions = store.db
            .prepare('SELECT COUNT(*) AS n FROM event_versions v WHERE NOT EXISTS (SELECT 1 FROM edits d WHERE d.id = v.edit_id)')
            .get() as { n: number };
          expect([orphanEdits.n, orphanVersions.n]).toEqual([0, 0]);
          // The recovered store is usable.
          const [event] = store.createEvents([{ recordingId: 1, label: 'after', onset: 0, offset: 1 }]);
          expect(store.undo(project.id)?.changedEventIds).toEqual([event.id]);
        } finally {
          store.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
