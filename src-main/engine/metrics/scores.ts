// Score formulas exactly as sed_eval.metric defines them, including its eps in the rate denominators,
// so results agree to the last bit, not just to a tolerance.

/** numpy.spacing(1): the eps sed_eval adds to Nref in rate denominators. */
export const EPS = 2.220446049250313e-16;

export function precision(Ntp: number, Nsys: number): number {
  return Nsys === 0 ? Number.NaN : Ntp / Nsys;
}

export function recall(Ntp: number, Nref: number): number {
  return Nref === 0 ? Number.NaN : Ntp / Nref;
}

export function fMeasure(p: number, r: number, beta = 1): number {
  if (p === 0 && r === 0) return 0;
  return ((1 + beta ** 2) * p * r) / (beta ** 2 * p + r);
}

export function rate(count: number, Nref: number): number {
  return count / (Nref + EPS);
}

export function sensitivity(Ntp: number, Nfn: number): number {
  return Ntp / (Ntp + Nfn + EPS);
}

export function specificity(Ntn: number, Nfp: number): number {
  return Ntn / (Ntn + Nfp + EPS);
}

export function balancedAccuracy(sens: number, spec: number, factor = 0.5): number {
  return (1 - factor) * sens + factor * spec;
}

export function accuracy(Ntp: number, Ntn: number, Nfp: number, Nfn: number): number {
  return (Ntp + Ntn) / (Ntp + Ntn + Nfn + Nfp + EPS);
}

/** numpy.nanmean: mean of the non-NaN values; NaN when there are none. */
export function nanMean(values: readonly number[]): number {
  const kept = values.filter((v) => !Number.isNaN(v));
  if (kept.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of kept) sum += v;
  return sum / kept.length;
}
