import { existsSync } from 'node:fs';
import { frameDuration } from '../features/config';
import type { BackendName } from '../model/backend';
import { DEFAULT_INFERENCE_WINDOW, timePoolFactor, type InferenceWindow, type ModelManifest } from '../model/manifest';
import { ensureOnnxModel } from '../onnx/export';
import { readModelFiles } from '../onnx/model-files';
import { loadOrt } from '../onnx/runtime';
import { OnnxRunner } from './onnx-runner';
import { TfjsRunner } from './tfjs-runner';
import type { FeatureMatrix, FrameProbabilities, FrameScorer, InferenceBackend, NetworkRunner } from './types';
import { WindowedInference, windowFrames, type WindowOptions } from './windowed';

export interface ScorerOptions {
  /** 'auto' (default): ONNX when onnxruntime-node loads, else tfjs. */
  backend?: InferenceBackend | 'auto';
  /** ONNX intra-op threads. */
  threads?: number;
  /** Window core length, seconds (default: the model's, else 30). */
  windowSeconds?: number;
  /** Context each side of a window core, seconds (default: the model's, else 5). */
  contextSeconds?: number;
  /** Windows per network call (default 8). */
  batchWindows?: number;
  /** tfjs backend when tfjs runs. */
  tfBackend?: BackendName;
  /** One line per notable choice (which backend runs, on-the-fly export). */
  log?: (line: string) => void;
}

/** A FrameScorer around any NetworkRunner: normalisation, windowing, padding and upsampling. */
export class CrnnScorer implements FrameScorer {
  readonly classes: string[];
  readonly melBands: number;
  readonly frameSeconds: number;
  /** The window the network runs on (the model's own unless overridden). */
  readonly window: InferenceWindow;
  private readonly windows: WindowOptions;

  constructor(private readonly runner: NetworkRunner, readonly manifest: ModelManifest, options: Pick<ScorerOptions, 'windowSeconds' | 'contextSeconds' | 'batchWindows'> = {}) {
    this.classes = manifest.classes;
    this.melBands = manifest.features.melBands;
    this.frameSeconds = frameDuration(manifest.features);
    const own = manifest.inference ?? DEFAULT_INFERENCE_WINDOW;
    this.window = { windowSeconds: options.windowSeconds ?? own.windowSeconds, contextSeconds: options.contextSeconds ?? own.contextSeconds };
    this.windows = {
      ...windowFrames(this.window, this.frameSeconds),
      batchWindows: options.batchWindows ?? 8,
    };
  }

  get backend(): InferenceBackend {
    return this.runner.backend;
  }
  get description(): string {
    return this.runner.description;
  }

  private inference(): WindowedInference {
    return new WindowedInference(
      this.runner,
      { melBands: this.melBands, classes: this.classes.length, timePoolFactor: timePoolFactor(this.manifest.architecture), normalization: this.manifest.normalization },
      this.windows,
    );
  }

  async score(features: FeatureMatrix): Promise<Float32Array> {
    const w = this.inference();
    await w.push(features);
    return (await w.finish()).probs;
  }

  async scoreStream(chunks: AsyncIterable<FeatureMatrix> | Iterable<FeatureMatrix>): Promise<FrameProbabilities> {
    const w = this.inference();
    for await (const chunk of chunks) await w.push(chunk);
    return w.finish();
  }

  async dispose(): Promise<void> {
    await this.runner.dispose();
  }
}

/**
 * Opens the model in `modelDir` with the fastest backend available: onnxruntime-node when it loads
 * (using model.onnx, exported on the fly into a cache when missing or stale), else TensorFlow.js.
 * Logs which one runs.
 */
export async function createFrameScorer(modelDir: string, options: ScorerOptions = {}): Promise<CrnnScorer> {
  const log = options.log ?? (() => {});
  const { manifest, weights } = await readModelFiles(modelDir);
  const wanted = options.backend ?? 'auto';
  let runner: NetworkRunner | undefined;
  if (wanted !== 'tfjs') {
    const ort = await loadOrt();
    if ('error' in ort) {
      if (wanted === 'onnx') throw new Error(`--backend onnx: onnxruntime-node cannot be loaded: ${ort.error}`);
      log(`earmark: onnxruntime-node unavailable (${ort.error}); falling back to tfjs`);
    } else {
      const { path, exported } = await ensureOnnxModel(modelDir);
      if (exported) log(`earmark: exported ${existsSync(path) ? path : 'model.onnx'} for onnxruntime`);
      runner = await OnnxRunner.open(path, manifest.features.melBands, { threads: options.threads });
    }
  }
  runner ??= await TfjsRunner.open(manifest, weights, { tfBackend: options.tfBackend, log });
  log(`earmark: inference with ${runner.description}`);
  return new CrnnScorer(runner, manifest, options);
}
