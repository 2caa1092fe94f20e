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

/** A change of one class's coverage on one side at a segment boundary. */
interface Edge {
  at: number;
  side: 0 | 1;
  k: number;
  delta: 1 | -1;
}

/**
 * The edges of the activity roll sed_eval builds: an event covers segments floor(onset / resolution) up to,
 * not including, ceil(offset / resolution), clipped to the roll. Events whose label is not a class are left out.
 * Kept as edges rather than a roll so memory grows with the events, not with the recording's length.
 */
function rollEdges(events: readonly SoundEvent[], side: 0 | 1, column: ReadonlyMap<string, number>, timeResolution: number, segments: number, out: Edge[]): void {
  // sed_eval's own roll is ceil(max offset of this list / resolution) long before it is cut to the evaluated length.
  const limit = Math.min(segments, Math.ceil(maxOffset(events) / timeResolution));
  for (const e of events) {
    const k = column.get(e.label);
    if (k === undefined) continue;
    const start = Math.max(0, Math.floor(e.onset / timeResolution));
    const end = Math.min(limit, Math.ceil(e.offset / timeResolution));
    if (start >= end) continue;
    out.push({ at: start, side, k, delta: 1 }, { at: end, side, k, delta: -1 });
  }
}

/**
 * sed_eval's SegmentBasedMetrics.evaluate for one file pair. The evaluated length is the largest offset
 * on either side unless given (e.g. the recording's duration), and is rounded up to whole segments.
 * Runs of segments between event boundaries are counted at once.
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
  const column = new Map(classes.map((c, k) => [c, k]));
  const edges: Edge[] = [];
  rollEdges(reference, 0, column, timeResolution, segments, edges);
  rollEdges(estimated, 1, column, timeResolution, segments, edges);
  edges.sort((a, b) => a.at - b.at);
  // How many events of each class cover the current run, per side.
  const cover = [new Int32Array(classes.length), new Int32Array(classes.length)];

  const overall = { Ntp: 0, Ntn: 0, Nfp: 0, Nfn: 0, Nref: 0, Nsys: 0, S: 0, D: 0, I: 0 };
  const classWise: SegmentPairCounts['classWise'] = {};
  const perClass = classes.map((label) => {
    const counts = { Ntp: 0, Ntn: 0, Nfp: 0, Nfn: 0, Nref: 0, Nsys: 0 };
    classWise[label] = counts;
    return counts;
  });
  let next = 0;
  for (let at = 0; at < segments; ) {
    while (next < edges.length && edges[next].at === at) {
      const e = edges[next++];
      cover[e.side][e.k] += e.delta;
    }
    const until = next < edges.length ? Math.min(segments, edges[next].at) : segments;
    const run = until - at;
    let Ntp = 0;
    let Nref = 0;
    let Nsys = 0;
    for (let k = 0; k < classes.length; k++) {
      const a = cover[0][k] > 0 ? 1 : 0;
      const b = cover[1][k] > 0 ? 1 : 0;
      const c = perClass[k];
      Nref += a;
      Nsys += b;
      c.Nref += a * run;
      c.Nsys += b * run;
      if (a && b) {
        Ntp++;
        c.Ntp += run;
      } else if (!a && !b) {
        overall.Ntn += run;
        c.Ntn += run;
      } else if (b) {
        overall.Nfp += run;
        c.Nfp += run;
      } else {
        overall.Nfn += run;
        c.Nfn += run;
      }
    }
    overall.Ntp += Ntp * run;
    overall.Nref += Nref * run;
    overall.Nsys += Nsys * run;
    overall.S += (Math.min(Nref, Nsys) - Ntp) * run;
    overall.D += Math.max(0, Nref - Nsys) * run;
    overall.I += Math.max(0, Nsys - Nref) * run;
    at = until;
  }
  return { overall, classWise, evaluatedLengthSeconds: length, segments };
}
