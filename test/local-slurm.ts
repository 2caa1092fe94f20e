import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway single-node Slurm (Debian slurm-wlm + munge) for tests and the bench: munged, slurmctld and
 * slurmd in the foreground, with their key, config, state, sockets and logs under one temporary folder
 * and free ports, so it never meets a system Slurm. Needs root.
 */
export interface LocalSlurm {
  dir: string;
  /** The environment for sbatch, squeue and scancel (SLURM_CONF). */
  env: NodeJS.ProcessEnv;
  /** Runs a Slurm client command; returns its stdout. */
  run(command: string, args: string[]): string;
  /** Cancels what is left, stops the daemons by PID, removes the folder. */
  stop(): Promise<void>;
}

const BINARIES = ['munged', 'munge', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scancel', 'sinfo'];

const hasCommand = (name: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Why a local Slurm cannot start here, or undefined when it can. */
export function slurmUnavailable(): string | undefined {
  const missing = BINARIES.filter((b) => !hasCommand(b));
  if (missing.length) return `slurm-wlm and munge are not installed (missing ${missing.join(', ')}; apt-get install -y slurm-wlm munge)`;
  if (process.getuid?.() !== 0) return 'a local Slurm needs root (slurmd and munged run as root here)';
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`local Slurm: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((done) => child.once('exit', done));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function startLocalSlurm(): Promise<LocalSlurm> {
  const dir = await mkdtemp(join(tmpdir(), 'earmark-slurm-'));
  // munged insists that every folder above its socket is searchable by all.
  await chmod(dir, 0o755);
  for (const sub of ['munge', 'state', 'spool', 'log']) await mkdir(join(dir, sub), { mode: 0o755 });
  const key = join(dir, 'munge.key');
  await writeFile(key, randomBytes(1024), { mode: 0o400 });
  const socket = join(dir, 'munge', 'munge.socket');
  const host = hostname().split('.')[0];
  const conf = join(dir, 'slurm.conf');
  await writeFile(conf, [
    'ClusterName=earmarktest',
    `SlurmctldHost=${host}`,
    'SlurmUser=root',
    `SlurmctldPort=${await freePort()}`,
    `SlurmdPort=${await freePort()}`,
    'AuthType=auth/munge',
    'CredType=cred/munge',
    `AuthInfo=socket=${socket}`,
    `StateSaveLocation=${join(dir, 'state')}`,
    `SlurmdSpoolDir=${join(dir, 'spool')}`,
    `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
    `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
    `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
    `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    'ReturnToService=2',
    // `sbatch --wait` polls every 2 s while that is under MinJobAge / 2; the default (300) stretches it to 32 s.
    'MinJobAge=4',
    'MpiDefault=none',
    `NodeName=${host} CPUs=${cpus().length} RealMemory=${Math.floor((totalmem() / 2 ** 20) * 0.9)} State=UNKNOWN`,
    `PartitionName=local Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
    '',
  ].join('\n'));
  const env = { ...process.env, SLURM_CONF: conf };
  const run = (command: string, args: string[]) => execFileSync(command, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const tryRun = (command: string, args: string[]) => {
    try {
      return run(command, args);
    } catch {
      return undefined;
    }
  };
  const daemons: ChildProcess[] = [];
  const start = (command: string, args: string[]) => daemons.push(spawn(command, args, { env, stdio: 'ignore' }));
  const stop = async () => {
    tryRun('scancel', ['--user=root']);
    await until('the jobs to end', () => (tryRun('squeue', ['-h']) ?? '').trim() === '', 15_000).catch(() => {});
    for (const child of daemons.reverse()) await stopDaemon(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    start('munged', ['--foreground', `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${join(dir, 'munged.pid')}`, `--log-file=${join(dir, 'log', 'munged.log')}`, `--seed-file=${join(dir, 'munge.seed')}`]);
    await until('munged', () => tryRun('munge', ['-n', '-S', socket]) !== undefined);
    start('slurmctld', ['-D', '-f', conf]);
    start('slurmd', ['-D', '-f', conf]);
    await until('the node to be idle', () => tryRun('sinfo', ['-h', '-o', '%t'])?.trim() === 'idle');
  } catch (error) {
    await stop();
    throw error;
  }
  return { dir, env, run, stop };
}
