/** In place: NaN and ±Infinity become 0 (silence). Returns how many samples were replaced. */
export function replaceNonFinite(samples: Float32Array): number {
  let replaced = 0;
  for (let i = 0; i < samples.length; i++) {
    // x - x is 0 for finite x and NaN for NaN and ±Infinity: one test catches all three.
    if (samples[i] - samples[i] !== 0) {
      samples[i] = 0;
      replaced++;
    }
  }
  return replaced;
}

/** The per-file warning for replaced samples, or undefined when there were none. */
export function nonFiniteWarning(file: string, replaced: number): string | undefined {
  if (replaced === 0) return undefined;
  return `"${file}": ${replaced} non-finite sample${replaced === 1 ? '' : 's'} (NaN or infinity) replaced by silence`;
}
