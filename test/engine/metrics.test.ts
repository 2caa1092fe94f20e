import { describe, expect, it } from 'vitest';
import type { AnnotationSet, SoundEvent } from '../../src-main/engine/annotations/index';
import { bipartiteMatch, evaluatePreset, eventBasedMetrics, segmentBasedMetrics } from '../../src-main/engine/metrics/index';

const ev = (filename: string, onset: number, offset: number, label: string): SoundEvent => ({ filename, onset, offset, label });
const one = (events: SoundEvent[]): AnnotationSet => ({ files: [...new Set(events.map((e) => e.filename))], events });

describe('event matching', () => {
  it('optimal matching finds the pairing greedy misses (hand-made case)', () => {
    // Reference onsets 1.0 and 1.5; estimated 1.25 fits both, 0.75 fits only 1.0. Greedy gives 1.0 the 1.25.
    const reference = one([ev('f', 1.0, 2, 'a'), ev('f', 1.5, 2, 'a')]);
    const estimated = one([ev('f', 1.25, 2, 'a'), ev('f', 0.75, 2, 'a')]);
    const options = { tCollar: 0.25, evaluateOffset: false } as const;
    expect(eventBasedMetrics(reference, estimated, { ...options, eventMatching: 'optimal' }).overall.Ntp).toBe(2);
    const greedy = eventBasedMetrics(reference, estimated, { ...options, eventMatching: 'greedy' });
    expect(greedy.overall).toMatchObject({ Ntp: 1, Nfp: 1, Nfn: 1, substitutions: 0 });
    expect(greedy.classWise.a.Ntp).toBe(1);
  });

  it('bipartiteMatch returns a maximum matching as right -> left', () => {
    const graph = new Map([
      [0, [0, 1]],
      [1, [0]],
      [2, [1, 2]],
    ]);
    const matching = bipartiteMatch(graph);
    expect(matching.size).toBe(3);
    expect(matching.get(0)).toBe(1);
    for (const [right, left] of matching) expect(graph.get(left)).toContain(right);
    expect(bipartiteMatch(new Map()).size).toBe(0);
  });

  it('onset collar, offset collar and percentage of length (hand counts)', () => {
    const reference = one([ev('f', 1, 11, 'a')]);
    // Offset 4 s away: outside a 0.2 s collar, inside 50 % of a 10 s event.
    expect(eventBasedMetrics(reference, one([ev('f', 1.1, 15, 'a')])).overall.Ntp).toBe(1);
    expect(eventBasedMetrics(reference, one([ev('f', 1.1, 15, 'a')]), { percentageOfLength: 0.2 }).overall.Ntp).toBe(0);
    expect(eventBasedMetrics(reference, one([ev('f', 1.3, 11, 'a')])).overall.Ntp).toBe(0);
    expect(eventBasedMetrics(reference, one([ev('f', 5, 11, 'a')]), { evaluateOnset: false }).overall.Ntp).toBe(1);
    // Right time, wrong label: one substitution, no insertion or deletion.
    const sub = eventBasedMetrics(reference, one([ev('f', 1, 11, 'b')]));
    expect(sub.overall).toMatchObject({ Ntp: 0, substitutions: 1, Nfp: 0, Nfn: 0 });
    expect(sub.overall.error_rate).toBeCloseTo(1, 12);
    expect(sub.unknownEstimatedLabels).toEqual(['b']);
  });

  it('rejects impossible settings', () => {
    const set = one([ev('f', 1, 2, 'a')]);
    expect(() => eventBasedMetrics(set, set, { tCollar: 0 })).toThrow(/tCollar must be a number > 0/);
    expect(() => eventBasedMetrics(set, set, { percentageOfLength: 2 })).toThrow(/percentageOfLength/);
    expect(() => eventBasedMetrics(set, set, { evaluateOnset: false, evaluateOffset: false })).toThrow(/cannot both be false/);
    expect(() => segmentBasedMetrics(set, set, { timeResolution: -1 })).toThrow(/timeResolution/);
  });
});

describe('files and classes', () => {
  it('pairs by exact name or by basename, and reports estimated files missing from the reference', () => {
    const reference = one([ev('audio/x.wav', 1, 2, 'a')]);
    const estimated = one([ev('/other/x.wav', 1, 2, 'a'), ev('y.wav', 1, 2, 'a')]);
    const exact = eventBasedMetrics(reference, estimated);
    expect(exact.overall.Ntp).toBe(0);
    expect(exact.unmatchedEstimatedFiles).toEqual(['/other/x.wav', 'y.wav']);
    const byBase = eventBasedMetrics(reference, estimated, { matchFilesBy: 'basename' });
    expect(byBase.overall).toMatchObject({ Ntp: 1, Nsys: 1 });
    expect(byBase.unmatchedEstimatedFiles).toEqual(['y.wav']);
  });

  it('segment-based: floor/ceil segments, evaluated length, class-wise average over classes', () => {
    const reference = one([ev('f', 0.5, 1.5, 'a'), ev('f', 2.2, 2.4, 'b')]);
    const estimated = one([ev('f', 0.9, 1.1, 'a')]);
    const report = segmentBasedMetrics(reference, estimated, { timeResolution: 1 });
    // a: ref segments 0,1; est 0,1. b: ref segment 2. 3 segments in all.
    expect(report.classWise.a).toMatchObject({ Ntp: 2, Nfp: 0, Nfn: 0, Ntn: 1 });
    expect(report.classWise.b).toMatchObject({ Ntp: 0, Nfn: 1, Ntn: 2, Nsys: 0 });
    expect(report.classWise.b.precision).toBeNaN();
    expect(report.classWiseAverage.f_measure).toBe(1); // b's NaN is ignored, as numpy.nanmean
    const longer = segmentBasedMetrics(reference, estimated, { timeResolution: 1, evaluatedLength: { f: 10 } });
    expect(longer.overall.Ntn).toBe(report.overall.Ntn! + 14);
    const shorter = segmentBasedMetrics(reference, estimated, { timeResolution: 1, evaluatedLength: 1 });
    expect(shorter.overall).toMatchObject({ Nref: 1, Nsys: 1, Ntp: 1 });
  });

  it('dcase2017-task2 preset: onset only, 0.5 s collar, class-wise average as main', () => {
    const reference = one([ev('m1.wav', 1, 2, 'babycry'), ev('m2.wav', 3, 4, 'gunshot')]);
    const estimated = one([ev('m1.wav', 1.45, 9, 'babycry'), ev('m2.wav', 3.6, 4, 'gunshot')]);
    const report = evaluatePreset('dcase2017-task2', { ...reference, files: ['m1.wav', 'm2.wav', 'm3.wav'] }, estimated);
    expect(report.parameters).toMatchObject({ kind: 'event', tCollar: 0.5, evaluateOnset: true, evaluateOffset: false });
    expect(report.classWise.babycry.Ntp).toBe(1);
    expect(report.classWise.gunshot.Ntp).toBe(0);
    expect(report.main.error_rate).toBeCloseTo((0 + 2) / 2, 12);
    expect(report.main.f_measure).toBe(0.5);
    expect(report.evaluatedFiles).toBe(3);
  });
});
