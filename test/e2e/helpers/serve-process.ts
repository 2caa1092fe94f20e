import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './renderer-build';

export interface ServeProcess {
  child: ChildProcess;
  /** The studio address `earmark serve` printed (with its token). */
  url: string;
  /** Stops it as Ctrl+C does; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** `earmark serve --no-build ARGS` in its own process, as a user runs it; resolves once it prints its address. */
export function startServeProcess(args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'earmark.mjs'), 'serve', '--no-build', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const stop = (): Promise<number | null> =>
    new Promise((resolve) => {
      child.removeAllListeners('exit');
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.on('exit', (code) => resolve(code));
      child.kill('SIGINT');
    });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /Earmark studio: (\S+)/.exec(out)?.[1];
      if (url) resolve({ child, url, stop });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`earmark serve exited with ${code}:\n${err}`)));
  });
}
