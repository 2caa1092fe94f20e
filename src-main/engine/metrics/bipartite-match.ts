/**
 * Maximum-cardinality bipartite matching (Hopcroft-Karp, as formulated by D. Eppstein and used by
 * mir_eval and sed_eval). Which pairs end up matched decides sed_eval's substitution count, so this
 * follows the same deterministic order: a greedy start, then layered searches for augmenting paths,
 * with insertion-ordered maps standing in for Python dicts.
 *
 * graph: left vertex -> its right neighbours (in order). Returns right vertex -> matched left vertex.
 */
export function bipartiteMatch(graph: ReadonlyMap<number, readonly number[]>): Map<number, number> {
  const matching = new Map<number, number>();
  for (const [u, neighbours] of graph) {
    for (const v of neighbours) {
      if (!matching.has(v)) {
        matching.set(v, u);
        break;
      }
    }
  }

  // Sentinel marking a free left vertex in the first layer (compared by identity).
  const FREE = Symbol('free');
  for (;;) {
    const preds = new Map<number, number[]>();
    const unmatched: number[] = [];
    const pred = new Map<number, number | typeof FREE>();
    for (const u of graph.keys()) pred.set(u, FREE);
    for (const u of matching.values()) pred.delete(u);
    let layer: number[] = [...pred.keys()];

    while (layer.length > 0 && unmatched.length === 0) {
      const newLayer = new Map<number, number[]>();
      for (const u of layer) {
        for (const v of graph.get(u) ?? []) {
          if (!preds.has(v)) {
            const list = newLayer.get(v);
            if (list) list.push(u);
            else newLayer.set(v, [u]);
          }
        }
      }
      layer = [];
      for (const [v, us] of newLayer) {
        preds.set(v, us);
        const partner = matching.get(v);
        if (partner !== undefined) {
          layer.push(partner);
          pred.set(partner, v);
        } else {
          unmatched.push(v);
        }
      }
    }

    if (unmatched.length === 0) return matching;

    const recurse = (v: number): boolean => {
      const candidates = preds.get(v);
      if (candidates === undefined) return false;
      preds.delete(v);
      for (const u of candidates) {
        if (!pred.has(u)) continue;
        const pu = pred.get(u)!;
        pred.delete(u);
        if (pu === FREE || recurse(pu)) {
          matching.set(v, u);
          return true;
        }
      }
      return false;
    };
    for (const v of unmatched) recurse(v);
  }
}
