import type { SoundEvent } from '../annotations/types';

/** Counts from one file pair; summed over files before scores are computed. */
export interface SegmentPairCounts {
  overall: { Ntp: number; Ntn: number; Nfp: number; Nfn: number; Nref: number; Nsys: number; S: number; D: number; I: number };
  classWise: Record<string, { Ntp: number; Ntn: number; Nfp: number; Nfn: number; Nref: number; Nsys: number }>;
  evaluatedLengthSeconds: number;
  segments: number;
}

function maxOffset(events: readonly SoundEvent[]): number {
  let max = 0;
  for (const e of events) if (e.offset > max) max = e.offset;
  return max;
}

/**
 * Activity roll (segments x classes) as sed_eval builds it: an event covers segments
 * floor(onset / resolution) up to, not including, ceil(offset / resolution), clipped to the roll.
 * Events whose label is not a class are left out.
 */
export function eventRoll(events: readonly SoundEvent[], classes: readonly string[], timeResolution: number, segments: number): Uint8Array[] {
  const roll = Array.from({ length: segments }, () => new Uint8Array(classes.length));
  const column = new Map(classes.map((c, k) => [c, k]));
  // sed_eval's own roll is ceil(max offset of this list / resolution) long before it is cut to the evaluated length.
  const ownLength = Math.ceil(maxOffset(events) / timeResolution);
  const limit = Math.min(segments, ownLength);
  for (const e of events) {
    const k = column.get(e.label);
    if (k === undefined) continue;
    const start = Math.max(0, Math.floor(e.onset / timeResolution));
    const end = Math.min(limit, Math.ceil(e.offset / timeResolution));
    for (let s = start; s < end; s++) roll[s][k] = 1;
  }
  return roll;
}

/**
 * sed_eval's SegmentBasedMetrics.evaluate for one file pair. The evaluated length is the largest offset
 * on either side unless given (e.g. the recording's duration), and is rounded up to whole segments.
 */
export function evaluateSegmentPair(
  reference: readonly SoundEvent[],
  estimated: readonly SoundEvent[],
  classes: readonly string[],
  timeResolution: number,
  evaluatedLengthSeconds?: number,
): SegmentPairCounts {
  const length = evaluatedLengthSeconds ?? Math.max(maxOffset(reference), maxOffset(estimated));
  const segments = Math.ceil(length / timeResolution);
  const ref = eventRoll(reference, classes, timeResolution, segments);
  const sys = eventRoll(estimated, classes, timeResolution, segments);

  const overall = { Ntp: 0, Ntn: 0, Nfp: 0, Nfn: 0, Nref: 0, Nsys: 0, S: 0, D: 0, I: 0 };
  const classWise: SegmentPairCounts['classWise'] = {};
  const perClass = classes.map((label) => {
    const counts = { Ntp: 0, Ntn: 0, Nfp: 0, Nfn: 0, Nref: 0, Nsys: 0 };
    classWise[label] = counts;
    return counts;
  });
  for (let s = 0; s < segments; s++) {
    let Ntp = 0;
    let Nref = 0;
    let Nsys = 0;
    for (let k = 0; k < classes.length; k++) {
      const a = ref[s][k];
      const b = sys[s][k];
      const c = perClass[k];
      Nref += a;
      Nsys += b;
      c.Nref += a;
      c.Nsys += b;
      if (a && b) {
        Ntp++;
        c.Ntp++;
      } else if (!a && !b) {
        overall.Ntn++;
        c.Ntn++;
      } else if (b) {
        overall.Nfp++;
        c.Nfp++;
      } else {
        overall.Nfn++;
        c.Nfn++;
      }
    }
    overall.Ntp += Ntp;
    overall.Nref += Nref;
    overall.Nsys += Nsys;
    overall.S += Math.min(Nref, Nsys) - Ntp;
    overall.D += Math.max(0, Nref - Nsys);
    overall.I += Math.max(0, Nsys - Nref);
  }
  return { overall, classWise, evaluatedLengthSeconds: length, segments };
}
