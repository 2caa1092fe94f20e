import path from 'node:path';
import { stat } from 'node:fs/promises';
import { ApiError, type ApiParsedParams, type ApiResult } from '../api/contract';
import { formatAnnotations, PER_FILE_FORMATS, PER_FILE_SUFFIX, type AnnotationSet, type SoundEvent } from '../engine/annotations';
import type { EventRow, RecordingRow } from '../engine/store';
import { writeExportFile, type ProtectedFiles } from './export-file';
import { realTarget, resolveInsideRoot } from './paths';

type Params = ApiParsedParams<'export.run'>;

const EXTENSION = { dcase: 'txt', audacity: 'txt', raven: 'txt', csv: 'csv', json: 'json' } as const;

export interface ExportInput {
  root: string;
  /** The recordings asked for, in order. */
  recordings: readonly RecordingRow[];
  /** The project's events (already filtered by confidence). */
  events: readonly EventRow[];
  protectedFiles: ProtectedFiles;
}

/** Without events, a file that could not be decoded would read as "no events": it is left out instead. */
function undecodable(recording: RecordingRow, eventCount: number): boolean {
  return eventCount === 0 && (recording.durationSeconds === null || recording.status === 'error');
}

function soundEvent(e: EventRow, recording: RecordingRow, params: Params): SoundEvent {
  const sound: SoundEvent = { filename: recording.relPath, onset: e.onset, offset: e.offset, label: e.label };
  if (params.includeConfidence && e.confidence !== null) sound.confidence = e.confidence;
  if (e.lowFrequency !== null && e.highFrequency !== null) {
    sound.lowFrequency = e.lowFrequency;
    sound.highFrequency = e.highFrequency;
  } else if (params.format === 'raven' && recording.sampleRate) {
    // A Raven selection is a box; an event without a frequency band spans the whole spectrum.
    sound.lowFrequency = 0;
    sound.highFrequency = recording.sampleRate / 2;
  }
  return sound;
}

/** `day1/rec_a.wav` → `day1/rec_a.txt`; recordings whose names differ only by extension keep it. */
function perFileNames(recordings: readonly RecordingRow[], suffix: string): string[] {
  const stems = recordings.map((r) => r.relPath.replace(/\.[^./]*$/, ''));
  return stems.map((stem, i) => (stems.indexOf(stem) === stems.lastIndexOf(stem) ? stem : recordings[i].relPath) + suffix);
}

/** export.run over the rows the service read; see the contract for where files go. */
export async function runExport(params: Params, input: ExportInput): Promise<ApiResult<'export.run'>> {
  const byRecording = new Map<number, EventRow[]>();
  for (const e of input.events) {
    if (params.verifiedOnly && !e.verified) continue;
    byRecording.set(e.recordingId, [...(byRecording.get(e.recordingId) ?? []), e]);
  }
  const kept = input.recordings.filter((r) => !undecodable(r, byRecording.get(r.id)?.length ?? 0));
  const skipped = input.recordings.filter((r) => !kept.includes(r)).map((r) => ({ path: r.relPath, reason: r.errorMessage ?? 'could not be decoded' }));
  const sets: AnnotationSet[] = kept.map((r) => ({ files: [r.relPath], events: (byRecording.get(r.id) ?? []).map((e) => soundEvent(e, r, params)) }));
  const all: AnnotationSet = { files: kept.map((r) => r.relPath), events: sets.flatMap((s) => s.events) };
  const summary = { format: params.format, skipped, eventCount: all.events.length, fileCount: kept.length };
  const suffix = PER_FILE_FORMATS.includes(params.format) ? PER_FILE_SUFFIX[params.format]! : null;

  if (params.folder === undefined && params.destination === undefined) {
    if (suffix && kept.length > 1) {
      throw new ApiError('invalid-params', `${params.format} files hold one recording each: export these ${kept.length} recordings to a folder (one file per recording)`);
    }
    return { ...summary, text: formatAnnotations(all, params.format), path: null, files: [] };
  }
  const inFolder = params.folder !== undefined;
  const base = inFolder ? await realTarget(path.resolve(input.root, params.folder!), 'export folder') : await resolveInsideRoot(input.root, params.destination!, 'export destination');
  const place = (name: string) => (inFolder ? realTarget(path.join(base, name), 'export destination') : resolveInsideRoot(input.root, path.join(base, name), 'export destination'));
  let outputs: { target: string; text: string }[];
  if (suffix) {
    const names = perFileNames(kept, suffix);
    outputs = await Promise.all(sets.map(async (set, i) => ({ target: await place(names[i]), text: formatAnnotations(set, params.format) })));
  } else {
    const target = inFolder ? await place(params.fileName ?? `annotations.${EXTENSION[params.format]}`) : base;
    outputs = [{ target, text: formatAnnotations(all, params.format) }];
  }
  if (outputs.length > 1 && !params.overwrite) {
    // All or nothing: refuse before the first file is written.
    const existing = (await Promise.all(outputs.map((o) => stat(o.target).then(() => o.target, () => null)))).filter((p) => p !== null);
    if (existing.length) {
      throw new ApiError('conflict', `${existing.length} export file(s) already exist (${existing.slice(0, 3).join(', ')}); pass overwrite: true to replace them`, { paths: existing });
    }
  }
  for (const o of outputs) await writeExportFile(o.target, o.text, params.overwrite, input.protectedFiles);
  return { ...summary, text: null, path: suffix ? base : outputs[0].target, files: outputs.map((o) => o.target) };
}
