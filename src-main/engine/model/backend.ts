import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './wasm-kernels';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export class BackendUnavailableError extends Error {
  constructor(backend: string, reason: string) {
    super(`tfjs backend "${backend}" is not available: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

// Not named `require`: the desktop bundle's ESM shim declares that name itself.
const requireHere = createRequire(import.meta.url);

async function tryNative(): Promise<string | undefined> {
  const reasons: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(/* @vite-ignore */ pkg);
      if (await tf.setBackend('tensorflow')) return undefined;
      reasons.push(`${pkg} loaded but backend failed to start`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      reasons.push(code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' ? `${pkg} not installed` : `${pkg}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return reasons.join('; ');
}

let wasmPrepared = false;
async function tryWasm(): Promise<string | undefined> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (!wasmPrepared) {
      // In Node the wasm binaries must be found on disk, next to the package's entry file.
      const distDir = dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm'));
      const prefix = typeof window === 'undefined' ? `${distDir}/` : pathToFileURL(join(distDir, '/')).href;
      wasm.setWasmPaths(prefix);
      registerWasmTrainingKernels();
      wasmPrepared = true;
    }
    if (await tf.setBackend('wasm')) return undefined;
    return 'wasm backend failed to initialise';
  } catch (error) {
    return `wasm: ${(error as Error).message.split('\n')[0]}`;
  }
}

let selected: string | undefined;

/**
 * Picks the fastest tfjs backend that actually runs here: native TensorFlow (tfjs-node-gpu, tfjs-node),
 * then wasm, then pure-JS cpu. `preferred` forces one and throws BackendUnavailableError if it cannot start.
 * Logs one line on stderr with the backend in use.
 */
export async function selectBackend(preferred?: BackendName, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  if (preferred && selected === preferred && tf.getBackend() === preferred) return preferred;
  const notes: string[] = [];
  const attempts: [BackendName, () => Promise<string | undefined>][] = [
    ['tensorflow', tryNative],
    ['wasm', tryWasm],
    ['cpu', async () => ((await tf.setBackend('cpu')) ? undefined : 'cpu backend failed')],
  ];
  for (const [name, attempt] of attempts) {
    if (preferred && name !== preferred) continue;
    const failure = await attempt();
    if (failure === undefined && tf.getBackend() === name) {
      await tf.ready();
      selected = name;
      log(`earmark: tfjs backend ${name}${notes.length ? ` (${notes.join('; ')})` : ''}`);
      return name;
    }
    if (preferred) throw new BackendUnavailableError(preferred, failure ?? `tf.getBackend() is ${tf.getBackend()}`);
    notes.push(failure ?? `${name} did not start`);
  }
  throw new BackendUnavailableError('any', notes.join('; '));
}
