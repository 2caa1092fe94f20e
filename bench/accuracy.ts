import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readAnnotationFile } from '../src-main/engine/annotations';
import { detectFiles } from '../src-main/engine/detect';
import { runMix, type MixOptions } from '../src-main/engine/mix/run';
import { scoreAnnotations, type ScoringProtocol } from '../src-main/engine/train/validate';
import type { BenchRow, BenchSection } from './lib';

const MODEL_DIR = process.env.EARMARK_BENCH_MODEL ?? resolve(import.meta.dirname, '..', 'resources', 'models', 'default');
const CORPUS_DIR = process.env.EARMARK_CORPUS ?? resolve(import.meta.dirname, '..', '..', 'shared', 'corpus');

/**
 * The test split of the mix the bundled model was trained from (resources/models/default/MODEL_CARD.md):
 * each mixture has its own random stream, so making only the test split gives the same files, and the
 * split by source file keeps every test source unheard in training.
 */
const TEST_MIX: Omit<MixOptions, 'corpusDir' | 'outDir'> = {
  count: 400,
  evalCount: 100,
  seed: 2017,
  ebrsDb: [-6, 0, 6],
  lengthSeconds: 30,
  eventProbability: 0.5,
  sampleRate: 16000,
  splits: ['test'],
  classes: ['babycry', 'glassbreak', 'gunshot'],
};

async function testSplit(): Promise<string | { skipped: string }> {
  const given = process.env.EARMARK_BENCH_DATA;
  if (given) return given;
  if (!existsSync(join(CORPUS_DIR, 'events'))) return { skipped: `corpus not found at ${CORPUS_DIR} (set EARMARK_CORPUS)` };
  const outDir = join(tmpdir(), `earmark-bench-mix-test-${TEST_MIX.seed}-${TEST_MIX.evalCount}`);
  if (!existsSync(join(outDir, 'test', 'meta', 'event_list_test.txt'))) await runMix({ ...TEST_MIX, corpusDir: CORPUS_DIR, outDir, force: true });
  return outDir;
}

/** Accuracy on held-out mixtures: `earmark detect` end to end, scored with the DCASE 2017 Task 2 preset. */
export const accuracySection: BenchSection = {
  name: 'accuracy',
  async run() {
    if (!existsSync(join(MODEL_DIR, 'model.json'))) return { skipped: `no model at ${MODEL_DIR}` };
    const data = await testSplit();
    if (typeof data !== 'string') return data;
    const summary = await detectFiles({ inputs: [join(data, 'test', 'audio')], modelDir: MODEL_DIR });
    const reference = await readAnnotationFile(join(data, 'test', 'meta', 'event_list_test.txt'), 'dcase');
    const section = 'accuracy';
    const notes = `${summary.results.length} held-out test mixtures of 30 s; ${summary.inference}`;
    const rows: BenchRow[] = [];
    const protocols: [ScoringProtocol, string][] = [
      ['per-class-mixtures', 'DCASE 2017 Task 2 protocol: each class scored on its own mixtures'],
      ['all-files', 'stricter: every class scored on every mixture'],
    ];
    for (const [protocol, what] of protocols) {
      const scores = scoreAnnotations(reference, summary.annotations, summary.classes, protocol);
      const tag = protocol === 'per-class-mixtures' ? '' : ' (all files)';
      rows.push({ section, metric: `class-average ER${tag}`, value: scores.errorRate, unit: '', target: protocol === 'per-class-mixtures' ? '<= 0.15' : undefined, notes: what });
      rows.push({ section, metric: `class-average F${tag}`, value: 100 * scores.fMeasure, unit: '%', target: protocol === 'per-class-mixtures' ? '>= 90' : undefined });
      for (const [label, s] of Object.entries(scores.classWise)) {
        rows.push({ section, metric: `${label} ER${tag}`, value: s.errorRate, unit: '' });
        rows.push({ section, metric: `${label} F${tag}`, value: 100 * s.fMeasure, unit: '%' });
      }
    }
    rows.push({ section, metric: 'detection real-time factor (16 kHz WAV)', value: summary.audioSeconds / summary.wallSeconds, unit: 'x', notes });
    return rows;
  },
};
