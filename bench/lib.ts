/** One measured number in the bench table. */
export interface BenchRow {
  section: string;
  metric: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "<= 0.15". */
  target?: string;
  notes?: string;
}

/** A bench section: a named measurement that returns rows, or skips with a reason. */
export interface BenchSection {
  name: string;
  run(): Promise<BenchRow[] | { skipped: string }>;
}

export function formatTable(rows: BenchRow[]): string {
  const header = ['section', 'metric', 'value', 'unit', 'target', 'notes'];
  const body = rows.map((r) => [
    r.section,
    r.metric,
    Number.isInteger(r.value) ? String(r.value) : r.value.toPrecision(4),
    r.unit,
    r.target ?? '',
    r.notes ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}
