// Every expected number here is taken from sed_eval's own published tests (tests/test_sound_event.py in
// TUT-ARG/sed_eval, the version with event_matching_type and evaluated_length_seconds); the test name is
// cited beside each. File pairs without a published expectation are checked against counts worked out by
// hand and against an independent brute-force evaluation (see the last describe block).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeSets, parseAnnotations, readAnnotationFile, type AnnotationSet, type SoundEvent } from '../../src-main/engine/annotations/index';
import { eventBasedMetrics, segmentBasedMetrics } from '../../src-main/engine/metrics/index';
import { SED_EVAL_REFERENCE_DIR, sedEvalReferenceAvailable } from '../corpus';

const REFERENCE_MISSING = `sed_eval reference files not found at ${SED_EVAL_REFERENCE_DIR}: skipping`;
const ref = (name: string) => join(SED_EVAL_REFERENCE_DIR, name);
const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-6);

/** Reads a sed_eval file pair; 3-column lists get the pair's name as file name, so pairs accumulate like sed_eval's evaluate() calls. */
async function readPairs(pairs: [string, string][]): Promise<{ reference: AnnotationSet; estimated: AnnotationSet }> {
  const refs: AnnotationSet[] = [];
  const ests: AnnotationSet[] = [];
  for (const [r, e] of pairs) {
    refs.push(await readAnnotationFile(ref(r), 'dcase', { filename: r }));
    ests.push(await readAnnotationFile(ref(e), 'dcase', { filename: r }));
  }
  return { reference: mergeSets(...refs), estimated: mergeSets(...ests) };
}

describe.skipIf(!sedEvalReferenceAvailable)(`sed_eval published expectations ${sedEvalReferenceAvailable ? '' : REFERENCE_MISSING}`, () => {
  it('street_fold1, segment-based, 1 s (test_dcase_style, test_dcase_style2)', async () => {
    const reference = await readAnnotationFile(ref('street_fold1_reference.txt'));
    const estimated = await readAnnotationFile(ref('street_fold1_detected.txt'));
    const report = segmentBasedMetrics(reference, estimated, { timeResolution: 1.0 });
    close(report.overall.accuracy!, 0.84244791666);
    close(report.overall.error_rate, 1.0616698292220115);
    expect(report.evaluatedFiles).toBe(6);
  });

  it('street_fold1, segment-based with evaluated length 1200 s (test_dcase_style)', async () => {
    const reference = await readAnnotationFile(ref('street_fold1_reference.txt'));
    const estimated = await readAnnotationFile(ref('street_fold1_detected.txt'));
    const report = segmentBasedMetrics(reference, estimated, { timeResolution: 1.0, evaluatedLength: 1200 });
    close(report.overall.accuracy!, 0.9719907407407408);
    close(report.overall.error_rate, 1.0616698292220115);
    expect(report.evaluatedLengthSeconds).toBe(6 * 1200);
  });

  it('binary1 + binary2, segment- and event-based (test_binary)', async () => {
    const { reference, estimated } = await readPairs([
      ['binary1.txt', 'binary1_detected.txt'],
      ['binary2.txt', 'binary2_detected.txt'],
    ]);
    const segment = segmentBasedMetrics(reference, estimated, { timeResolution: 1.0 });
    close(segment.overall.accuracy!, 0.666666666);
    expect(segment.overall.balanced_accuracy).toBe(0.75);
    expect(segment.overall.sensitivity).toBe(1.0);
    expect(segment.overall.specificity).toBe(0.5);
    expect(segment.overall.error_rate).toBe(1.0);
    close(segment.overall.f_measure, 0.66666666);

    const event = eventBasedMetrics(reference, estimated, { tCollar: 0.2 });
    close(event.overall.error_rate, 0.9999999999999999);
    close(event.overall.f_measure, 0.6666666666666666);
  });

  it('binary5 (Task 2 lists with name-only lines), event-based defaults, file by file (test_binary)', async () => {
    const reference = await readAnnotationFile(ref('binary5.txt'));
    const estimated = await readAnnotationFile(ref('binary5_detected.txt'));
    expect(reference.files).toHaveLength(6);
    const report = eventBasedMetrics(reference, estimated);
    close(report.overall.error_rate, 1.5);
    close(report.overall.f_measure, 0.0);
    expect(report.evaluatedFiles).toBe(6);
  });

  it('audioset1, segment-based file by file (test_audioset)', async () => {
    const reference = await readAnnotationFile(ref('audioset1.txt'));
    const estimated = await readAnnotationFile(ref('audioset1_detected.txt'));
    expect(reference.events.map((e) => e.label)).toContain('Air horn, truck horn');
    const report = segmentBasedMetrics(reference, estimated, { timeResolution: 1.0 });
    close(report.overall.accuracy!, 1.0);
    expect(report.overall.balanced_accuracy).toBe(1.0);
    expect(report.overall.sensitivity).toBe(1.0);
    expect(report.overall.specificity).toBe(1.0);
    expect(report.overall.error_rate).toBe(0.0);
    expect(report.overall.f_measure).toBe(1.0);
  });

  it('street_fold1: optimal and greedy matching agree (test_event_matching)', async () => {
    const reference = await readAnnotationFile(ref('street_fold1_reference.txt'));
    const estimated = await readAnnotationFile(ref('street_fold1_detected.txt'));
    const optimal = eventBasedMetrics(reference, estimated, { tCollar: 0.2, eventMatching: 'optimal' });
    const greedy = eventBasedMetrics(reference, estimated, { tCollar: 0.2, eventMatching: 'greedy' });
    close(optimal.overall.f_measure, greedy.overall.f_measure);
    close(optimal.overall.error_rate, greedy.overall.error_rate);
    close(optimal.classWiseAverage.error_rate, greedy.classWiseAverage.error_rate);
    // Hand-checked: no estimated event has both onset and offset within the collars of a same-label reference event.
    expect(optimal.overall.Ntp).toBe(0);
    expect(optimal.overall.Nref).toBe(142);
    expect(optimal.overall.Nsys).toBe(218);
  });

  it('mini lists: result does not depend on the order of estimated events (test_event_matching)', async () => {
    const reference = await readAnnotationFile(ref('mini_reference.txt'));
    const a = await readAnnotationFile(ref('mini_detected_a.txt'));
    const b = await readAnnotationFile(ref('mini_detected_b.txt'));
    const optimalA = eventBasedMetrics(reference, a, { tCollar: 0.25, eventMatching: 'optimal' });
    const optimalB = eventBasedMetrics(reference, b, { tCollar: 0.25, eventMatching: 'optimal' });
    const greedyA = eventBasedMetrics(reference, a, { tCollar: 0.25, eventMatching: 'greedy' });
    const greedyB = eventBasedMetrics(reference, b, { tCollar: 0.25, eventMatching: 'greedy' });
    close(optimalA.overall.f_measure, optimalB.overall.f_measure);
    close(greedyA.overall.f_measure, greedyB.overall.f_measure);
    close(optimalA.overall.error_rate, optimalB.overall.error_rate);
    close(optimalA.classWiseAverage.error_rate, optimalB.classWiseAverage.error_rate);
    // Hand count: both references can be matched (1.0<->1.25, 1.5<->1.75), so everything is correct.
    expect(optimalA.overall.Ntp).toBe(2);
    expect(optimalA.overall.f_measure).toBe(1);
  });
});

const street = 'audio/street/b099.wav';
const car = (onset: number, offset: number): SoundEvent => ({ filename: street, onset, offset, label: 'car' });
const set = (events: SoundEvent[]): AnnotationSet => ({ files: [street], events });

describe('sed_eval published expectations on in-memory lists', () => {
  it('segment-based (test_direct_use_segment)', () => {
    const report = segmentBasedMetrics(set([car(0, 2.5), car(2.8, 4.5), car(6, 10)]), set([car(1, 3.5), car(7, 8)]), { timeResolution: 1.0 });
    close(report.overall.accuracy!, 0.5);
    close(report.overall.error_rate, 0.555555555555);
  });

  it('event-based (test_direct_use_event)', () => {
    const report = eventBasedMetrics(set([car(0, 2.5), car(2.8, 4.5), car(6, 10)]), set([car(0.2, 3.5), car(6, 8)]), { tCollar: 0.2 });
    close(report.overall.f_measure, 0.8);
    close(report.overall.error_rate, 0.3333333333333);
  });

  it('empty system output: NaN ignored by default, zero with zero_score (test_empty_system_output_handling)', () => {
    const reference: AnnotationSet = {
      files: ['f1.wav', 'f2.wav'],
      events: [
        { filename: 'f1.wav', onset: 0.3, offset: 0.8, label: 'event A' },
        { filename: 'f2.wav', onset: 0.1, offset: 0.8, label: 'event B' },
      ],
    };
    const estimated: AnnotationSet = { files: ['f1.wav'], events: [{ filename: 'f1.wav', onset: 0.2, offset: 0.9, label: 'event A' }] };
    const options = { classes: ['event A', 'event B'], tCollar: 0.2, percentageOfLength: 0.2 };
    expect(eventBasedMetrics(reference, estimated, options).classWiseAverage.f_measure).toBe(1.0);
    expect(eventBasedMetrics(reference, estimated, { ...options, emptySystemOutput: 'zero_score' }).classWiseAverage.f_measure).toBe(0.5);
  });
});

describe.skipIf(!sedEvalReferenceAvailable)(`reference pairs without a published number ${sedEvalReferenceAvailable ? '' : REFERENCE_MISSING}`, () => {
  it('binary1-4 (file_list_binary.txt) accumulated: hand-counted segments and events', async () => {
    const { reference, estimated } = await readPairs([
      ['binary1.txt', 'binary1_detected.txt'],
      ['binary2.txt', 'binary2_detected.txt'],
      ['binary3.txt', 'binary3_detected.txt'],
      ['binary4.txt', 'binary4_detected.txt'],
    ]);
    // Segments of 1 s: pair 1 hits [1,3) on both sides (TP 2, TN 1); pair 2 is 2 false alarms (TN 1);
    // pair 3 misses [3,6) (FN 3, TN 3); pair 4 is empty (0 segments).
    const segment = segmentBasedMetrics(reference, estimated, { timeResolution: 1.0 });
    expect(segment.overall).toMatchObject({ Ntp: 2, Ntn: 5, Nfp: 2, Nfn: 3, Nref: 5, Nsys: 4, substitutions: 0, deletions: 3, insertions: 2 });
    expect(segment.overall.error_rate).toBe(1);
    close(segment.overall.f_measure, (2 * 0.5 * 0.4) / 0.9);
    close(segment.overall.accuracy!, 7 / 12);
    // Events: one hit (pair 1), one false alarm (pair 2), one miss (pair 3).
    const event = eventBasedMetrics(reference, estimated);
    expect(event.overall).toMatchObject({ Nref: 2, Nsys: 2, Ntp: 1, Nfp: 1, Nfn: 1, substitutions: 0 });
    expect(event.overall.error_rate).toBe(1);
    expect(event.overall.f_measure).toBe(0.5);
    expect(event.evaluatedFiles).toBe(4);
  });

  it('binary3 alone: a miss with no output gives NaN precision, as sed_eval', async () => {
    const { reference, estimated } = await readPairs([['binary3.txt', 'binary3_detected.txt']]);
    const event = eventBasedMetrics(reference, estimated);
    expect(event.overall.Nfn).toBe(1);
    expect(event.overall.precision).toBeNaN();
    expect(event.overall.f_measure).toBeNaN();
    close(event.overall.error_rate, 1);
  });

  it('office pairs (file_list.txt): agree with an independent brute-force evaluation and the count invariants', async () => {
    const { reference, estimated } = await readPairs([
      ['office_snr0_high_v2.txt', 'office_snr0_high_v2_detected.txt'],
      ['office_snr0_med_v2.txt', 'office_snr0_med_v2_detected.txt'],
    ]);
    const classes = [...new Set(reference.events.map((e) => e.label))].sort();
    const segment = segmentBasedMetrics(reference, estimated, { timeResolution: 1.0 });
    const brute = bruteForceSegments(reference, estimated, classes, 1.0);
    expect(segment.overall).toMatchObject(brute);
    close(segment.overall.error_rate, (brute.substitutions + brute.deletions + brute.insertions) / brute.Nref);

    for (const eventMatching of ['optimal', 'greedy'] as const) {
      const event = eventBasedMetrics(reference, estimated, { tCollar: 0.2, eventMatching });
      const o = event.overall;
      expect(o.Ntp + o.substitutions! + o.Nfn).toBe(o.Nref);
      expect(o.Ntp + o.substitutions! + o.Nfp).toBe(o.Nsys);
      const classTp = classes.reduce((sum, c) => sum + event.classWise[c].Ntp, 0);
      expect(classTp).toBe(o.Ntp);
      if (eventMatching === 'optimal') expect(o.Ntp).toBe(bruteForceMaxMatches(reference, estimated, 0.2, 0.5));
      close(o.error_rate, (o.substitutions! + o.Nfn + o.Nfp) / o.Nref);
      close(event.classWiseAverage.f_measure, classes.map((c) => event.classWise[c].f_measure).filter((f) => !Number.isNaN(f)).reduce((a, b) => a + b, 0) / classes.filter((c) => !Number.isNaN(event.classWise[c].f_measure)).length);
    }
  });
});

/** Segment activity by interval overlap (a different formulation from the floor/ceil roll), per file. */
function bruteForceSegments(reference: AnnotationSet, estimated: AnnotationSet, classes: string[], resolution: number) {
  const totals = { Ntp: 0, Ntn: 0, Nfp: 0, Nfn: 0, Nref: 0, Nsys: 0, substitutions: 0, deletions: 0, insertions: 0 };
  for (const file of reference.files) {
    const r = reference.events.filter((e) => e.filename === file);
    const s = estimated.events.filter((e) => e.filename === file);
    const length = Math.max(0, ...r.map((e) => e.offset), ...s.map((e) => e.offset));
    const active = (events: SoundEvent[], label: string, k: number) => events.some((e) => e.label === label && e.onset < (k + 1) * resolution && e.offset > k * resolution);
    for (let k = 0; k * resolution < length; k++) {
      let nr = 0;
      let ns = 0;
      let tp = 0;
      for (const label of classes) {
        const a = active(r, label, k);
        const b = active(s, label, k);
        nr += +a;
        ns += +b;
        tp += +(a && b);
        totals.Ntn += +(!a && !b);
        totals.Nfp += +(b && !a);
        totals.Nfn += +(a && !b);
      }
      totals.Ntp += tp;
      totals.Nref += nr;
      totals.Nsys += ns;
      totals.substitutions += Math.min(nr, ns) - tp;
      totals.deletions += Math.max(0, nr - ns);
      totals.insertions += Math.max(0, ns - nr);
    }
  }
  return totals;
}

/** Largest number of one-to-one label+collar matches, by simple augmenting paths (Kuhn), per file. */
function bruteForceMaxMatches(reference: AnnotationSet, estimated: AnnotationSet, collar: number, share: number): number {
  let total = 0;
  for (const file of reference.files) {
    const r = reference.events.filter((e) => e.filename === file);
    const s = estimated.events.filter((e) => e.filename === file);
    const ok = (a: SoundEvent, b: SoundEvent) =>
      a.label === b.label && Math.abs(a.onset - b.onset) <= collar && Math.abs(a.offset - b.offset) <= Math.max(collar, share * (a.offset - a.onset));
    const owner = new Array<number>(s.length).fill(-1);
    const tryRef = (j: number, seen: boolean[]): boolean => {
      for (let i = 0; i < s.length; i++) {
        if (seen[i] || !ok(r[j], s[i])) continue;
        seen[i] = true;
        if (owner[i] < 0 || tryRef(owner[i], seen)) {
          owner[i] = j;
          return true;
        }
      }
      return false;
    };
    for (let j = 0; j < r.length; j++) if (tryRef(j, new Array<boolean>(s.length).fill(false))) total++;
  }
  return total;
}

describe('parsed in-memory lists', () => {
  it('3-column lists without file names evaluate as one file', () => {
    const reference = parseAnnotations('1.0\t3.0\tdog\n5.0\t6.0\tcat\n', 'dcase');
    const estimated = parseAnnotations('1.1\t2.9\tdog\n5.0\t6.0\tdog\n', 'dcase');
    const report = eventBasedMetrics(reference, estimated);
    expect(report.overall).toMatchObject({ Nref: 2, Nsys: 2, Ntp: 1, substitutions: 1, Nfp: 0, Nfn: 0 });
    expect(report.classWise.cat).toMatchObject({ Nref: 1, Nsys: 0, Ntp: 0, Nfn: 1 });
    expect(report.classWise.dog).toMatchObject({ Nref: 1, Nsys: 2, Ntp: 1, Nfp: 1 });
  });
});
