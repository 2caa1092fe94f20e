import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../src-main/engine/audio/wav';
import type { WorkerJob, WorkerReply } from '../src-main/engine/detect/feature-worker';
import { DEFAULT_FEATURE_CONFIG } from '../src-main/engine/features/config';
import { computeLogMel } from '../src-main/engine/features/logmel';
import type { WorkerMessage } from '../src-main/engine/finetune/worker';
import { ENGINE_WORKER_SOURCES, resolveWorkerLaunch, type EngineWorkerName } from '../src-main/engine/workers/entry';
import { reviewedClips, tinyProject } from './fixtures/finetune/setup';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Builds only the desktop main bundle, with the project's own electron.vite.config.ts, into a fresh
 * directory under out/ (inside the repo, so the bundle's external packages resolve from node_modules;
 * not out/main itself, so a concurrent `npm run build` or e2e run is left alone).
 */
async function buildMain(outDir: string): Promise<void> {
  const { resolveConfig } = await import('electron-vite');
  const { build } = await import('vite');
  const nodeEnv = process.env.NODE_ENV;
  try {
    const resolved = await resolveConfig({ root: ROOT, configFile: path.join(ROOT, 'electron.vite.config.ts'), logLevel: 'warn' }, 'build', 'production');
    const main = resolved.config?.main;
    if (!main) throw new Error('electron.vite.config.ts has no main build');
    await build({ ...main, logLevel: 'warn', build: { ...main.build, outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

/** Every file a built module reaches through relative static imports, and the bare specifiers they import. */
function importGraph(entry: string): { files: string[]; bare: Set<string> } {
  const files: string[] = [];
  const bare = new Set<string>();
  const visit = (file: string) => {
    if (files.includes(file)) return;
    files.push(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
      else bare.add(spec);
    }
  };
  visit(entry);
  return { files, bare };
}

/** Runs a built worker in a plain Node thread (no tsx loader) and collects its messages until `done` says so. */
function runBuiltWorker<M>(script: string, workerData: unknown, done: (msg: M, all: M[]) => boolean, send?: (w: Worker) => void): Promise<M[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(pathToFileURL(script), { workerData, execArgv: [] });
    const all: M[] = [];
    let finished = false;
    worker.on('message', (msg: M) => {
      all.push(msg);
      if (finished || !done(msg, all)) return;
      finished = true;
      resolve(all);
      void worker.terminate();
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (!finished) reject(new Error(`${path.basename(script)} exited with code ${code} before finishing`));
    });
    send?.(worker);
  });
}

describe('electron-vite main build: engine worker threads', () => {
  let outDir: string;
  let wavPath: string;

  beforeAll(async () => {
    await mkdir(path.join(ROOT, 'out'), { recursive: true });
    outDir = await mkdtemp(path.join(ROOT, 'out', '.main-build-test-'));
    await buildMain(outDir);
    wavPath = path.join(outDir, 'tone.wav');
    const rate = DEFAULT_FEATURE_CONFIG.sampleRate;
    const x = new Float32Array(Math.round(2.3 * rate));
    let s = 7;
    for (let i = 0; i < x.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      x[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / rate) + ((s / 2 ** 32) - 0.5) * 0.02;
    }
    // 32-bit float WAV at the feature rate: decoding returns these exact samples.
    await writeFile(wavPath, encodeWav(x, rate, { float: true }));
  });
  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('emits one stable-named file per engine worker, which never imports electron', () => {
    for (const name of Object.keys(ENGINE_WORKER_SOURCES) as EngineWorkerName[]) {
      const script = fileURLToPath(resolveWorkerLaunch(name, { kind: 'bundled', dir: outDir }).script);
      expect(script).toBe(path.join(outDir, `${name}.js`));
      expect(existsSync(script), `${name}.js missing from the main build`).toBe(true);
      const { bare } = importGraph(script);
      expect([...bare].filter((s) => s === 'electron' || s.startsWith('electron/'))).toEqual([]);
    }
    // Native packages stay external: imported by name, not bundled.
    expect(importGraph(path.join(outDir, 'finetune-worker.js')).bare).toContain('better-sqlite3');
    const index = importGraph(path.join(outDir, 'index.js'));
    expect(index.bare).toContain('electron');
    expect(index.bare).toContain('onnxruntime-node');
  });

  it('the built feature worker runs in plain Node and returns computeLogMel of the file', async () => {
    const script = path.join(outDir, 'feature-worker.js');
    const job: WorkerJob = { type: 'job', id: 1, path: wavPath, features: { ...DEFAULT_FEATURE_CONFIG }, blockSeconds: 0.5 };
    const replies = await runBuiltWorker<WorkerReply>(script, {}, (msg) => msg.type === 'end' || msg.type === 'error', (w) => w.postMessage(job));
    const failure = replies.find((r) => r.type === 'error');
    expect(failure).toBeUndefined();
    const chunks = replies.filter((r): r is Extract<WorkerReply, { type: 'chunk' }> => r.type === 'chunk');
    expect(chunks.length).toBeGreaterThan(1); // 0.5 s blocks: really streamed
    const frames = chunks.reduce((n, c) => n + c.frames, 0);
    const data = new Float32Array(frames * DEFAULT_FEATURE_CONFIG.melBands);
    let o = 0;
    for (const c of chunks) {
      data.set(c.data, o);
      o += c.data.length;
    }

    const wav = readFileSync(wavPath);
    const samples = new Float32Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length));
    const expected = computeLogMel(samples, DEFAULT_FEATURE_CONFIG);
    expect(frames).toBe(expected.frames);
    let maxDiff = 0;
    for (let i = 0; i < data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(data[i] - expected.data[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    const end = replies.at(-1) as Extract<WorkerReply, { type: 'end' }>;
    expect(end.stats.durationSeconds).toBeCloseTo(2.3, 3);
  });

  it('the built fine-tuning worker runs in plain Node: opens the project database and reports what is missing', async () => {
    const thin = await tinyProject([{ name: 'a.wav', events: [], reviewed: true }]);
    try {
      const script = path.join(outDir, 'finetune-worker.js');
      const messages = await runBuiltWorker<WorkerMessage>(script, { options: { dbPath: thin.dbPath, epochs: 1 } }, (msg) => msg.type !== 'progress');
      const last = messages.at(-1)!;
      if (last.type !== 'error') throw new Error(`expected a data error, got ${JSON.stringify(last)}`);
      expect(last.error.name).toBe('FinetuneDataError');
      expect(last.error.missing).toEqual([
        '1 reviewed recording(s); at least 4 are needed (mark more files reviewed)',
        'no verified event in any reviewed recording: nothing to learn from',
      ]);
    } finally {
      thin.cleanup();
    }
  });

  it('the built fine-tuning worker trains an epoch in plain Node and writes the new model', async () => {
    const p = await tinyProject(reviewedClips(8, ['beep', 'whistle']));
    try {
      const script = path.join(outDir, 'finetune-worker.js');
      const messages = await runBuiltWorker<WorkerMessage>(script, { options: { dbPath: p.dbPath, epochs: 1, augmentPerFile: 0 } }, (msg) => msg.type !== 'progress');
      const last = messages.at(-1)!;
      if (last.type !== 'done' || last.result.status !== 'completed') throw new Error(`expected a completed run, got ${JSON.stringify(last)}`);
      const epochs = messages.flatMap((m) => (m.type === 'progress' && m.progress.type === 'epoch' ? [m.progress.epoch] : []));
      expect(epochs).toEqual([1]);
      expect(existsSync(path.join(last.result.model.dirPath, 'model.json'))).toBe(true);
    } finally {
      p.cleanup();
    }
  });
});

describe('engine worker entry from source', () => {
  it('starts every worker through the tsx bootstrap with its .ts module', () => {
    for (const [name, source] of Object.entries(ENGINE_WORKER_SOURCES) as [EngineWorkerName, string][]) {
      const launch = resolveWorkerLaunch(name, { kind: 'source' }, { options: 1 });
      expect(fileURLToPath(launch.script)).toBe(path.join(ROOT, 'src-main/engine/workers/bootstrap.mjs'));
      expect(launch.workerData).toEqual({ options: 1, entry: pathToFileURL(path.join(ROOT, 'src-main/engine', source)).href });
      expect(existsSync(fileURLToPath(launch.workerData.entry as string))).toBe(true);
    }
  });
});
