import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decodeAudioFile } from '../audio/decode';
import { rawFeatureConfig, type FeatureConfig } from '../features/config';
import { computeLogMel } from '../features/logmel';
import { listCorpus } from '../mix/run';
import { splitItems, splitSources, type SplitName } from '../mix/split';
import { audibleExtent, EVENT_EXTENT } from '../mix/trim';

/** One source file as mel power ([frames x bands], linear, row-major), for mixing in the mel domain. */
export interface MelSource {
  /** Path relative to the corpus root. */
  file: string;
  /** Class label for events; scene for backgrounds; kind for distractors. */
  label: string;
  power: Float32Array;
  frames: number;
}

/** The mel-power sources of one split of the corpus. */
export interface MelCorpus {
  bands: number;
  events: Record<string, MelSource[]>;
  backgrounds: MelSource[];
  distractors: MelSource[];
  /** Files that could not be used, with the reason. */
  skipped: { file: string; reason: string }[];
}

/** Mel power ([frames x bands], linear) of the raw analysis, without background subtraction. */
function melPower(samples: Float32Array, features: FeatureConfig): { power: Float32Array; frames: number } {
  const raw = rawFeatureConfig(features);
  const logmel = computeLogMel(samples, raw);
  const power = new Float32Array(logmel.data.length);
  for (let i = 0; i < power.length; i++) power[i] = Math.max(0, Math.exp(logmel.data[i]) - raw.logFloor);
  return { power, frames: logmel.frames };
}

async function listDistractors(corpus: string): Promise<string[]> {
  const entries = await readdir(join(corpus, 'distractors'), { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

/**
 * Loads the sources of one split (or of several, pooled) as mel power. The split is the one `earmark mix` uses
 * (events per class by file, backgrounds by source recording, stratified by scene), so a model trained on the
 * train split never hears a validation or test source; distractors are split by file the same way.
 */
export async function loadMelCorpus(corpusDir: string, splits: SplitName | readonly SplitName[], classes: readonly string[], features: FeatureConfig, onFile?: (done: number, total: number) => void): Promise<MelCorpus> {
  const wanted: readonly SplitName[] = typeof splits === 'string' ? [splits] : [...new Set(splits)];
  const corpus = resolve(corpusDir);
  const listing = await listCorpus(corpus, classes);
  const sources = splitSources(listing.events, listing.backgrounds);
  const distractorNames = await listDistractors(corpus);
  const distractorSplit = splitItems(distractorNames.map((key) => ({ key, weight: 1 })));
  const jobs: { rel: string; kind: 'event' | 'background' | 'distractor'; label: string }[] = [];
  for (const split of wanted) {
    for (const label of classes) for (const name of sources.events[label][split]) jobs.push({ rel: `events/${label}/${name}`, kind: 'event', label });
    for (const name of sources.backgrounds[split]) jobs.push({ rel: `backgrounds/${name}`, kind: 'background', label: name.replace(/_\d+\.[^.]+$/, '') });
    for (const name of distractorSplit[split]) jobs.push({ rel: `distractors/${name}`, kind: 'distractor', label: name.split('_')[0] });
  }
  const out: MelCorpus = { bands: features.melBands, events: Object.fromEntries(classes.map((c) => [c, []])), backgrounds: [], distractors: [], skipped: [] };
  let done = 0;
  for (const job of jobs) {
    try {
      let { samples } = await decodeAudioFile(join(corpus, job.rel), { targetRate: features.sampleRate });
      if (job.kind !== 'background') {
        const extent = audibleExtent(samples, features.sampleRate, EVENT_EXTENT);
        if (!extent) throw new Error('silent');
        samples = samples.subarray(extent.start, extent.end);
      }
      const { power, frames } = melPower(samples, features);
      // The centred framing adds a frame of zero-padded edge on each side of a trimmed sound; keep the body.
      const trimmed = job.kind === 'background' || frames < 3 ? { power, frames } : { power: power.subarray(features.melBands, (frames - 1) * features.melBands), frames: frames - 2 };
      const source: MelSource = { file: job.rel, label: job.label, ...trimmed };
      if (job.kind === 'event') out.events[job.label].push(source);
      else if (job.kind === 'background') out.backgrounds.push(source);
      else out.distractors.push(source);
    } catch (error) {
      out.skipped.push({ file: job.rel, reason: (error as Error).message });
    }
    onFile?.(++done, jobs.length);
  }
  return out;
}
