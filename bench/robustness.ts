import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { benchModel } from './detect';
import type { BenchRow, BenchSection } from './lib';
import type { ChildLine } from './robustness-child';
import { buildCorpus, type Corpus } from './robustness-corpus';

/** A child that prints nothing for this long is hung (every file reports at once; the model loads in seconds). */
const HANG_SECONDS = 90;
const CHILD = join(import.meta.dirname, 'robustness-child.ts');

interface ChildRun {
  lines: ChildLine[];
  /** Exited without finishing (signal, uncaught error, out of memory). */
  crashed: boolean;
  hung: boolean;
  stderr: string;
}

function runChild(corpus: Corpus, modelDir: string): Promise<ChildRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, corpus.audioDir, corpus.annotationDir, modelDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: ChildRun = { lines: [], crashed: false, hung: false, stderr: '' };
    let watchdog: NodeJS.Timeout;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        run.hung = true;
        child.kill('SIGKILL');
      }, HANG_SECONDS * 1000);
    };
    arm();
    child.stderr.on('data', (d: Buffer) => void (run.stderr = (run.stderr + d.toString()).slice(-4000)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      arm();
      try {
        run.lines.push(JSON.parse(line) as ChildLine);
      } catch {
        /* not ours */
      }
    });
    child.on('close', () => {
      clearTimeout(watchdog);
      run.crashed = !run.hung && !run.lines.some((l) => l.kind === 'done');
      done(run);
    });
  });
}

/** Whether each entry met its expectation; unreported entries are counted apart (skip, crash or hang). */
function judge(corpus: Corpus, run: ChildRun) {
  const wrong: string[] = [];
  const reported = new Set<string>();
  let correct = 0;
  for (const line of run.lines) {
    if (line.kind === 'audio') {
      reported.add(`audio:${line.name}`);
      const expect = corpus.audio.get(line.name);
      const ok =
        expect === 'any' ||
        (expect === 'detect' && line.outcome === 'detected' && line.warnings === 0) ||
        (expect === 'warn' && line.outcome === 'detected' && line.warnings > 0) ||
        (expect === 'report' && line.outcome === 'failed' && Boolean(line.message?.includes(basename(line.name))));
      if (ok) correct++;
      else wrong.push(`${line.name} (expected ${expect ?? 'not to be listed'}, got ${line.outcome}${line.message ? `: ${line.message}` : ''})`);
    } else if (line.kind === 'annotation') {
      reported.add(`annotation:${line.name}`);
      const expect = corpus.annotations.get(line.name);
      const named = line.outcome !== 'error' || Boolean(line.message?.startsWith(join(corpus.annotationDir, line.name)));
      if (line.outcome === expect && named) correct++;
      else wrong.push(`${line.name} (expected ${expect}, got ${line.outcome}${line.message ? `: ${line.message}` : ''})`);
    }
  }
  const missing = [...[...corpus.audio.keys()].map((n) => `audio:${n}`), ...[...corpus.annotations.keys()].map((n) => `annotation:${n}`)].filter((k) => !reported.has(k));
  return { correct, wrong, missing };
}

export const robustnessSection: BenchSection = {
  name: 'robustness',
  async run() {
    const root = mkdtempSync(join(tmpdir(), 'earmark-bench-robustness-'));
    try {
      const corpus = buildCorpus(join(root, 'corpus'));
      const model = await benchModel();
      const run = await runChild(corpus, model.dir);
      const { correct, wrong, missing } = judge(corpus, run);
      const done = run.lines.find((l) => l.kind === 'done');
      const section = 'robustness';
      const lost = missing.length;
      const failureNote = run.crashed || run.hung ? `; child ${run.hung ? 'hung' : 'crashed'}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
      const rows: BenchRow[] = [
        { section, metric: 'tried: damaged or odd audio entries', value: corpus.audio.size, unit: 'files', target: '>= 150' },
        { section, metric: 'tried: malformed or odd annotation files', value: corpus.annotations.size, unit: 'files', target: '>= 60' },
        {
          section,
          metric: 'handled correctly',
          value: correct,
          unit: 'files',
          target: `${corpus.audio.size + corpus.annotations.size}`,
          notes: wrong.length ? `mishandled: ${wrong.slice(0, 5).join('; ')}${wrong.length > 5 ? ` and ${wrong.length - 5} more` : ''}` : undefined,
        },
        { section, metric: 'crashes', value: run.crashed ? Math.max(1, lost) : 0, unit: 'files', target: '0', notes: failureNote || undefined },
        { section, metric: 'hangs', value: run.hung ? Math.max(1, lost) : 0, unit: 'files', target: '0' },
        {
          section,
          metric: 'silent skips',
          value: run.crashed || run.hung ? 0 : lost,
          unit: 'files',
          target: '0',
          notes: lost && !run.crashed && !run.hung ? missing.slice(0, 5).join(', ') : undefined,
        },
        { section, metric: 'peak RSS (child: detection and annotation reading)', value: done?.kind === 'done' ? done.maxRssMb : NaN, unit: 'MB', notes: `model: ${model.note}` },
      ];
      return rows;
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
