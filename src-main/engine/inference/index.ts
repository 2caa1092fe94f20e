export type { FeatureMatrix, FrameProbabilities, FrameScorer, InferenceBackend, NetworkRunner } from './types';
export { WindowedInference, type WindowModel, type WindowOptions } from './windowed';
export { CrnnScorer, createFrameScorer, type ScorerOptions } from './scorer';
export { OnnxRunner } from './onnx-runner';
export { TfjsRunner } from './tfjs-runner';
