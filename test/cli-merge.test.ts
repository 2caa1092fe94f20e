import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCommand } from '../src-main/cli/commands/detect';
import { mergeCommand } from '../src-main/cli/commands/merge';
import { ANNOTATION_FORMATS, PER_FILE_FORMATS } from '../src-main/engine/annotations';
import { shardFromEnvironment } from '../src-main/engine/detect';
import { openStore } from '../src-main/engine/store';
import { energyDetector, writeFixtureModel } from './engine/onnx-fixtures';
import { capture, tone } from './cli-io';

let dir: string;
let modelDir: string;
let otherModelDir: string;
let audioDir: string;

const detect = async (args: string[]) => {
  const io = capture();
  return { code: await detectCommand.run([...args, '--jobs', '0'], io), ...io };
};
const merge = async (args: string[]) => {
  const io = capture();
  return { code: await mergeCommand.run(args, io), ...io };
};

/** A file's text, or a folder's files (relative path to text), for comparing outputs of every format. */
async function contents(path: string): Promise<string | Record<string, string>> {
  const entries = await readdir(path, { recursive: true, withFileTypes: true }).catch(() => undefined);
  if (!entries) return readFile(path, 'utf8');
  const files = entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => join(e.parentPath, e.name));
  return Object.fromEntries(await Promise.all(files.map(async (f) => [relative(path, f), await readFile(f, 'utf8')])));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-cli-merge-'));
  process.env.EARMARK_CACHE_DIR = join(dir, 'cache');
  const fixture = { ...energyDetector(64), normalization: { mean: new Array(64).fill(-6), std: new Array(64).fill(1) } };
  modelDir = join(dir, 'model');
  await writeFixtureModel(modelDir, fixture);
  otherModelDir = join(dir, 'other-model');
  await writeFixtureModel(otherModelDir, { ...fixture, normalization: { mean: new Array(64).fill(-5), std: new Array(64).fill(1) } });
  audioDir = join(dir, 'rec');
  await mkdir(join(audioDir, 'night'), { recursive: true });
  for (let i = 0; i < 6; i++) await writeFile(join(audioDir, i < 3 ? `take-${i}.wav` : join('night', `take-${i}.wav`)), tone(3, i % 3 === 2 ? 0 : 0.5, i % 3 === 2 ? 0 : 1.5 + 0.2 * i));
});
afterAll(async () => {
  delete process.env.EARMARK_CACHE_DIR;
  await rm(dir, { recursive: true, force: true });
});

describe('earmark merge', () => {
  it.each(ANNOTATION_FORMATS)('merges two shards of %s into what one detect run writes', async (format) => {
    const ext = PER_FILE_FORMATS.includes(format) ? '' : `.${format}`;
    const out = (name: string) => join(dir, format, `${name}${ext}`);
    await mkdir(join(dir, format));
    const common = [audioDir, '--model', modelDir, '--format', format];
    expect((await detect([...common, '--out', out('all')])).code).toBe(0);
    for (const shard of ['1/2', '2/2']) expect((await detect([...common, '--shard', shard, '--out', out(`part${shard[0]}`)])).code).toBe(0);
    const merged = await merge([out('part1'), out('part2'), '--input', audioDir, '--out', out('merged')]);
    expect(merged.code, merged.err).toBe(0);
    expect(merged.err).toMatch(/2 parts, 6 recordings/);
    expect(await contents(out('merged'))).toEqual(await contents(out('all')));
  });

  it('reports recordings and shards that no part holds (exit 3), and writes the rest', async () => {
    const result = await merge([join(dir, 'dcase', 'part1.dcase'), '--input', audioDir]);
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/no part holds shard 2\/2/);
    const missing = (await readFile(join(dir, 'dcase', 'part2.dcase'), 'utf8')).split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
    for (const name of new Set(missing)) expect(result.err).toContain(`  ${name}\n`);
    expect(result.out).toBe(await readFile(join(dir, 'dcase', 'part1.dcase'), 'utf8'));
  });

  it('refuses parts from another model or other settings, a recording in two parts, a part without state', async () => {
    const part = (name: string) => join(dir, `refuse-${name}.txt`);
    await detect([audioDir, '--model', modelDir, '--shard', '1/2', '--out', part('a')]);
    await detect([audioDir, '--model', otherModelDir, '--shard', '2/2', '--out', part('model')]);
    await detect([audioDir, '--model', modelDir, '--shard', '2/2', '--threshold', '0.9', '--out', part('threshold')]);
    const otherModel = await merge([part('a'), part('model')]);
    expect([otherModel.code, otherModel.err]).toEqual([2, expect.stringMatching(/made with another model than .*refuse-a\.txt/)]);
    const otherSettings = await merge([part('a'), part('threshold')]);
    expect([otherSettings.code, otherSettings.err]).toEqual([2, expect.stringMatching(/other settings .*postprocess/)]);

    await detect([join(audioDir, 'take-0.wav'), join(audioDir, 'take-1.wav'), '--model', modelDir, '--out', part('x')]);
    await detect([join(audioDir, 'take-1.wav'), '--model', modelDir, '--out', part('y')]);
    const twice = await merge([part('x'), part('y')]);
    expect([twice.code, twice.err]).toEqual([2, expect.stringMatching(/take-1\.wav" is in two parts/)]);

    await writeFile(part('bare'), 'take-0.wav\n');
    const bare = await merge([part('bare')]);
    expect([bare.code, bare.err]).toEqual([2, expect.stringMatching(/no usable detect state file .*it records the model and settings/)]);
  });

  it('--db imports the parts into one project database, as detect --db does', async () => {
    const db = join(dir, 'merged.db');
    const single = join(dir, 'single.db');
    const parts = [join(dir, 'json', 'part1.json'), join(dir, 'json', 'part2.json')];
    expect((await merge([...parts, '--input', audioDir, '--db', db])).code).toBe(0);
    expect((await merge([...parts, '--input', audioDir, '--db', db])).code).toBe(0);
    await detect([audioDir, '--model', modelDir, '--db', single]);
    const rows = (path: string) => {
      const store = openStore(path);
      try {
        const [project] = store.listProjects();
        expect(store.listProjects()).toHaveLength(1);
        return store.listRecordings(project.id).map((r) => ({
          relPath: r.relPath,
          status: r.status,
          durationSeconds: r.durationSeconds,
          events: store.listEvents({ recordingId: r.id }).map((e) => [e.label, e.onset, e.offset, e.confidence]),
        }));
      } finally {
        store.close();
      }
    };
    expect(rows(db)).toEqual(rows(single));
    expect(rows(db).filter((r) => r.events.length > 0)).not.toHaveLength(0);
  });
});

describe('earmark detect --shard auto', () => {
  it('takes the shard from a Slurm array or a Kubernetes Indexed Job', () => {
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0' })).toEqual({ index: 3, count: 4 });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' })).toEqual({ index: 4, count: 4 });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '14', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_STEP: '2' })).toEqual({ index: 3, count: 3 });
    // One task of a 0-3 array resubmitted alone: its own array has one task, --shards gives the split.
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '1', SLURM_ARRAY_TASK_MIN: '2' }, 4)).toEqual({ index: 3, count: 4 });
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '0' }, 4)).toEqual({ index: 1, count: 4 });
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '0' })).toThrow(/give --shards N/);
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '4' }, 4)).toThrow(/outside 1\.\.4/);
    expect(() => shardFromEnvironment({})).toThrow(/Slurm job array .* Kubernetes Indexed Job/);
  });

  it('is a usage error outside a scheduler, and a state file of another shard is not reused', async () => {
    const saved = { ...process.env };
    for (const name of ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX']) delete process.env[name];
    try {
      const outside = await detect([audioDir, '--model', modelDir, '--shard', 'auto']);
      expect([outside.code, outside.err]).toEqual([2, expect.stringMatching(/--shard: auto needs a scheduler/)]);
      Object.assign(process.env, { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2', SLURM_ARRAY_TASK_MIN: '0' });
      const out = join(dir, 'auto.txt');
      const first = await detect([audioDir, '--model', modelDir, '--shard', 'auto', '--out', out]);
      expect([first.code, first.err]).toEqual([0, expect.stringContaining('--shard auto: shard 2/2')]);
      // Resubmitted alone without --shards, the task's own array would say 1 of 1: refused, not a whole re-run.
      Object.assign(process.env, { SLURM_ARRAY_TASK_COUNT: '1', SLURM_ARRAY_TASK_MIN: '1' });
      const alone = await detect([audioDir, '--model', modelDir, '--shard', 'auto', '--out', out]);
      expect([alone.code, alone.err]).toEqual([2, expect.stringMatching(/holds shard 2\/2 but this run is all files.*--shards N/)]);
    } finally {
      process.env = saved;
    }
  });
});
