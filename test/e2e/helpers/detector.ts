import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Detector, DetectorFactory } from '../../../src-main/service/detector';
import { PLANTED, type PlantedFile } from './audio';

/**
 * A detector that reports the planted events of the generated files, so the end-to-end test can
 * assert exact rows. The model's accuracy is tested elsewhere; this test is about the studio.
 */
export const scriptedDetectorFor = (files: readonly PlantedFile[]): DetectorFactory => async () => {
  const detector: Detector = {
    backend: 'scripted (e2e)',
    async detect(file, signal) {
      if (signal.aborted) throw new Error('cancelled');
      const planted = files.find((p) => file.replaceAll('\\', '/').endsWith(p.relPath));
      if (!planted) throw new Error(`scripted detector: no planted events for ${file}`);
      await new Promise((r) => setTimeout(r, 150)); // long enough for the progress bar to be seen
      return planted.events.map((e) => ({ ...e }));
    },
    async dispose() {},
  };
  return detector;
};

export const scriptedDetectorFactory = scriptedDetectorFor(PLANTED);

/** A resources folder with one model manifest, so the service has an active model to run. */
export function writeScriptedResources(dir: string): string {
  const model = path.join(dir, 'models', 'scripted-dcase2017');
  mkdirSync(model, { recursive: true });
  writeFileSync(path.join(model, 'model.json'), JSON.stringify({ classes: ['babycry', 'glassbreak', 'gunshot'] }));
  return dir;
}
