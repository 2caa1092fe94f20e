import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decodeAudioFile, probeAudioFile } from '../audio/decode';
import { encodeWav } from '../audio/wav';
import { eventListText, mixPaths, recipeEntry, type RecipeEntry } from './output';
import { EVENT_GAP_SECONDS, eventsPerRecording, planLongRecordings, planMixtures, SCENE_CROSSFADE_SECONDS, SCENE_PIECE_SECONDS } from './plan';
import { renderPlan, PEAK_LIMIT } from './render';
import { SPLITS, splitSources, type SourceSplit, type SplitName } from './split';
import { audibleExtent, EVENT_EXTENT, type AudibleExtentOptions } from './trim';
import type { BackgroundSource, EventSource, MixSettings, MixturePlan, SplitSources } from './types';

/** 2: events annotated by EVENT_EXTENT (50 ms frames within 25 dB of the loudest; 1 used 10 ms and 40 dB). */
export const MIX_FORMAT_VERSION = 2;
export const DEFAULT_CLASSES = ['babycry', 'glassbreak', 'gunshot'] as const;
export const LOOP_CROSSFADE_SECONDS = 0.1;

export interface MixOptions {
  corpusDir: string;
  outDir: string;
  /** Mixtures per class in the train split (recordings in all with `eventsPerMinute`). */
  count: number;
  /** Mixtures per class in the validation and in the test split (recordings in each with `eventsPerMinute`). */
  evalCount: number;
  seed: number;
  ebrsDb: number[];
  lengthSeconds: number;
  /** Task 2 mixtures only. */
  eventProbability: number;
  /**
   * When given, makes long recordings instead of Task 2 mixtures: each holds exactly
   * round(eventsPerMinute * lengthSeconds / 60) non-overlapping events of all classes over a changing background;
   * 0 makes event-free recordings.
   */
  eventsPerMinute?: number;
  sampleRate: number;
  splits: SplitName[];
  classes: string[];
  /** Overwrite an output folder made with other arguments. */
  force?: boolean;
}

export type MixProgress =
  | { kind: 'decode'; done: number; total: number }
  | { kind: 'skip'; file: string; reason: string }
  | { kind: 'mixture'; split: SplitName; done: number; total: number }
  | { kind: 'split-done'; split: SplitName; mixtures: number; withEvent: number; events: number; seconds: number };

export interface MixResult {
  outDir: string;
  mixtures: number;
  skipped: { file: string; reason: string }[];
  /** Bytes of audio written. */
  audioBytes: number;
  manifest: MixManifest;
}

export interface MixManifest {
  tool: 'earmark mix';
  formatVersion: number;
  complete: boolean;
  arguments: Omit<MixOptions, 'outDir' | 'force'>;
  sampleRate: number;
  lengthSeconds: number;
  classes: string[];
  splits: SplitName[];
  /** How each event's annotated extent was found in its file (see `audibleExtent`). */
  eventExtent: AudibleExtentOptions;
  loopCrossfadeSeconds: number;
  peakLimit: number;
  /** Long recordings only: how they were made. */
  longRecordings?: { eventsPerRecording: number; eventGapSeconds: number; sceneCrossfadeSeconds: number; scenePieceSeconds: readonly [number, number] };
  /** Per split and class: mixtures listed in the class's event list, those holding an event of the class, and (long recordings) its events. */
  counts: Partial<Record<SplitName, Record<string, ClassCount>>>;
  /** Every listed source by split, including files that were skipped (see `skipped`). */
  sources: SourceSplit;
  skipped: { file: string; reason: string }[];
}

export interface ClassCount {
  mixtures: number;
  withEvent: number;
  events?: number;
}

/** The output folder holds something this run must not silently overwrite. */
export class MixOutputConflictError extends Error {
  override name = 'MixOutputConflictError';
}

async function atomicWrite(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new Error(`cannot read corpus folder "${dir}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

function sameArguments(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Refuses to overwrite a non-empty folder made with other arguments unless `force`; with force, removes the old mix. */
async function prepareOutDir(outDir: string, args: MixManifest['arguments'], force: boolean): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(outDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (entries.length > 0) {
    let previous: MixManifest | null = null;
    try {
      previous = JSON.parse(await readFile(mixPaths.manifest(outDir), 'utf8')) as MixManifest;
    } catch {
      previous = null;
    }
    if (previous && sameArguments(previous.arguments, args)) return;
    if (!force) {
      const why = previous ? 'holds a mix made with different arguments' : 'is not empty and holds no earmark mix manifest';
      throw new MixOutputConflictError(`output folder "${outDir}" ${why}; choose another --out or pass --force to replace it`);
    }
    if (previous) {
      // Remove only what a mix writes, so a mistaken --out loses as little as possible.
      for (const split of SPLITS) {
        await rm(mixPaths.audioDir(outDir, split), { recursive: true, force: true });
        await rm(mixPaths.metaDir(outDir, split), { recursive: true, force: true });
      }
      await rm(mixPaths.manifest(outDir), { force: true });
    }
  }
  await mkdir(outDir, { recursive: true });
}

interface LoadedCorpus {
  events: Map<string, { source: EventSource; samples: Float32Array }>;
  backgrounds: Map<string, { source: BackgroundSource; samples: Float32Array }>;
  /** Every listed file, usable or not: the split is made over these. */
  listed: CorpusListing;
  skipped: { file: string; reason: string }[];
}

/** The corpus's usable-looking files: event file names per class, background file names with header durations (s). */
export interface CorpusListing {
  events: Record<string, string[]>;
  backgrounds: Map<string, number>;
}

/**
 * Lists the corpus (`events/<class>/*`, `backgrounds/*`). Backgrounds carry their header duration, which the
 * split weighs them by, so that the split does not move when a file starts or stops decoding; a file without
 * a readable header weighs nothing.
 */
export async function listCorpus(corpusDir: string, classes: readonly string[]): Promise<CorpusListing> {
  const corpus = resolve(corpusDir);
  const listing: CorpusListing = { events: {}, backgrounds: new Map() };
  for (const label of classes) listing.events[label] = await listFiles(join(corpus, 'events', label));
  for (const name of await listFiles(join(corpus, 'backgrounds'))) {
    const duration = await probeAudioFile(join(corpus, 'backgrounds', name)).then((h) => h.duration, () => 0);
    listing.backgrounds.set(name, Number.isFinite(duration) ? duration : 0);
  }
  return listing;
}

/** Decodes every listed file once at the mix rate; files that cannot be used are reported and left out. */
async function loadCorpus(options: MixOptions, progress: (p: MixProgress) => void): Promise<LoadedCorpus> {
  const corpus = resolve(options.corpusDir);
  const listed = await listCorpus(corpus, options.classes);
  const jobs: { rel: string; label: string | null }[] = [];
  for (const label of options.classes) for (const name of listed.events[label]) jobs.push({ rel: `events/${label}/${name}`, label });
  for (const name of listed.backgrounds.keys()) jobs.push({ rel: `backgrounds/${name}`, label: null });
  const loaded: LoadedCorpus = { events: new Map(), backgrounds: new Map(), listed, skipped: [] };
  const skip = (file: string, reason: string) => {
    loaded.skipped.push({ file, reason });
    progress({ kind: 'skip', file, reason });
  };
  let done = 0;
  for (const job of jobs) {
    const path = join(corpus, job.rel);
    try {
      const { samples } = await decodeAudioFile(path, { targetRate: options.sampleRate });
      if (job.label === null) {
        if (samples.length < 4) skip(job.rel, 'background is empty');
        else loaded.backgrounds.set(job.rel, { source: { file: job.rel, length: samples.length }, samples });
      } else {
        const extent = audibleExtent(samples, options.sampleRate, EVENT_EXTENT);
        if (!extent) skip(job.rel, 'event is silent');
        else loaded.events.set(job.rel, { source: { file: job.rel, label: job.label, length: samples.length, extent }, samples });
      }
    } catch (error) {
      skip(job.rel, (error as Error).message);
    }
    progress({ kind: 'decode', done: ++done, total: jobs.length });
  }
  return loaded;
}

/** The split covers every listed file (usable or not), so it depends only on the file names and durations. */
function splitCorpus(loaded: LoadedCorpus): SourceSplit {
  return splitSources(loaded.listed.events, loaded.listed.backgrounds);
}

function sourcesOf(split: SplitName, sourceSplit: SourceSplit, loaded: LoadedCorpus, classes: string[]): SplitSources {
  const events: Record<string, EventSource[]> = {};
  for (const label of classes) {
    events[label] = sourceSplit.events[label][split].flatMap((name) => loaded.events.get(`events/${label}/${name}`)?.source ?? []);
  }
  const backgrounds = sourceSplit.backgrounds[split].flatMap((name) => loaded.backgrounds.get(`backgrounds/${name}`)?.source ?? []);
  return { events, backgrounds };
}

function validate(options: MixOptions): void {
  if (options.classes.length === 0) throw new Error('no class given');
  if (options.splits.length === 0) throw new Error('no split given');
  for (const split of options.splits) if (!SPLITS.includes(split)) throw new Error(`unknown split "${split}" (expected ${SPLITS.join(', ')})`);
  for (const label of options.classes) if (!/^[A-Za-z0-9-]+$/.test(label)) throw new Error(`class name "${label}" must be letters, digits and dashes`);
  if (!(options.lengthSeconds > 0)) throw new Error('mixture length must be positive');
  if (!(options.eventProbability >= 0 && options.eventProbability <= 1)) throw new Error('event probability must be between 0 and 1');
  if (options.ebrsDb.length === 0 || options.ebrsDb.some((x) => !Number.isFinite(x))) throw new Error('EBR list must hold numbers (dB)');
  const rate = options.eventsPerMinute;
  if (rate !== undefined && !(Number.isFinite(rate) && rate >= 0)) throw new Error('events per minute must be a number of at least 0');
}

/**
 * Makes DCASE 2017 Task 2 style mixtures from a corpus folder (`events/<class>/*`, `backgrounds/*`):
 * decodes each source once, splits the sources (seed-independent), plans every mixture from the seed,
 * renders and writes them with their event lists, recipes and a manifest.
 */
export async function runMix(options: MixOptions, progress: (p: MixProgress) => void = () => {}): Promise<MixResult> {
  validate(options);
  const outDir = resolve(options.outDir);
  const args: MixManifest['arguments'] = {
    corpusDir: resolve(options.corpusDir),
    count: options.count,
    evalCount: options.evalCount,
    seed: options.seed,
    ebrsDb: options.ebrsDb,
    lengthSeconds: options.lengthSeconds,
    eventProbability: options.eventProbability,
    ...(options.eventsPerMinute !== undefined && { eventsPerMinute: options.eventsPerMinute }),
    sampleRate: options.sampleRate,
    splits: options.splits,
    classes: options.classes,
  };
  await prepareOutDir(outDir, args, options.force ?? false);

  const loaded = await loadCorpus(options, progress);
  const sourceSplit = splitCorpus(loaded);
  const settings: MixSettings = {
    seed: options.seed,
    sampleRate: options.sampleRate,
    lengthSeconds: options.lengthSeconds,
    eventProbability: options.eventProbability,
    ebrsDb: options.ebrsDb,
    loopCrossfadeSeconds: LOOP_CROSSFADE_SECONDS,
  };
  const eventsPerMinute = options.eventsPerMinute;
  const long = eventsPerMinute !== undefined;
  const manifest: MixManifest = {
    tool: 'earmark mix',
    formatVersion: MIX_FORMAT_VERSION,
    complete: false,
    arguments: args,
    sampleRate: options.sampleRate,
    lengthSeconds: options.lengthSeconds,
    classes: options.classes,
    splits: SPLITS.filter((s) => options.splits.includes(s)),
    eventExtent: { ...EVENT_EXTENT },
    loopCrossfadeSeconds: LOOP_CROSSFADE_SECONDS,
    peakLimit: PEAK_LIMIT,
    ...(long && {
      longRecordings: {
        eventsPerRecording: eventsPerRecording(eventsPerMinute, options.lengthSeconds),
        eventGapSeconds: EVENT_GAP_SECONDS,
        sceneCrossfadeSeconds: SCENE_CROSSFADE_SECONDS,
        scenePieceSeconds: SCENE_PIECE_SECONDS,
      },
    }),
    counts: {},
    sources: sourceSplit,
    skipped: loaded.skipped,
  };
  // Plan everything before writing anything, so a split without sources fails before any output.
  const plans = new Map<SplitName, MixturePlan[]>();
  for (const split of manifest.splits) {
    const sources = sourcesOf(split, sourceSplit, loaded, options.classes);
    const count = split === 'train' ? options.count : options.evalCount;
    plans.set(
      split,
      long
        ? planLongRecordings(settings, split, options.classes, eventsPerMinute, count, sources)
        : options.classes.flatMap((label) => planMixtures(settings, split, label, count, sources)),
    );
  }
  await atomicWrite(mixPaths.manifest(outDir), `${JSON.stringify(manifest, null, 2)}\n`);

  const audioOf = (file: string) => (loaded.backgrounds.get(file) ?? loaded.events.get(file))!.samples;
  let audioBytes = 0;
  let mixtures = 0;
  for (const split of manifest.splits) {
    const started = Date.now();
    const splitPlans = plans.get(split)!;
    await mkdir(mixPaths.audioDir(outDir, split), { recursive: true });
    await mkdir(mixPaths.metaDir(outDir, split), { recursive: true });
    const recipe: RecipeEntry[] = [];
    let done = 0;
    for (const plan of splitPlans) {
      const rendered = renderPlan(plan, audioOf, options.sampleRate, LOOP_CROSSFADE_SECONDS);
      const wav = encodeWav(rendered.samples, options.sampleRate, { bitDepth: 16 });
      await atomicWrite(mixPaths.audio(outDir, split, plan.name), wav);
      audioBytes += wav.length;
      recipe.push(recipeEntry(plan, rendered, options.sampleRate));
      progress({ kind: 'mixture', split, done: ++done, total: splitPlans.length });
    }
    const counts: Record<string, ClassCount> = {};
    for (const label of options.classes) {
      // A Task 2 class list holds that class's mixtures; a long recording is in every class's list.
      const classPlans = splitPlans.filter((p) => p.label === null || p.label === label);
      const events = classPlans.reduce((n, p) => n + p.events.filter((e) => e.label === label).length, 0);
      const withEvent = classPlans.filter((p) => p.events.some((e) => e.label === label)).length;
      counts[label] = { mixtures: classPlans.length, withEvent, ...(long && { events }) };
      await atomicWrite(mixPaths.classEventList(outDir, split, label), eventListText(classPlans, options.sampleRate, label));
    }
    await atomicWrite(mixPaths.eventList(outDir, split), eventListText(splitPlans, options.sampleRate));
    const recipeDoc = { split, sampleRate: options.sampleRate, lengthSeconds: options.lengthSeconds, mixtures: recipe };
    await atomicWrite(mixPaths.recipe(outDir, split), `${JSON.stringify(recipeDoc, null, 1)}\n`);
    manifest.counts[split] = counts;
    mixtures += splitPlans.length;
    const withEvent = splitPlans.filter((p) => p.events.length > 0).length;
    const events = splitPlans.reduce((n, p) => n + p.events.length, 0);
    progress({ kind: 'split-done', split, mixtures: splitPlans.length, withEvent, events, seconds: (Date.now() - started) / 1000 });
  }
  manifest.complete = true;
  await atomicWrite(mixPaths.manifest(outDir), `${JSON.stringify(manifest, null, 2)}\n`);
  return { outDir, mixtures, skipped: loaded.skipped, audioBytes, manifest };
}

/** Size of a finished mix on disk (audio and metadata), bytes. */
export async function mixSizeBytes(outDir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(outDir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}
