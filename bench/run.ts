import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { formatTable, type BenchRow } from './lib';
import { sections } from './sections';

// `npm run bench [-- SECTION...]`: runs the named sections (all by default), prints one table, saves JSON.
const wanted = process.argv.slice(2);
const chosen = wanted.length ? sections.filter((s) => wanted.includes(s.name)) : sections;
const rows: BenchRow[] = [];
const skipped: Record<string, string> = {};
for (const section of chosen) {
  process.stderr.write(`bench: ${section.name}...\n`);
  const result = await section.run();
  if ('skipped' in result) {
    skipped[section.name] = result.skipped;
    process.stderr.write(`bench: ${section.name} skipped: ${result.skipped}\n`);
  } else rows.push(...result);
}
console.log(formatTable(rows));
for (const [name, why] of Object.entries(skipped)) console.log(`skipped ${name}: ${why}`);
const outDir = join(import.meta.dirname, 'results');
mkdirSync(outDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const report = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, rows, skipped };
const file = join(outDir, `bench-${stamp}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(outDir, `latest${wanted.length ? `-${wanted.join('-')}` : ''}.json`), `${JSON.stringify(report, null, 2)}\n`);
console.log(`saved ${file}`);
