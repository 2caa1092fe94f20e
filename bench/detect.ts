import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeAnnotationFile } from '../src-main/engine/annotations';
import { defaultJobs, detectFiles } from '../src-main/engine/detect';
import { DEFAULT_FEATURE_CONFIG } from '../src-main/engine/features/config';
import { initCrnnWeights } from '../src-main/engine/model/crnn';
import { saveModel } from '../src-main/engine/model/io';
import { DEFAULT_CRNN_CONFIG, DEFAULT_POSTPROCESS } from '../src-main/engine/train/trainer';
import { slurmUnavailable, startLocalSlurm } from '../test/local-slurm';
import type { BenchRow, BenchSection } from './lib';

const ROOT = resolve(import.meta.dirname, '..');
const BUNDLED_MODEL_DIR = join(ROOT, 'resources', 'models', 'default');
const MODEL_DIR = process.env.EARMARK_BENCH_MODEL ?? BUNDLED_MODEL_DIR;
const SBATCH_SCRIPT = join(ROOT, 'docs', 'cluster', 'detect-cpu.sbatch');
const STAND_IN_DIR = join(tmpdir(), 'earmark-bench-detect-stand-in-model');
const CLASSES = ['babycry', 'glassbreak', 'gunshot'];
const FILES = 12;
const FILE_SECONDS = 300;
const AUDIO_DIR = join(tmpdir(), `earmark-bench-detect-${FILES}x${FILE_SECONDS}`);

function hasSox(): boolean {
  try {
    execFileSync('sox', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The model to time: the default one when it exists, else an untrained one of the default architecture
 * and features (same size, so the same inference cost), written once.
 */
export async function benchModel(): Promise<{ dir: string; note: string }> {
  if (existsSync(join(MODEL_DIR, 'model.json'))) return { dir: MODEL_DIR, note: MODEL_DIR };
  if (!existsSync(join(STAND_IN_DIR, 'model.json'))) {
    const features = { ...DEFAULT_FEATURE_CONFIG };
    const weights = initCrnnWeights(DEFAULT_CRNN_CONFIG, { melBands: features.melBands, classes: CLASSES.length }, 1);
    await saveModel(STAND_IN_DIR, {
      format: 'earmark-crnn',
      version: 1,
      classes: CLASSES,
      features,
      normalization: { mean: new Array(features.melBands).fill(-8), std: new Array(features.melBands).fill(4) },
      architecture: DEFAULT_CRNN_CONFIG,
      postprocess: { ...DEFAULT_POSTPROCESS, thresholds: Object.fromEntries(CLASSES.map((c) => [c, 0.5])) },
      training: { createdAt: new Date().toISOString(), data: 'untrained stand-in for the detect throughput bench' },
    }, weights);
    for (const w of weights.values()) w.dispose();
  }
  return { dir: STAND_IN_DIR, note: `untrained stand-in of the default architecture (no model at ${MODEL_DIR})` };
}

/** One hour of 44.1 kHz mono FLAC (modulated pink noise), made once and reused. */
async function ensureAudio(): Promise<string> {
  if (existsSync(AUDIO_DIR) && (await readdir(AUDIO_DIR)).filter((f) => f.endsWith('.flac')).length === FILES) return AUDIO_DIR;
  await rm(AUDIO_DIR, { recursive: true, force: true });
  await mkdir(AUDIO_DIR, { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const out = join(AUDIO_DIR, `bench-${String(i).padStart(2, '0')}.flac`);
    // Pink noise whose level swells and fades every few seconds.
    execFileSync('sox', [
      '-n', '-r', '44100', '-c', '1', '-b', '16', out,
      'synth', String(FILE_SECONDS), 'pinknoise', 'tremolo', String(0.2 + 0.03 * i), '90', 'vol', '0.3',
    ]);
  }
  return AUDIO_DIR;
}

export const detectThroughput: BenchSection = {
  name: 'detect throughput',
  async run() {
    if (!hasSox()) return { skipped: 'sox not installed (needed to make the FLAC test audio)' };
    const audio = await ensureAudio();
    const model = await benchModel();
    const jobs = Number(process.env.EARMARK_BENCH_JOBS) || defaultJobs();
    const out = join(tmpdir(), `earmark-bench-detect-${process.pid}.txt`);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const summary = await detectFiles({ inputs: [audio], modelDir: model.dir, jobs, threads: 1 });
    await writeAnnotationFile(out, summary.annotations, 'dcase');
    const wall = (performance.now() - t0) / 1000;
    // All threads of this process (workers included): what the run cost, however loaded the machine is.
    const cpuUsed = process.cpuUsage(cpu0);
    const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
    const cores = cpus().length;
    await rm(out, { force: true });
    if (summary.results.length === 0) return { skipped: `no bench file could be decoded: ${summary.failures[0]?.message}` };
    const hours = summary.audioSeconds / 3600;
    const s = summary.stageSeconds;
    const section = 'detect';
    const failed = summary.failures.length ? `; ${summary.failures.length} file(s) failed: ${summary.failures[0].message}` : '';
    const notes = `${summary.results.length} x ${FILE_SECONDS} s FLAC 44.1 kHz mono; ${summary.featureSource}; ${summary.inference}; model: ${model.note}${failed}`;
    const rows: BenchRow[] = [
      { section, metric: 'end-to-end real-time factor', value: summary.audioSeconds / wall, unit: 'x', target: '>= 300', notes },
      { section, metric: 'wall time per hour of audio', value: wall / hours, unit: 's', target: '<= 12' },
      {
        section,
        metric: 'CPU time per hour of audio (all threads)',
        value: cpu / hours,
        unit: 's',
        target: `<= ${(12 * cores).toFixed(0)}`,
        notes: `the run got ${((100 * cpu) / wall).toFixed(0)} % CPU of ${cores * 100} % (${cores} cores); on idle cores the wall time approaches CPU time / ${cores}`,
      },
      { section, metric: 'decode + resample (summed over workers)', value: s.decode / hours, unit: 's/h' },
      { section, metric: 'log-mel (summed over workers)', value: s.features / hours, unit: 's/h' },
      { section, metric: 'inference (main thread)', value: s.inference / hours, unit: 's/h' },
      { section, metric: 'main thread waiting for features', value: s.waitForFeatures / hours, unit: 's/h' },
      { section, metric: 'post-processing', value: s.postprocess / hours, unit: 's/h' },
    ];
    return rows;
  },
};

/**
 * The same hour as `detect throughput`, through the documented sbatch array script on a local single-node
 * Slurm, as 1 task (every core) and as 2 tasks (the cores shared out). Overhead per task: the array's wall
 * time minus the task's own detect time (scheduling, Node and model start-up, `sbatch --wait` polling).
 */
export const detectCluster: BenchSection = {
  name: 'detect cluster',
  async run() {
    if (!hasSox()) return { skipped: 'sox not installed (needed to make the FLAC test audio)' };
    const unavailable = slurmUnavailable();
    if (unavailable) return { skipped: unavailable };
    if (!existsSync(join(BUNDLED_MODEL_DIR, 'model.json'))) return { skipped: `the sbatch script runs the bundled model, absent from ${BUNDLED_MODEL_DIR}` };
    const audio = await ensureAudio();
    const slurm = await startLocalSlurm();
    const rows: BenchRow[] = [];
    try {
      const cores = cpus().length;
      for (const tasks of [1, 2]) {
        const cpusPerTask = Math.max(1, Math.floor(cores / tasks));
        const logs = join(slurm.dir, `logs-${tasks}`);
        const t0 = performance.now();
        const jobId = execFileSync('sbatch', [
          '--wait', '--parsable', `--array=0-${tasks - 1}`, `--cpus-per-task=${cpusPerTask}`, `--output=${logs}-%a.log`,
          SBATCH_SCRIPT, audio, join(slurm.dir, `parts-${tasks}`),
        ], { cwd: ROOT, env: slurm.env, encoding: 'utf8' }).trim();
        const wall = (performance.now() - t0) / 1000;
        const detectWalls = await Promise.all(Array.from({ length: tasks }, async (_, task) => {
          const log = await readFile(`${logs}-${task}.log`, 'utf8');
          const seconds = / h of audio in ([\d.]+) s/.exec(log)?.[1];
          if (!seconds) throw new Error(`job ${jobId} task ${task} printed no summary:\n${log.slice(-2000)}`);
          return Number(seconds);
        }));
        const overhead = detectWalls.reduce((sum, d) => sum + (wall - d), 0) / tasks;
        const label = `cluster, ${tasks} task${tasks === 1 ? '' : 's'} x ${cpusPerTask} CPU`;
        const notes = `local Slurm, docs/cluster/detect-cpu.sbatch, ${FILES} x ${FILE_SECONDS} s FLAC; compare the single-process row`;
        rows.push(
          { section: 'detect', metric: `${label}: wall time for the hour`, value: wall, unit: 's', notes },
          { section: 'detect', metric: `${label}: real-time factor`, value: (FILES * FILE_SECONDS) / wall, unit: 'x' },
          { section: 'detect', metric: `${label}: overhead per task`, value: overhead, unit: 's', notes: 'sbatch wall time - the task\'s own detect time' },
        );
      }
    } finally {
      await slurm.stop();
    }
    return rows;
  },
};

export const detectSections: BenchSection[] = [detectThroughput, detectCluster];
