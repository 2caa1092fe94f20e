import type { SoundEvent } from '../annotations/types';
import { bipartiteMatch } from './bipartite-match';
import type { EventMatching } from './types';

export interface EventMatchConditions {
  tCollar: number;
  evaluateOnset: boolean;
  evaluateOffset: boolean;
  percentageOfLength: number;
}

/** Counts from one reference/estimated file pair; summed over files before scores are computed. */
export interface EventPairCounts {
  overall: { Nref: number; Nsys: number; Ntp: number; Nsubs: number; Nfp: number; Nfn: number };
  classWise: Record<string, { Nref: number; Nsys: number; Ntp: number; Nfp: number; Nfn: number }>;
}

export function onsetMatches(ref: SoundEvent, est: SoundEvent, tCollar: number): boolean {
  return Math.abs(ref.onset - est.onset) <= tCollar;
}

/** Offset within max(t_collar, percentage_of_length x reference length). */
export function offsetMatches(ref: SoundEvent, est: SoundEvent, tCollar: number, percentageOfLength: number): boolean {
  const annotatedLength = ref.offset - ref.onset;
  return Math.abs(ref.offset - est.offset) <= Math.max(tCollar, percentageOfLength * annotatedLength);
}

/** Time conditions only (label not checked): used for substitutions. */
function timesMatch(ref: SoundEvent, est: SoundEvent, c: EventMatchConditions): boolean {
  if (c.evaluateOnset && !onsetMatches(ref, est, c.tCollar)) return false;
  if (c.evaluateOffset && !offsetMatches(ref, est, c.tCollar, c.percentageOfLength)) return false;
  return true;
}

/** Graph from each estimated event (in order of first hit) to the reference events it may match. */
function hitGraph(reference: readonly SoundEvent[], estimated: readonly SoundEvent[], hit: (r: SoundEvent, e: SoundEvent) => boolean): Map<number, number[]> {
  const graph = new Map<number, number[]>();
  // Row-major scan (reference outer), as numpy.where over the reference x estimated hit matrix.
  for (let j = 0; j < reference.length; j++) {
    for (let i = 0; i < estimated.length; i++) {
      if (!hit(reference[j], estimated[i])) continue;
      const list = graph.get(i);
      if (list) list.push(j);
      else graph.set(i, [j]);
    }
  }
  return graph;
}

/** Reference/estimated flags of correct events under one matching strategy. */
function matchCorrect(
  reference: readonly SoundEvent[],
  estimated: readonly SoundEvent[],
  hit: (r: SoundEvent, e: SoundEvent) => boolean,
  matching: EventMatching,
): { refCorrect: boolean[]; sysCorrect: boolean[]; Ntp: number } {
  const refCorrect = new Array<boolean>(reference.length).fill(false);
  const sysCorrect = new Array<boolean>(estimated.length).fill(false);
  if (matching === 'optimal') {
    const matched = bipartiteMatch(hitGraph(reference, estimated, hit));
    for (const [j, i] of matched) {
      refCorrect[j] = true;
      sysCorrect[i] = true;
    }
    return { refCorrect, sysCorrect, Ntp: matched.size };
  }
  // Greedy: each reference event takes the first still-free estimated event that matches it.
  let Ntp = 0;
  for (let j = 0; j < reference.length; j++) {
    for (let i = 0; i < estimated.length; i++) {
      if (sysCorrect[i] || !hit(reference[j], estimated[i])) continue;
      refCorrect[j] = true;
      sysCorrect[i] = true;
      Ntp++;
      break;
    }
  }
  return { refCorrect, sysCorrect, Ntp };
}

/**
 * sed_eval's EventBasedMetrics.evaluate for one file pair. Overall: correct = same label and times
 * within the collars; substitutions = leftover reference events paired (in order, each estimated event
 * at most once) with a leftover estimated event whose times match but label differs. Class-wise: the
 * same matching within each class.
 */
export function evaluateEventPair(
  reference: readonly SoundEvent[],
  estimated: readonly SoundEvent[],
  classes: readonly string[],
  conditions: EventMatchConditions,
  matching: EventMatching,
): EventPairCounts {
  const fullHit = (r: SoundEvent, e: SoundEvent) => r.label === e.label && timesMatch(r, e, conditions);
  const { refCorrect, sysCorrect, Ntp } = matchCorrect(reference, estimated, fullHit, matching);

  let Nsubs = 0;
  const sysCounted = new Array<boolean>(estimated.length).fill(false);
  for (let j = 0; j < reference.length; j++) {
    if (refCorrect[j]) continue;
    for (let i = 0; i < estimated.length; i++) {
      if (sysCorrect[i] || sysCounted[i]) continue;
      if (timesMatch(reference[j], estimated[i], conditions)) {
        sysCounted[i] = true;
        Nsubs++;
        break;
      }
    }
  }
  const Nref = reference.length;
  const Nsys = estimated.length;
  const counts: EventPairCounts = {
    overall: { Nref, Nsys, Ntp, Nsubs, Nfp: Nsys - Ntp - Nsubs, Nfn: Nref - Ntp - Nsubs },
    classWise: {},
  };

  const classHit = (r: SoundEvent, e: SoundEvent) => timesMatch(r, e, conditions);
  for (const label of classes) {
    const classRef = reference.filter((e) => e.label === label);
    const classEst = estimated.filter((e) => e.label === label);
    const classTp = matchCorrect(classRef, classEst, classHit, matching).Ntp;
    counts.classWise[label] = { Nref: classRef.length, Nsys: classEst.length, Ntp: classTp, Nfp: classEst.length - classTp, Nfn: classRef.length - classTp };
  }
  return counts;
}
