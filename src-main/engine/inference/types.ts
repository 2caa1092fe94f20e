/** Log-mel frames, row-major [frames, bands] (same layout as the features module's output). */
export interface FeatureMatrix {
  data: Float32Array;
  frames: number;
  bands: number;
}

/** Frame probabilities, row-major [frames, classes]. */
export interface FrameProbabilities {
  probs: Float32Array;
  frames: number;
}

export type InferenceBackend = 'onnx' | 'tfjs';

/**
 * Runs the bare network on a batch of normalised, padded inputs.
 * input: [batch, frames, bands] with frames a multiple of the time pool factor;
 * returns [batch, frames / factor, classes] probabilities.
 */
export interface NetworkRunner {
  readonly backend: InferenceBackend;
  /** e.g. "onnxruntime-node 1.30.0 (cpu, 2 threads)". */
  readonly description: string;
  run(input: Float32Array, batch: number, frames: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** Log-mel in, frame probabilities out, for a file of any length. */
export interface FrameScorer {
  readonly backend: InferenceBackend;
  readonly description: string;
  readonly classes: string[];
  readonly melBands: number;
  /** Seconds per frame (the feature hop). */
  readonly frameSeconds: number;
  /** Whole matrix of raw (unnormalised) log-mel -> [frames, classes]. */
  score(features: FeatureMatrix): Promise<Float32Array>;
  /** Raw log-mel arriving in chunks (e.g. from a streaming extractor); memory stays bounded by the window. */
  scoreStream(chunks: AsyncIterable<FeatureMatrix> | Iterable<FeatureMatrix>): Promise<FrameProbabilities>;
  dispose(): Promise<void>;
}
