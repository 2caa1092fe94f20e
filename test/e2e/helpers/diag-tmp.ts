// TEMPORARY diagnostics for the read-only visibility flake; remove before finishing.
import { appendFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

let dumped = 0;
export async function diagDump(tag: string, dbPath: string, studioUrl: string, token: string): Promise<void> {
  if (dumped++ > 2) return;
  const lines: string[] = [`=== ${new Date().toISOString()} pid ${process.pid} ${tag} dbPath=${dbPath}`];
  const dir = path.dirname(dbPath);
  try {
    for (const n of readdirSync(dir)) {
      const s = statSync(path.join(dir, n));
      lines.push(`  file ${n} ino=${s.ino} size=${s.size} mtime=${s.mtime.toISOString()}`);
    }
  } catch (e) {
    lines.push(`  readdir failed ${(e as Error).message}`);
  }
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const t = readlinkSync(`/proc/self/fd/${fd}`);
      if (t.includes('.db') || t.includes('earmark')) lines.push(`  fd ${fd} -> ${t}`);
    } catch {
      /* gone */
    }
  }
  for (const readonly of [true, false]) {
    try {
      const db = new Database(dbPath, { readonly, fileMustExist: true });
      const recs = db.prepare('SELECT id, rel_path, status FROM recordings').all();
      const ev = db.prepare('SELECT count(*) n FROM events').get();
      lines.push(`  readonly=${readonly} recordings=${JSON.stringify(recs)} events=${JSON.stringify(ev)} dv=${db.pragma('data_version', { simple: true })} jm=${db.pragma('journal_mode', { simple: true })}`);
      db.close();
    } catch (e) {
      lines.push(`  readonly=${readonly} failed ${(e as Error).message}`);
    }
  }
  try {
    const base = new URL(studioUrl);
    const call = async (method: string, params: unknown) => {
      const r = await fetch(`${base.origin}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(params) });
      return r.json();
    };
    const projects = (await call('projects.list', {})) as { result: { id: number; rootDir?: string }[] };
    lines.push(`  server projects ${JSON.stringify(projects).slice(0, 400)}`);
    for (const p of projects.result ?? []) lines.push(`  server recordings ${JSON.stringify(await call('recordings.list', { projectId: p.id })).slice(0, 1500)}`);
  } catch (e) {
    lines.push(`  server call failed ${(e as Error).message}`);
  }
  appendFileSync('/tmp/rodiag/logs/diag.log', lines.join('\n') + '\n');
}
