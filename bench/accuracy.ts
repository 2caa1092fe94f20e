import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readAnnotationFile } from '../src-main/engine/annotations';
import type { AnnotationSet } from '../src-main/engine/annotations/types';
import { detectFiles, type DetectSummary } from '../src-main/engine/detect';
import { MIX_FORMAT_VERSION, runMix, type MixOptions } from '../src-main/engine/mix/run';
import { sourceGroup } from '../src-main/engine/mix/split';
import type { ModelManifest } from '../src-main/engine/model/manifest';
import { scoreAnnotations, type ScoringProtocol } from '../src-main/engine/train/validate';
import { bootstrapScores } from './accuracy-stats';
import type { BenchRow, BenchSection } from './lib';

export const ACCURACY_MODEL = process.env.EARMARK_BENCH_MODEL ?? resolve(import.meta.dirname, '..', 'resources', 'models', 'default');
export const ACCURACY_CORPUS = process.env.EARMARK_CORPUS ?? resolve(import.meta.dirname, '..', '..', 'shared', 'corpus');
const MODEL_DIR = ACCURACY_MODEL;
const CORPUS_DIR = ACCURACY_CORPUS;
const CLASSES = ['babycry', 'glassbreak', 'gunshot'];

type MixSpec = Omit<MixOptions, 'corpusDir' | 'outDir'>;

/**
 * Held-out material, all from the test split of the corpus (source files the bundled model never heard; the
 * split depends only on file names). Each mixture has its own random stream, so making only the test split
 * gives the same files as a full mix.
 */
const TASK2: MixSpec = { count: 400, evalCount: 100, seed: 2017, ebrsDb: [-6, 0, 6], lengthSeconds: 30, eventProbability: 0.5, sampleRate: 16000, splits: ['test'], classes: CLASSES };
/** Long recordings with several events of every class: 6 x 5 min, 1.2 events per minute. */
const LONG: MixSpec = { ...TASK2, seed: 7, count: 0, evalCount: 6, lengthSeconds: 300, eventsPerMinute: 1.2 };
/** Event-free ambience: 6 x 10 min. */
const AMBIENCE: MixSpec = { ...TASK2, seed: 11, count: 0, evalCount: 6, lengthSeconds: 600, eventsPerMinute: 0 };

/** The Task 2 mixtures of the given splits (the same files as a full `earmark mix` with these arguments). */
export function makeTask2Mix(splits: MixSpec['splits']): Promise<string> {
  return makeMix(`task2-${splits.join('-')}`, { ...TASK2, splits }, splits.at(-1));
}

async function makeMix(name: string, spec: MixSpec, checkSplit = 'test'): Promise<string> {
  const outDir = join(tmpdir(), `earmark-bench-${name}-v${MIX_FORMAT_VERSION}-${spec.seed}-${spec.evalCount}-${spec.lengthSeconds}`);
  if (!existsSync(join(outDir, checkSplit!, 'meta', `event_list_${checkSplit}.txt`))) await runMix({ ...spec, corpusDir: CORPUS_DIR, outDir, force: true });
  return outDir;
}

async function detectSplit(mixDir: string, oneEventPerFile: boolean): Promise<{ summary: DetectSummary; reference: AnnotationSet }> {
  const summary = await detectFiles({ inputs: [join(mixDir, 'test', 'audio')], modelDir: MODEL_DIR, postprocess: oneEventPerFile ? { oneEventPerFile: true } : undefined });
  const reference = await readAnnotationFile(join(mixDir, 'test', 'meta', 'event_list_test.txt'), 'dcase');
  return { summary, reference };
}

/**
 * The corpus splits the model's networks trained on: train, and validation where a network was trained with
 * `--corpus-splits train,validation` (recorded in its training summary, or in its ensemble's member list).
 */
function heardSplits(modelDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as ModelManifest;
  const recorded = [manifest.training.corpusSplits ?? [], ...(manifest.training.members ?? []).map((m) => m.corpusSplits ?? [])].flat();
  return [...new Set(['train', ...recorded])];
}

/** Test mixtures whose background scene has no recording in any split the model heard (leave-scene-out). */
function unseenSceneFiles(mixDir: string, heard: readonly string[]): Set<string> {
  const manifest = JSON.parse(readFileSync(join(mixDir, 'manifest.json'), 'utf8')) as { sources: { backgrounds: Record<string, string[]> } };
  const heardScenes = new Set(heard.flatMap((split) => manifest.sources.backgrounds[split] ?? []).map(sourceGroup));
  const recipe = JSON.parse(readFileSync(join(mixDir, 'test', 'meta', 'recipe_test.json'), 'utf8')) as { mixtures: { name: string; background: { file: string } }[] };
  return new Set(recipe.mixtures.filter((m) => !heardScenes.has(sourceGroup(m.background.file.split('/').pop()!))).map((m) => m.name));
}

function subset(set: AnnotationSet, files: Set<string>): AnnotationSet {
  return { files: set.files.filter((f) => files.has(f)), events: set.events.filter((e) => files.has(e.filename)) };
}

function scoreRows(section: string, split: string, reference: AnnotationSet, estimated: AnnotationSet, protocol: ScoringProtocol, target: { er?: string; f?: string } = {}, notes = ''): BenchRow[] {
  const scores = scoreAnnotations(reference, estimated, CLASSES, protocol);
  const ci = bootstrapScores(reference, estimated, CLASSES, protocol);
  const range = (key: string, scale = 1) => (ci[key] ? `95% CI ${(ci[key].low * scale).toFixed(scale === 1 ? 3 : 1)}-${(ci[key].high * scale).toFixed(scale === 1 ? 3 : 1)}` : '');
  const rows: BenchRow[] = [
    { section, metric: `${split}: class-average ER`, value: scores.errorRate, unit: '', target: target.er, notes: [range('ER'), notes].filter(Boolean).join('; ') },
    { section, metric: `${split}: class-average F`, value: 100 * scores.fMeasure, unit: '%', target: target.f, notes: range('F', 100) },
  ];
  for (const [label, s] of Object.entries(scores.classWise)) {
    rows.push({ section, metric: `${split}: ${label} ER`, value: s.errorRate, unit: '', notes: range(`${label} ER`) });
    rows.push({ section, metric: `${split}: ${label} F`, value: 100 * s.fMeasure, unit: '%', target: label === 'babycry' ? '>= 75' : undefined, notes: range(`${label} F`, 100) });
  }
  return rows;
}

/**
 * Accuracy of `earmark detect` end to end on held-out material, scored event-based (onset only, 500 ms collar,
 * class average: the DCASE 2017 Task 2 preset): the Task 2 test mixtures (one-event rule applied, as that
 * benchmark does), their leave-scene-out subset, long recordings with many events, and false alarms per hour
 * on event-free ambience.
 */
export const accuracySection: BenchSection = {
  name: 'accuracy',
  async run() {
    if (!existsSync(join(MODEL_DIR, 'model.json'))) return { skipped: `no model at ${MODEL_DIR}` };
    if (!existsSync(join(CORPUS_DIR, 'events'))) return { skipped: `corpus not found at ${CORPUS_DIR} (set EARMARK_CORPUS)` };
    const section = 'accuracy';
    const targets = { er: '<= 0.29 (stretch 0.15)', f: '>= 80' };
    const rows: BenchRow[] = [];

    const task2 = await makeMix('task2', TASK2);
    const { summary, reference } = await detectSplit(task2, true);
    rows.push(...scoreRows(section, 'test (Task 2)', reference, summary.annotations, 'per-class-mixtures', targets, `${summary.results.length} mixtures of 30 s, one event per class and file kept`));
    const heard = heardSplits(MODEL_DIR);
    const unseen = unseenSceneFiles(task2, heard);
    rows.push(...scoreRows(section, 'test, unseen scenes', subset(reference, unseen), subset(summary.annotations, unseen), 'per-class-mixtures', targets, `${unseen.size} mixtures whose background scene is absent from the ${heard.join(' and ')} split${heard.length > 1 ? 's' : ''}`));
    const plain = await detectSplit(task2, false);
    const plainScores = scoreAnnotations(reference, plain.summary.annotations, CLASSES, 'per-class-mixtures');
    rows.push({ section, metric: 'test (Task 2) without the one-event rule: ER', value: plainScores.errorRate, unit: '', notes: 'every event kept, as `detect` reports by default' });
    rows.push({ section, metric: 'test (Task 2) without the one-event rule: F', value: 100 * plainScores.fMeasure, unit: '%' });

    const long = await makeMix('long', LONG);
    const longRun = await detectSplit(long, false);
    rows.push(...scoreRows(section, 'long recordings', longRun.reference, longRun.summary.annotations, 'all-files', targets, `${longRun.reference.files.length} x ${LONG.lengthSeconds / 60} min, ${longRun.reference.events.length} events`));

    const ambience = await makeMix('ambience', AMBIENCE);
    const quiet = await detectSplit(ambience, false);
    const hours = quiet.summary.audioSeconds / 3600;
    for (const label of CLASSES) {
      const count = quiet.summary.annotations.events.filter((e) => e.label === label).length;
      rows.push({ section, metric: `false alarms per hour: ${label}`, value: count / hours, unit: '/h', target: '<= 2', notes: `${count} in ${hours.toFixed(2)} h of event-free held-out ambience` });
    }
    rows.push({ section, metric: 'detection real-time factor (16 kHz WAV)', value: quiet.summary.audioSeconds / quiet.summary.wallSeconds, unit: 'x', notes: quiet.summary.inference });
    return rows;
  },
};
