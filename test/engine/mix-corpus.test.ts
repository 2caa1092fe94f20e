import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR, CORPUS_MISSING, corpusAvailable } from '../corpus';
import { decodeAudioFile } from '../../src-main/engine/audio/decode';
import { listCorpus } from '../../src-main/engine/mix/run';
import { splitSources, SPLITS } from '../../src-main/engine/mix/split';
import { audibleExtent } from '../../src-main/engine/mix/trim';

const CLASSES = ['babycry', 'glassbreak', 'gunshot'];
/** A cry whose first 2.2 s are 41-55 dB below its loudest 100 ms, with single 10 ms frames within 40 dB of it. */
const LEAD_IN_CRY = join(CORPUS_DIR, 'events', 'babycry', 'dac_hungry_08E9485B_47.flac');

describe.skipIf(!corpusAvailable)(`mix sources on the shared corpus (${corpusAvailable ? CORPUS_DIR : CORPUS_MISSING})`, () => {
  it('splits events per class and backgrounds per source recording, disjoint and about 60/20/20', async () => {
    const listing = await listCorpus(CORPUS_DIR, CLASSES);
    const split = splitSources(listing.events, listing.backgrounds);
    for (const label of CLASSES) {
      const files = listing.events[label];
      expect(files.length).toBeGreaterThan(10);
      const parts = SPLITS.map((s) => split.events[label][s]);
      expect(new Set(parts.flat()).size).toBe(files.length);
      expect(parts.flat().sort()).toEqual([...files].sort());
      expect(parts[0].length / files.length).toBeCloseTo(0.6, 1);
      for (const p of parts.slice(1)) expect(p.length / files.length).toBeCloseTo(0.2, 1);
    }
    const total = [...listing.backgrounds.values()].reduce((a, b) => a + b, 0);
    for (const s of SPLITS) {
      const seconds = split.backgrounds[s].reduce((n, f) => n + listing.backgrounds.get(f)!, 0);
      expect(seconds / total).toBeGreaterThan(s === 'train' ? 0.45 : 0.1);
      expect(seconds / total).toBeLessThan(s === 'train' ? 0.75 : 0.3);
    }
    const all = SPLITS.flatMap((s) => split.backgrounds[s]);
    expect(new Set(all).size).toBe(all.length); // no recording in two splits
    expect(all.sort()).toEqual([...listing.backgrounds.keys()].sort());
    // The four farm recordings (0ad_amb_farm_10..13) are heard in every split, each file in one only.
    const farm = [...listing.backgrounds.keys()].filter((f) => f.startsWith('0ad_amb_farm_'));
    expect(new Set(farm.map((f) => SPLITS.find((s) => split.backgrounds[s].includes(f))))).toEqual(new Set(SPLITS));
  });

  it('finds an audible extent inside every sampled event file', async () => {
    for (const label of CLASSES) {
      const dir = join(CORPUS_DIR, 'events', label);
      const files = (await listCorpus(CORPUS_DIR, [label])).events[label].slice(0, 3);
      for (const f of files) {
        const { samples } = await decodeAudioFile(join(dir, f), { targetRate: 16000 });
        const extent = audibleExtent(samples, 16000)!;
        expect(extent.end - extent.start).toBeGreaterThan(0.1 * 16000);
        expect(extent.end).toBeLessThanOrEqual(samples.length);
      }
    }
  });

  it.skipIf(!existsSync(LEAD_IN_CRY))('annotates a baby cry from the cry, not from its 2.2 s near-silent lead-in', async () => {
    const { samples } = await decodeAudioFile(LEAD_IN_CRY, { targetRate: 16000 });
    const extent = audibleExtent(samples, 16000)!;
    expect(extent.start / 16000).toBeGreaterThan(2.1);
    expect(extent.start / 16000).toBeLessThan(2.3);
  });
});
