import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS_DIR, CORPUS_MISSING, corpusAvailable } from '../test/corpus';
import { runMix } from '../src-main/engine/mix/run';
import type { BenchRow, BenchSection } from './lib';

/** `earmark mix` on the shared corpus: one decode of the corpus, then rendering and writing 30 s mixtures. */
export const mixBench: BenchSection = {
  name: 'mix',
  async run() {
    if (!corpusAvailable) return { skipped: CORPUS_MISSING };
    const out = await mkdtemp(join(tmpdir(), 'earmark-bench-mix-'));
    try {
      const started = performance.now();
      let decoded = started;
      const result = await runMix(
        {
          corpusDir: CORPUS_DIR,
          outDir: out,
          count: 40,
          evalCount: 10,
          seed: 1,
          ebrsDb: [-6, 0, 6],
          lengthSeconds: 30,
          eventProbability: 0.5,
          sampleRate: 16000,
          splits: ['train', 'validation', 'test'],
          classes: ['babycry', 'glassbreak', 'gunshot'],
        },
        (p) => {
          if (p.kind === 'decode' && p.done === p.total) decoded = performance.now();
        },
      );
      const finished = performance.now();
      const rows: BenchRow[] = [
        { section: 'mix', metric: 'corpus decode + resample to 16 kHz', value: (decoded - started) / 1000, unit: 's', notes: `${result.skipped.length} file(s) skipped` },
        { section: 'mix', metric: 'render + write 30 s mixtures', value: result.mixtures / ((finished - decoded) / 1000), unit: 'mixtures/s' },
      ];
      return rows;
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
};
