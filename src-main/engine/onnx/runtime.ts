import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Ort from 'onnxruntime-node';

export type OrtModule = typeof Ort;

let ortPromise: Promise<OrtModule | { error: string }> | undefined;

/** onnxruntime-node, or the reason it cannot be loaded (native binding missing, wrong platform...). */
export async function loadOrt(): Promise<OrtModule | { error: string }> {
  ortPromise ??= import('onnxruntime-node').then(
    (m) => ((m as unknown as { default?: OrtModule }).default ?? m) as OrtModule,
    (error: unknown) => ({ error: (error as Error).message.split('\n')[0] }),
  );
  return ortPromise;
}

/**
 * Whether this install can even try CUDA: the build lists the provider and its library was installed
 * (the postinstall that fetches it is skipped where it cannot download). Trying without the library
 * only prints native errors before failing.
 */
function cudaProviderInstalled(ort: OrtModule): boolean {
  if (!(ort.listSupportedBackends?.().some((b) => b.name === 'cuda') ?? false)) return false;
  try {
    const binRoot = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')), 'bin');
    return readdirSync(binRoot).some((napi) => existsSync(join(binRoot, napi, process.platform, process.arch, 'libonnxruntime_providers_cuda.so')));
  } catch {
    return false;
  }
}

export interface OrtSessionInfo {
  session: Ort.InferenceSession;
  /** Execution provider that was accepted: 'cuda' or 'cpu'. */
  provider: 'cuda' | 'cpu';
  /** Why CUDA was not used, when it was tried. */
  fallbackReason?: string;
}

export interface OrtSessionOptions {
  /** Intra-op threads (default: ORT's choice, one per core). */
  threads?: number;
  /** Try CUDA before CPU: 'auto' (default) when the CUDA provider library is installed, true always, false never. */
  tryCuda?: boolean | 'auto';
}

/**
 * Opens an inference session. CUDA is tried first when the build lists it; ORT throws instead of
 * falling back when the CUDA provider cannot load, so the throw is caught and CPU is used.
 */
export async function createOrtSession(ort: OrtModule, modelPath: string, options: OrtSessionOptions = {}): Promise<OrtSessionInfo> {
  const base: Ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
  };
  let fallbackReason: string | undefined;
  const tryCuda = options.tryCuda ?? 'auto';
  if (tryCuda === true || (tryCuda === 'auto' && cudaProviderInstalled(ort))) {
    try {
      const session = await ort.InferenceSession.create(modelPath, { ...base, executionProviders: ['cuda', 'cpu'] });
      return { session, provider: 'cuda' };
    } catch (error) {
      fallbackReason = (error as Error).message.split('\n')[0];
    }
  }
  const session = await ort.InferenceSession.create(modelPath, { ...base, executionProviders: ['cpu'] });
  return { session, provider: 'cpu', fallbackReason };
}
