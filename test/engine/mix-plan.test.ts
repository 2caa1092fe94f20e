import { describe, expect, it } from 'vitest';
import { createRng, rngFor } from '../../src-main/engine/mix/prng';
import { EVENT_GAP_SECONDS, planLongRecordings, planMixtures, SCENE_CROSSFADE_SECONDS } from '../../src-main/engine/mix/plan';
import { sourceGroup, splitItems, splitSources, SPLITS } from '../../src-main/engine/mix/split';
import type { EventSource, MixSettings, MixturePlan, SplitSources } from '../../src-main/engine/mix/types';

const RATE = 16000;
const settings: MixSettings = { seed: 7, sampleRate: RATE, lengthSeconds: 5, eventProbability: 0.5, ebrsDb: [-6, 0, 6], loopCrossfadeSeconds: 0.1 };

function event(file: string, label: string, seconds: number, lead = 0): EventSource {
  const length = Math.round(seconds * RATE);
  return { file, label, length, extent: { start: lead, end: length } };
}

const sources: SplitSources = {
  backgrounds: [
    { file: 'backgrounds/long.wav', length: 20 * RATE },
    { file: 'backgrounds/short.wav', length: 2 * RATE },
  ],
  events: {
    beep: [event('events/beep/a.wav', 'beep', 1, 800), event('events/beep/b.wav', 'beep', 0.3)],
    long: [event('events/long/c.wav', 'long', 8, 1600)],
  },
};

describe('seeded generator', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    const c = createRng(43);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    expect(rngFor(1, 'train', 'x', 0).next()).not.toBe(rngFor(1, 'train', 'x', 1).next());
  });

  it('draws uniformly enough', () => {
    const rng = createRng(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) counts[rng.int(3)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
  });
});

describe('source split', () => {
  it('groups background files by the prefix before a trailing _NN', () => {
    expect(sourceGroup('0ad_amb_farm_10.flac')).toBe('0ad_amb_farm');
    expect(sourceGroup('0ad_day_temperate_gen_01.flac')).toBe('0ad_day_temperate_gen');
    expect(sourceGroup('stk_exotic-birds.flac')).toBe('stk_exotic-birds');
    expect(sourceGroup('stk_exotic-birds_2.flac')).toBe('stk_exotic-birds');
  });

  it('is disjoint, complete, about 60/20/20 and independent of input order', () => {
    const files = Array.from({ length: 100 }, (_, i) => `ev_${i}.wav`);
    const split = splitItems(files.map((key) => ({ key, weight: 1 })));
    const all = SPLITS.flatMap((s) => split[s]);
    expect(new Set(all).size).toBe(100);
    expect(all.sort()).toEqual([...files].sort());
    expect(split.train.length).toBe(60);
    expect(split.validation.length).toBe(20);
    expect(split.test.length).toBe(20);
    expect(splitItems([...files].reverse().map((key) => ({ key, weight: 1 })))).toEqual(split);
  });

  it('gives every split a file as soon as there are three', () => {
    const split = splitItems(['a', 'b', 'c'].map((key) => ({ key, weight: 1 })));
    for (const s of SPLITS) expect(split[s]).toHaveLength(1);
  });

  it('splits backgrounds by file, spreading scenes of three or more recordings over every split', () => {
    const bgs = new Map<string, number>();
    for (let g = 0; g < 12; g++) for (let k = 0; k < 1 + (g % 4); k++) bgs.set(`src${g}_${k + 10}.flac`, 20 + g * 5);
    const { backgrounds } = splitSources({}, bgs);
    const all = SPLITS.flatMap((s) => backgrounds[s]);
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual([...bgs.keys()].sort());
    const splitsOfScene = new Map<string, Set<string>>();
    for (const s of SPLITS) for (const file of backgrounds[s]) splitsOfScene.set(sourceGroup(file), (splitsOfScene.get(sourceGroup(file)) ?? new Set()).add(s));
    for (let g = 0; g < 12; g++) {
      const files = 1 + (g % 4);
      if (files >= 3) expect(splitsOfScene.get(`src${g}`)!.size).toBe(3);
    }
    const total = [...bgs.values()].reduce((a, b) => a + b, 0);
    const trainSeconds = backgrounds.train.reduce((n, f) => n + bgs.get(f)!, 0);
    expect(trainSeconds / total).toBeGreaterThan(0.45);
    expect(trainSeconds / total).toBeLessThan(0.75);
  });
});

describe('planMixtures', () => {
  it('is reproducible from the seed, and a larger count only appends', () => {
    const a = planMixtures(settings, 'train', 'beep', 20, sources);
    expect(planMixtures(settings, 'train', 'beep', 20, sources)).toEqual(a);
    expect(planMixtures(settings, 'train', 'beep', 30, sources).slice(0, 20)).toEqual(a);
    expect(planMixtures({ ...settings, seed: 8 }, 'train', 'beep', 20, sources)).not.toEqual(a);
  });

  it('names mixtures and places the whole audible event inside the mixture', () => {
    const plans = planMixtures({ ...settings, eventProbability: 1 }, 'validation', 'beep', 200, sources);
    expect(plans.map((p) => p.name).slice(0, 2)).toEqual(['validation_beep_0000.wav', 'validation_beep_0001.wav']);
    for (const p of plans) {
      expect(p.length).toBe(5 * RATE);
      expect(p.events).toHaveLength(1);
      const e = p.events[0];
      expect(e.label).toBe('beep');
      expect(e.onset).toBeGreaterThanOrEqual(0);
      expect(e.onset + e.length).toBeLessThanOrEqual(p.length);
      expect([-6, 0, 6]).toContain(e.ebrDb);
      if (e.file === 'events/beep/a.wav') expect([e.sourceStart, e.length]).toEqual([800, RATE - 800]);
      expect(p.backgrounds).toHaveLength(1);
      const [piece] = p.backgrounds;
      expect(piece).toMatchObject({ at: 0, length: p.length, fadeIn: 0, fadeOut: 0 });
      const bg = sources.backgrounds.find((b) => b.file === piece.file)!;
      expect(piece.looped).toBe(bg.length < p.length);
      if (!piece.looped) expect(piece.start + p.length).toBeLessThanOrEqual(bg.length);
      else expect(piece.start).toBeLessThan(bg.length);
    }
    // Onsets spread over the allowed range.
    const onsets = plans.map((p) => p.events[0].onset / RATE);
    expect(Math.min(...onsets)).toBeLessThan(0.5);
    expect(Math.max(...onsets)).toBeGreaterThan(3.5);
  });

  it('crops an event longer than the mixture to fit', () => {
    const [p] = planMixtures({ ...settings, eventProbability: 1 }, 'test', 'long', 1, sources);
    expect(p.events).toMatchObject([{ sourceStart: 1600, length: 5 * RATE, cropped: true, onset: 0 }]);
  });

  it('draws events with the given probability', () => {
    const plans = planMixtures({ ...settings, eventProbability: 0.3 }, 'train', 'beep', 1000, sources);
    const withEvent = plans.filter((p) => p.events.length > 0).length;
    expect(withEvent).toBeGreaterThan(250);
    expect(withEvent).toBeLessThan(350);
    expect(planMixtures({ ...settings, eventProbability: 0 }, 'train', 'beep', 50, sources).every((p) => p.events.length === 0)).toBe(true);
  });

  it('refuses a split without backgrounds or events', () => {
    expect(() => planMixtures(settings, 'train', 'beep', 1, { ...sources, backgrounds: [] })).toThrow(/no background available for the train split/);
    expect(() => planMixtures(settings, 'test', 'nothing', 1, sources)).toThrow(/no "nothing" event file available for the test split/);
  });
});

describe('planLongRecordings', () => {
  const long: MixSettings = { ...settings, lengthSeconds: 120 };
  const many: SplitSources = {
    ...sources,
    backgrounds: [...sources.backgrounds, { file: 'backgrounds/mid.wav', length: 7 * RATE }, { file: 'backgrounds/huge.wav', length: 90 * RATE }],
  };

  function checkScene(p: MixturePlan): void {
    const pieces = p.backgrounds;
    expect(pieces[0]).toMatchObject({ at: 0, fadeIn: 0 });
    expect(pieces[pieces.length - 1]).toMatchObject({ fadeOut: 0 });
    expect(pieces[pieces.length - 1].at + pieces[pieces.length - 1].length).toBe(p.length);
    for (const [i, piece] of pieces.entries()) {
      const file = many.backgrounds.find((b) => b.file === piece.file)!;
      expect(piece.looped).toBe(false);
      expect(piece.start).toBeGreaterThanOrEqual(0);
      expect(piece.start + piece.length).toBeLessThanOrEqual(file.length);
      expect(piece.length).toBeLessThanOrEqual(60 * RATE);
      expect(piece.fadeIn + piece.fadeOut).toBeLessThanOrEqual(piece.length);
      if (i === 0) continue;
      const before = pieces[i - 1];
      expect(piece.file).not.toBe(before.file); // the scene changes at every junction
      expect(piece.fadeIn).toBe(before.fadeOut);
      expect(piece.fadeIn).toBeGreaterThan(0);
      expect(piece.fadeIn).toBeLessThanOrEqual(SCENE_CROSSFADE_SECONDS * RATE);
      expect(piece.at).toBe(before.at + before.length - piece.fadeIn); // contiguous, overlapping by the crossfade
    }
  }

  it('holds exactly round(R * length / 60) events, in order, within the recording and at least 1 s apart', () => {
    for (const [rate, expected] of [[3, 6], [1.2, 2], [0.9, 2], [6, 12]] as const) {
      const plans = planLongRecordings(long, 'test', ['beep', 'long'], rate, 8, many);
      expect(plans.map((p) => p.name)).toEqual(Array.from({ length: 8 }, (_, i) => `test_long_${String(i).padStart(4, '0')}.wav`));
      for (const p of plans) {
        expect(p.label).toBeNull();
        expect(p.length).toBe(120 * RATE);
        expect(p.events).toHaveLength(expected);
        checkScene(p);
        for (const [i, e] of p.events.entries()) {
          expect(e.onset).toBeGreaterThanOrEqual(0);
          expect(e.onset + e.length).toBeLessThanOrEqual(p.length);
          expect([-6, 0, 6]).toContain(e.ebrDb);
          expect(many.events[e.label].map((s) => s.file)).toContain(e.file);
          if (i > 0) expect(e.onset - (p.events[i - 1].onset + p.events[i - 1].length)).toBeGreaterThanOrEqual(EVENT_GAP_SECONDS * RATE);
        }
      }
    }
  });

  it('draws every class, spreads events over the whole recording and is reproducible from the seed', () => {
    const plans = planLongRecordings(long, 'validation', ['beep', 'long'], 3, 10, many);
    const labels = plans.flatMap((p) => p.events.map((e) => e.label));
    expect(labels.filter((l) => l === 'beep').length).toBeGreaterThan(15);
    expect(labels.filter((l) => l === 'long').length).toBeGreaterThan(15);
    const onsets = plans.flatMap((p) => p.events.map((e) => e.onset / RATE));
    expect(Math.min(...onsets)).toBeLessThan(10);
    expect(Math.max(...onsets)).toBeGreaterThan(100);
    expect(new Set(plans.flatMap((p) => p.backgrounds.map((b) => b.file))).size).toBe(many.backgrounds.length);
    expect(planLongRecordings(long, 'validation', ['beep', 'long'], 3, 10, many)).toEqual(plans);
    expect(planLongRecordings(long, 'validation', ['beep', 'long'], 3, 12, many).slice(0, 10)).toEqual(plans);
    expect(planLongRecordings({ ...long, seed: 8 }, 'validation', ['beep', 'long'], 3, 10, many)).not.toEqual(plans);
  });

  it('makes event-free ambience at 0 events per minute, without needing event files', () => {
    const plans = planLongRecordings(long, 'train', ['nothing'], 0, 3, many);
    expect(plans.map((p) => p.name)).toEqual(['train_ambience_0000.wav', 'train_ambience_0001.wav', 'train_ambience_0002.wav']);
    for (const p of plans) {
      expect(p.events).toEqual([]);
      checkScene(p);
    }
  });

  it('refuses events that cannot fit, a class without files and a negative rate', () => {
    // Three 7.9 s audible events with 1 s between them need 25.7 s.
    expect(() => planLongRecordings({ ...long, lengthSeconds: 20 }, 'test', ['long'], 9, 1, many)).toThrow(
      /test_long_0000\.wav: 3 events \(25\.7 s with 1 s between them\) do not fit in 20 s/,
    );
    expect(() => planLongRecordings(long, 'test', ['beep', 'nothing'], 1, 1, many)).toThrow(/no "nothing" event file available for the test split/);
    expect(() => planLongRecordings(long, 'test', ['beep'], -1, 1, many)).toThrow(/at least 0/);
  });
});
