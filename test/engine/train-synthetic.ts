import type { LabeledFile, SplitData } from '../../src-main/engine/train/dataset';
import { frameTargets } from '../../src-main/engine/train/dataset';
import { createRng } from '../../src-main/engine/model/crnn';
import type { SoundEvent } from '../../src-main/engine/annotations/types';

/**
 * Tiny synthetic "log-mel" data: noise everywhere, and for an event of class c a raised block of bands
 * (a class-specific band range), so a small CRNN can learn it in a couple of epochs.
 */
export function syntheticSplit(split: 'train' | 'validation', count: number, classes: string[], seed: number, frames = 128, bands = 16, frameSeconds = 0.02): SplitData {
  const rng = createRng(seed);
  const files: LabeledFile[] = [];
  for (let i = 0; i < count; i++) {
    const filename = `${split}_${String(i).padStart(4, '0')}.wav`;
    const data = new Float32Array(frames * bands);
    for (let k = 0; k < data.length; k++) data[k] = rng() - 0.5;
    const events: SoundEvent[] = [];
    if (i % 4 !== 3) {
      const c = i % classes.length;
      const on = 8 + Math.floor(rng() * (frames - 48));
      const len = 16 + Math.floor(rng() * 16);
      const b0 = Math.floor((c * bands) / classes.length);
      const b1 = Math.floor(((c + 1) * bands) / classes.length);
      for (let f = on; f < on + len; f++) for (let b = b0; b < b1; b++) data[f * bands + b] += 3;
      events.push({ filename, onset: on * frameSeconds, offset: (on + len) * frameSeconds, label: classes[c] });
    }
    files.push({ filename, features: { data, frames, bands }, targets: frameTargets(events, frames, classes, frameSeconds), events });
  }
  return { split, files, reference: { files: files.map((f) => f.filename), events: files.flatMap((f) => f.events) } };
}
