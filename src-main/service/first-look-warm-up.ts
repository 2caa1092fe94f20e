import { readdirSync } from 'node:fs';
import path from 'node:path';
import { openAudioSource, warmUpDecoderFor } from '../engine/audio/source';
import { FIRST_LOOK_PROBES, sampledPeaks } from './peaks';
import { computeSpectrogram, SPARSE_MAX_COLUMNS } from './spectrogram';

/**
 * The first FLAC of `<resourcesDir>/examples`, or null. FLAC because it is the costly case: its
 * seeking, frame renumbering and WebAssembly decoder all run on a first look.
 */
export function bundledWarmUpFile(resourcesDir: string | null): string | null {
  if (!resourcesDir) return null;
  const examples = path.join(resourcesDir, 'examples');
  try {
    const flac = readdirSync(examples)
      .filter((name) => name.toLowerCase().endsWith('.flac'))
      .sort();
    return flac.length ? path.join(examples, flac[0]) : null;
  } catch {
    return null;
  }
}

/**
 * A first look at `file` (overview peaks from probes, and a spectrogram read as excerpts), results
 * discarded. Run once before the user opens a folder, it pays the code's first-use costs (compiling
 * and optimising the decoding and spectrogram paths, about a third of a cold first look) that would
 * otherwise fall on the first recording drawn. `signal` stops it between excerpts (it rejects with
 * the signal's reason), so that it never competes with a real first look.
 */
export async function warmUpFirstLook(file: string, signal?: AbortSignal): Promise<void> {
  // Both of the file's decoders (whole-span streaming, and frames for excerpts), so that opening a folder
  // compiles neither.
  await warmUpDecoderFor(file);
  signal?.throwIfAborted();
  const { duration } = await openAudioSource(file);
  if (!(duration > 0)) return;
  await Promise.all([
    sampledPeaks(file, FIRST_LOOK_PROBES.count / duration, 0, duration, FIRST_LOOK_PROBES.seconds, FIRST_LOOK_PROBES.count, signal),
    computeSpectrogram(file, { start: 0, end: duration, scale: 'mel', columns: SPARSE_MAX_COLUMNS, bins: 128 }, 'excerpts', signal),
  ]);
}
