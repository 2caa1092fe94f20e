import type { SoundEvent } from '../annotations/types';
import { decodeAudioFile } from '../audio/decode';
import { frameDuration, type FeatureConfig } from '../features/config';
import { hashFile, type Store, type TrainingRecording } from '../store';
import { frameTargets, type FeatureExtractor, type LabeledFile, type LogMel } from '../train/dataset';

/** One reviewed recording ready for training: its log-mel, and frame targets from its verified events. */
export interface FinetuneExample extends LabeledFile {
  recordingId: number;
  /** Decoded mono samples at the feature rate; kept only while augmentation needs them. */
  samples?: Float32Array;
}

/**
 * The material fine-tuning may use: reviewed recordings only, with their current verified events.
 * Unreviewed recordings never appear, so their unlabelled stretches are never taken as negatives.
 */
export function reviewedMaterial(store: Store, projectId: number): TrainingRecording[] {
  return store.reviewedTrainingMaterial(projectId).map(({ recording, events }) => ({
    recording,
    events: events.filter((e) => e.verified && !e.deleted),
  }));
}

/** The parent's classes first (same output order), then labels only the material has, sorted. */
export function finetuneClasses(parentClasses: readonly string[], material: readonly TrainingRecording[]): { classes: string[]; added: string[] } {
  const labels = new Set(material.flatMap((m) => m.events.map((e) => e.label)));
  const added = [...labels].filter((l) => !parentClasses.includes(l)).sort();
  return { classes: [...parentClasses, ...added], added };
}

/** Recordings with at least one verified event of each label. */
export function positivesByClass(material: readonly TrainingRecording[], classes: readonly string[]): Record<string, number[]> {
  const out: Record<string, number[]> = Object.fromEntries(classes.map((c) => [c, []]));
  for (const { recording, events } of material) {
    for (const label of new Set(events.map((e) => e.label))) out[label]?.push(recording.id);
  }
  return out;
}

/** Recordings whose file is missing or whose bytes differ from what was reviewed: one line each. */
export async function changedRecordings(material: readonly TrainingRecording[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { recording } of material) {
    try {
      const hash = await hashFile(recording.absPath);
      if (hash !== recording.contentHash) problems.push(`${recording.relPath}: the file changed since it was reviewed (${recording.absPath})`);
    } catch (error) {
      problems.push(`${recording.relPath}: cannot read ${recording.absPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  return problems;
}

export async function defaultExtractor(): Promise<FeatureExtractor> {
  const { computeLogMel } = await import('../features/logmel');
  return computeLogMel as FeatureExtractor;
}

export function eventsOf(item: TrainingRecording): SoundEvent[] {
  return item.events.map((e) => ({ filename: item.recording.relPath, onset: e.onset, offset: e.offset, label: e.label }));
}

/**
 * Decodes a reviewed recording and builds its training example: every frame overlapping a verified
 * event of a known class is positive for that class, every other frame of the file is negative.
 */
export async function exampleFromRecording(
  item: TrainingRecording,
  classes: readonly string[],
  features: FeatureConfig,
  options: { extract?: FeatureExtractor; keepSamples?: boolean } = {},
): Promise<FinetuneExample> {
  const audio = await decodeAudioFile(item.recording.absPath, { targetRate: features.sampleRate });
  const extract = options.extract ?? (await defaultExtractor());
  const logmel: LogMel = await extract(audio.samples, features);
  if (logmel.bands !== features.melBands) {
    throw new Error(`${item.recording.relPath}: features have ${logmel.bands} bands, the model expects ${features.melBands}`);
  }
  const events = eventsOf(item);
  return {
    recordingId: item.recording.id,
    filename: item.recording.relPath,
    features: logmel,
    targets: frameTargets(events, logmel.frames, [...classes], frameDuration(features)),
    events,
    samples: options.keepSamples ? audio.samples : undefined,
  };
}
