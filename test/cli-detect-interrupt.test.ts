import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAnnotations } from '../src-main/engine/annotations';
import { detectCommand } from '../src-main/cli/commands/detect';
import { encodeWav } from '../src-main/engine/audio/wav';
import { energyDetector, writeFixtureModel } from './engine/onnx-fixtures';

const ROOT = resolve(import.meta.dirname, '..');
const FILES = 80;
let dir: string;
let modelDir: string;
let audioDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-cli-interrupt-'));
  modelDir = join(dir, 'model');
  await writeFixtureModel(modelDir, { ...energyDetector(64), normalization: { mean: new Array(64).fill(-6), std: new Array(64).fill(1) } });
  audioDir = join(dir, 'rec');
  await mkdir(audioDir);
  const x = new Float32Array(10 * 16000);
  for (let i = 16000; i < 32000; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000);
  const wav = encodeWav(x, 16000);
  for (let i = 0; i < FILES; i++) await writeFile(join(audioDir, `r${String(i).padStart(3, '0')}.wav`), wav);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `earmark detect` in a child process and sends it SIGINT once its state file shows a finished file. */
function detectAndInterrupt(args: string[], statePath: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, ['bin/earmark.mjs', 'detect', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, EARMARK_CACHE_DIR: join(dir, 'cache') } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const poll = setInterval(() => {
      if (existsSync(statePath)) {
        clearInterval(poll);
        child.kill('SIGINT');
      }
    }, 20);
    const guard = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(guard);
      done({ code, stderr });
    });
  });
}

describe('earmark detect: interrupted', () => {
  it('on SIGINT mid-batch saves the state, writes --out for every finished file and exits 130', async () => {
    const out = join(dir, 'det.txt');
    const args = [audioDir, '--model', modelDir, '--out', out, '--jobs', '1'];
    const { code, stderr } = await detectAndInterrupt(args, `${out}.state.json`);
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/SIGINT: writing the results of the finished files/);
    expect(stderr).toMatch(/not run \(interrupted\)/);
    const state = JSON.parse(await readFile(`${out}.state.json`, 'utf8')) as { files: Record<string, { name: string }> };
    const finished = Object.values(state.files).map((f) => f.name).sort();
    const written = parseAnnotations(await readFile(out, 'utf8'), 'dcase', { source: out });
    expect(finished.length).toBeGreaterThan(0);
    expect(finished.length).toBeLessThan(FILES);
    expect([...written.files].sort()).toEqual(finished);
    expect(written.events.filter((e) => e.label === 'babycry')).toHaveLength(finished.length);

    // The next run picks up where the interrupted one stopped.
    const io = { out: '', err: '', isTTY: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
    expect(await detectCommand.run(args, io)).toBe(0);
    expect(io.err).toContain(`${FILES - finished.length} files detected, ${finished.length} already done (skipped)`);
    expect(parseAnnotations(await readFile(out, 'utf8'), 'dcase', { source: out }).files).toHaveLength(FILES);
  });
});
