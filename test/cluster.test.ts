import { execFile, type ExecFileOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../src-main/cli/command';
import { detectCommand } from '../src-main/cli/commands/detect';
import { mergeCommand } from '../src-main/cli/commands/merge';
import { encodeWav } from '../src-main/engine/audio/wav';
import { shardOf } from '../src-main/engine/detect';
import { slurmUnavailable, startLocalSlurm, type LocalSlurm } from './local-slurm';

const ROOT = resolve(import.meta.dirname, '..');
const CLUSTER_DOCS = join(ROOT, 'docs', 'cluster');
const CPU_SCRIPT = join(CLUSTER_DOCS, 'detect-cpu.sbatch');
const GPU_SCRIPT = join(CLUSTER_DOCS, 'detect-gpu.sbatch');
const SHARDS = 4;
/** The task cancelled mid-run; its shard gets a folder of its own with long recordings, the first one short. */
const CANCELLED_TASK = 2;
const LONG_NAMES = Array.from({ length: 60 }, (_, i) => `long-${String(i).padStart(2, '0')}.wav`).filter((n) => shardOf(n, SHARDS) === CANCELLED_TASK + 1).slice(0, 5);

let dir: string;
let recordings: string;
/** `earmark detect` of the whole folder in one process, lines sorted. */
let single: string;

const capture = (): CliIO & { out: string; err: string } => {
  const io = { out: '', err: '', isTTY: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
};
const sortedLines = (text: string) => text.split('\n').filter(Boolean).sort().join('\n');

/** Pink-ish noise with a tone burst and a noise burst at a place that depends on the seed. */
function recording(seconds: number, seed: number): Buffer {
  const rate = 16000;
  const x = new Float32Array(seconds * rate);
  let state = seed * 7919 + 1;
  let low = 0;
  const burst = 1 + (seed % 3);
  for (let i = 0; i < x.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const white = state / 2 ** 32 - 0.5;
    low = 0.97 * low + 0.03 * white;
    const t = i / rate;
    const tone = t >= burst && t < burst + 1 ? 0.4 * Math.sin(2 * Math.PI * (600 + 150 * seed) * t) : 0;
    const crash = t >= burst + 1.5 && t < burst + 1.8 ? 0.6 * white : 0;
    x[i] = 0.05 * low + 0.01 * white + tone + crash;
  }
  return encodeWav(x, rate);
}

/** A folder of recordings ([name, seconds]) and what one `earmark detect` process writes for it, lines sorted. */
async function makeRecordings(name: string, files: [string, number][]): Promise<{ folder: string; single: string }> {
  const folder = join(dir, name);
  await mkdir(folder);
  for (const [i, [file, seconds]] of files.entries()) await writeFile(join(folder, file), recording(seconds, i));
  const out = join(dir, `${name}.single.txt`);
  expect(await detectCommand.run([folder, '--out', out, '--jobs', '1'], capture())).toBe(0);
  return { folder, single: sortedLines(await readFile(out, 'utf8')) };
}

async function mergeParts(parts: string, input = recordings): Promise<{ code: number; err: string; text: string }> {
  const files = (await readdir(parts)).filter((f) => f.endsWith('.txt')).map((f) => join(parts, f));
  const out = `${parts}.merged.txt`;
  const io = capture();
  const code = await mergeCommand.run([...files, '--input', input, '--out', out], io);
  return { code, err: io.err, text: existsSync(out) ? await readFile(out, 'utf8') : '' };
}

function exec(command: string, args: string[], options: ExecFileOptions): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(command, args, { ...options, encoding: 'utf8', maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    ),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-cluster-'));
  process.env.EARMARK_CACHE_DIR = join(dir, 'cache');
  ({ folder: recordings, single } = await makeRecordings('recordings', Array.from({ length: 12 }, (_, i) => [`site-${String(i).padStart(2, '0')}.wav`, 4])));
});
afterAll(async () => {
  delete process.env.EARMARK_CACHE_DIR;
  await rm(dir, { recursive: true, force: true });
});

describe('docs/cluster.md', () => {
  it('holds every script of docs/cluster verbatim', async () => {
    const doc = await readFile(join(ROOT, 'docs', 'cluster.md'), 'utf8');
    for (const name of await readdir(CLUSTER_DOCS)) expect(doc, name).toContain(await readFile(join(CLUSTER_DOCS, name), 'utf8'));
  });

  it('the Kubernetes Indexed Job command, run for every completion index, merges into one detect run', async () => {
    const manifest = readFileSync(join(CLUSTER_DOCS, 'detect-job.yaml'), 'utf8');
    const completions = Number(/^\s+completions: (\d+)$/m.exec(manifest)?.[1]);
    const script = /^\s+- \|\n\s+(.+)$/m.exec(manifest)?.[1];
    expect(script).toContain(`--shard auto --shards ${completions}`);
    const parts = join(dir, 'k8s-parts');
    // The container's command as the pods run it, two at a time (this machine's cores).
    for (let first = 0; first < completions; first += 2) {
      const pods = [first, first + 1].filter((i) => i < completions).map((i) =>
        exec('sh', ['-c', script!], { cwd: ROOT, env: { ...process.env, RECORDINGS: recordings, PARTS: parts, JOB_COMPLETION_INDEX: String(i) } }),
      );
      for (const pod of await Promise.all(pods)) expect(pod.code, pod.stderr).toBe(0);
    }
    const merged = await mergeParts(parts);
    expect(merged.code, merged.err).toBe(0);
    expect(sortedLines(merged.text)).toBe(single);
  });
});

const unavailable = slurmUnavailable();
if (unavailable) console.warn(`Skipping the Slurm tests: ${unavailable}`);

describe.skipIf(unavailable)('earmark on a real single-node Slurm', () => {
  let slurm: LocalSlurm;
  let sbatch: (args: string[], env?: NodeJS.ProcessEnv) => Promise<{ code: number; jobId: string; stderr: string }>;
  /** The scripts' EARMARK knob: node without npx's start-up, for the runs after the first. */
  const direct = { EARMARK: `node ${join(ROOT, 'bin', 'earmark.mjs')}` };
  const log = (jobId: string, task: number) => readFile(join(dir, 'logs', `${jobId}_${task}.log`), 'utf8');

  beforeAll(async () => {
    slurm = await startLocalSlurm();
    await mkdir(join(dir, 'logs'));
    // As the docs submit it, on this machine's scale: one CPU per task, logs in the test folder.
    sbatch = async (args, env = {}) => {
      const result = await exec('sbatch', ['--parsable', '--cpus-per-task=1', `--output=${join(dir, 'logs', '%A_%a.log')}`, ...args], {
        cwd: ROOT,
        env: { ...slurm.env, ...env },
      });
      return { code: result.code, jobId: result.stdout.trim().split(';')[0], stderr: result.stderr };
    };
  });
  afterAll(async () => {
    await slurm?.stop();
  });

  it('the documented array script, 4 tasks, merges into exactly what one detect process writes', async () => {
    const parts = join(dir, 'slurm-parts');
    const job = await sbatch(['--wait', `--array=0-${SHARDS - 1}`, CPU_SCRIPT, recordings, parts]);
    expect(job.code, job.stderr).toBe(0);
    expect(await log(job.jobId, 0)).toMatch(/--shard auto: shard 1\/4/);
    const merged = await mergeParts(parts);
    expect(merged.code, merged.err).toBe(0);
    expect(sortedLines(merged.text)).toBe(single);
  });

  it('a task cancelled mid-run (scancel) and resubmitted alone resumes from its state file', async () => {
    // The state file appears after the short first recording; the long ones (10 min each, several seconds of work) leave time to cancel the task.
    const long = await makeRecordings('long', LONG_NAMES.map((name, i) => [name, i === 0 ? 2 : 600]));
    const parts = join(dir, 'cancel-parts');
    const state = join(parts, `part-${CANCELLED_TASK}.txt.state.json`);
    const doneInState = () => {
      try {
        return Object.keys(JSON.parse(readFileSync(state, 'utf8')).files).length;
      } catch {
        return 0;
      }
    };
    const whole = sbatch(['--wait', `--array=0-${SHARDS - 1}`, CPU_SCRIPT, long.folder, parts], direct);
    for (const end = Date.now() + 90_000; doneInState() === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    const jobId = slurm.run('squeue', ['-h', '-o', '%F']).trim().split('\n')[0];
    slurm.run('scancel', [`${jobId}_${CANCELLED_TASK}`]);
    const first = await whole;
    expect(await log(first.jobId, CANCELLED_TASK)).toMatch(/SIGTERM: writing the results of the finished files/);
    const finished = doneInState();
    expect(finished).toBeGreaterThan(0);
    expect(finished).toBeLessThan(LONG_NAMES.length);

    const again = await sbatch(['--wait', `--array=${CANCELLED_TASK}`, CPU_SCRIPT, long.folder, parts], { ...direct, EARMARK_SHARDS: String(SHARDS) });
    expect(again.code, again.stderr).toBe(0);
    expect(await log(again.jobId, CANCELLED_TASK)).toMatch(
      new RegExp(`shard ${CANCELLED_TASK + 1}/${SHARDS}[^]*${LONG_NAMES.length - finished} files? detected, ${finished} already done`),
    );
    const merged = await mergeParts(parts, long.folder);
    expect(merged.code, merged.err).toBe(0);
    expect(sortedLines(merged.text)).toBe(long.single);
  });

  it('the GPU script runs (on the CPU where onnxruntime has no CUDA provider)', async () => {
    const parts = join(dir, 'gpu-parts');
    // This node has no GPU to give: the request is dropped, the script is as documented.
    const job = await sbatch(['--wait', '--array=0', '--gres=none', GPU_SCRIPT, recordings, parts], { ...direct, EARMARK_SHARDS: String(SHARDS) });
    expect(job.code, job.stderr).toBe(0);
    expect(await log(job.jobId, 0)).toMatch(/inference with onnxruntime-node .*\((cuda|cpu)/);
  });
});
