// Child process of the robustness bench: detects a folder of odd audio, reads odd annotation files, and
// reports each outcome as one JSON line on stdout as it happens, so the parent can tell a crash or a hang
// from a file that was never reported.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readAnnotationFile, type AnnotationFormat } from '../src-main/engine/annotations';
import { detectFiles } from '../src-main/engine/detect';
import { segmentBasedMetrics } from '../src-main/engine/metrics';

export type ChildLine =
  | { kind: 'tick' }
  | { kind: 'audio'; name: string; outcome: 'detected' | 'failed'; warnings: number; message?: string }
  | { kind: 'annotation'; name: string; outcome: 'ok' | 'warn' | 'error'; message?: string }
  | { kind: 'done'; maxRssMb: number };

const say = (line: ChildLine): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(audioDir: string, annotationDir: string, modelDir: string): Promise<void> {
  await detectFiles({
    inputs: [audioDir],
    modelDir,
    jobs: 1,
    onProgress: () => say({ kind: 'tick' }),
    onFile: (r) => say({ kind: 'audio', name: r.file.name, outcome: 'detected', warnings: r.warnings?.length ?? 0 }),
    onFailure: (f) => say({ kind: 'audio', name: f.file.name, outcome: 'failed', warnings: 0, message: f.message }),
  });
  for (const name of readdirSync(annotationDir).sort()) {
    const format = name.split('-')[0] as AnnotationFormat;
    const warnings: string[] = [];
    try {
      const set = await readAnnotationFile(join(annotationDir, name), format, { filename: 'rec.wav', onWarning: (w) => warnings.push(w) });
      segmentBasedMetrics(set, set);
      say({ kind: 'annotation', name, outcome: warnings.length ? 'warn' : 'ok' });
    } catch (error) {
      say({ kind: 'annotation', name, outcome: 'error', message: (error as Error).message });
    }
  }
  say({ kind: 'done', maxRssMb: process.resourceUsage().maxRSS / 1024 });
}

const [audioDir, annotationDir, modelDir] = process.argv.slice(2);
await main(audioDir, annotationDir, modelDir);
