import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finetuneCommand } from '../src-main/cli/commands/finetune';
import { openStore } from '../src-main/engine/store';
import { reviewedClips, tinyProject, type TinyProject } from './fixtures/finetune/setup';
import { capture } from './cli-io';

describe('earmark finetune', () => {
  let p: TinyProject;
  beforeAll(async () => {
    p = await tinyProject(reviewedClips(8, ['beep', 'whistle']));
  });
  afterAll(() => p.cleanup());

  it('fine-tunes, prints per-epoch progress and a before/after summary, and activates the new model', async () => {
    const io = capture();
    const code = await finetuneCommand.run(['--db', p.dbPath, '--epochs', '2', '--seed', '2', '--augment', '0', '--lr', '0.005'], io);
    expect(code, io.err).toBe(0);
    expect(io.err).toMatch(/epoch 1\/2: loss \d+\.\d{4} {2}validation loss \d+\.\d{4} {2}validation ER \d\.\d{3}/);
    expect(io.err).toMatch(/epoch 2\/2: /);
    const store = openStore(p.dbPath);
    try {
      const active = store.getActiveModel()!;
      expect(active.id).not.toBe(p.parentModelId);
      expect(active.parentModelId).toBe(p.parentModelId);
      expect(io.out).toContain(`model ${active.id} "${active.name}" written to ${active.dirPath} (now active)`);
      const run = store.listTrainingRuns(p.projectId)[0];
      expect(io.out).toContain(`training run ${run.id}`);
      const scores = active.scores as { before: { errorRate: number }; after: { errorRate: number } };
      expect(io.out).toMatch(new RegExp(`average +${scores.before.errorRate.toFixed(3)} +${scores.after.errorRate.toFixed(3)}`));
      expect(io.out).toMatch(/^ {2}beep /m);
      expect(io.out).toMatch(/^ {2}whistle /m);
    } finally {
      store.close();
    }
  });

  it('explains what is missing when there is too little reviewed material', async () => {
    const thin = await tinyProject([{ name: 'only.wav', events: [{ label: 'beep', onset: 1, offset: 2 }], reviewed: true }]);
    try {
      const io2 = capture();
      expect(await finetuneCommand.run(['--db', thin.dbPath], io2)).toBe(2);
      expect(io2.err.endsWith(
        'earmark finetune: not enough reviewed material to fine-tune:\n  - 1 reviewed recording(s); at least 4 are needed (mark more files reviewed)\n',
      ), io2.err).toBe(true);
    } finally {
      thin.cleanup();
    }
  });

  it('rejects a missing --db with usage', async () => {
    const io = capture();
    expect(await finetuneCommand.run([], io)).toBe(2);
    expect(io.err).toContain('--db FILE is required');
  });
});
