import type { FeatureConfig } from '../features/config';

/**
 * The CRNN's shape. Architecture, fixed so that the tfjs model and the ONNX export agree:
 *  input  [batch, frames, melBands] of normalised log-mel ((x - mean[band]) / std[band]),
 *         frames zero-padded (after normalisation) to a multiple of timePoolFactor(config)
 *  for each conv block i: Conv2D 3x3 'same', no bias (weights `conv{i}/kernel` [3,3,cin,cout], NHWC with
 *         time as height and mel band as width) -> BatchNorm (`bn{i}/gamma|beta|mean|variance` [cout],
 *         epsilon 1e-3) -> ReLU -> MaxPool [poolTime, poolFreq] (stride = pool size, 'valid')
 *  reshape [batch, T', F', C] -> [batch, T', F' * C] (C fastest)
 *  bidirectional GRU, `gruUnits` per direction, h0 = 0, gates concatenated in order [z, r, n]:
 *         z = sigmoid(x Wz + bz + h Rz + rbz); r = sigmoid(x Wr + br + h Rr + rbr)
 *         n = tanh(x Wn + bn + r * (h Rn + rbn)); h' = (1 - z) * n + z * h   (ONNX linear_before_reset=1)
 *         weights `gru_fw/kernel` [in, 3H], `gru_fw/recurrent` [H, 3H], `gru_fw/bias` [3H],
 *         `gru_fw/recurrent_bias` [3H], and the same for `gru_bw` (run over reversed time, outputs re-reversed)
 *  concat [fw, bw] -> [batch, T', 2H] -> Dense (`dense/kernel` [2H, classes], `dense/bias` [classes]) -> sigmoid
 *  output frame probabilities at T' resolution; each step is repeated timePoolFactor times and the result
 *  truncated to the unpadded frame count.
 */
export interface CrnnConfig {
  convBlocks: { filters: number; poolTime: number; poolFreq: number }[];
  gruUnits: number;
  /** Training only. */
  dropout: number;
}

/** How frame probabilities become events; stored with each model, thresholds tuned on validation data. */
export interface PostprocessConfig {
  /** Per-class decision threshold, by class label. */
  thresholds: Record<string, number>;
  /** Median filter length over frames (odd, 1 = off). */
  medianFilterFrames: number;
  /** Per-class median filter lengths, by class label, overriding medianFilterFrames. */
  classMedianFilterFrames?: Record<string, number>;
  /** Per-class hysteresis, by class label: an event ends when the probability drops below threshold x release (0 < release <= 1; 1 or absent: off). */
  release?: Record<string, number>;
  /** Events shorter than this are dropped, seconds. */
  minEventSeconds: number;
  /** Events of the same class separated by less than this are merged, seconds. */
  mergeGapSeconds: number;
  /**
   * Per-class onset correction, seconds, by class label: detected onsets are moved this much earlier. The
   * network hears an event's quiet start later than its annotation begins; this calibrates that lag.
   */
  onsetShiftSeconds?: Record<string, number>;
  /** Per-class merge gaps, by class label, overriding mergeGapSeconds. */
  classMergeGapSeconds?: Record<string, number>;
  /** DCASE 2017 Task 2 style: keep at most the single most confident event per class per file. */
  oneEventPerFile: boolean;
}

export interface WeightEntry {
  name: string;
  shape: number[];
  /** Offset into weights.bin, in float32 elements (little endian). */
  offset: number;
}

/** `model.json` in a model directory; beside it `weights.bin`, and optionally `model.onnx`. */
/** Per mel band, the mean and standard deviation features are normalised with: (x - mean) / std. */
export interface BandNormalization {
  mean: number[];
  std: number[];
}

export interface ModelManifest {
  format: 'earmark-crnn';
  version: 1;
  classes: string[];
  features: FeatureConfig;
  normalization: BandNormalization;
  architecture: CrnnConfig;
  /**
   * Further networks on the same features, for an ensemble: the model's frame probabilities are the mean of
   * every member's (its own `architecture` first). The i-th one's weights are stored as `member{i}/<name>`.
   * Every member must pool time by the same factor. A member trained with other band statistics keeps them
   * in `normalization`; its input is re-normalised from the model's. Absent: one network.
   */
  ensemble?: { architecture: CrnnConfig; normalization?: BandNormalization }[];
  postprocess: PostprocessConfig;
  /**
   * How long recordings are cut for the network: windows of windowSeconds kept, each seen with contextSeconds
   * more on both sides. A model trained on short crops gets windows of about that length, so its recurrent
   * layer never runs far longer than it learned to. Absent: 30 s windows with 5 s of context.
   */
  inference?: InferenceWindow;
  weights: WeightEntry[];
  /** Free-form but typed summary of how the model was made. */
  training: {
    createdAt: string;
    data?: string;
    /** Corpus the training mixtures were drawn from on the fly, and the mixing settings. */
    corpus?: string;
    /** The corpus splits pooled into training, where more than the train split. */
    corpusSplits?: string[];
    mixing?: Record<string, unknown>;
    /** Event-free recordings the post-processing was held to a false-alarm budget on, and the budget per class and hour. */
    ambience?: string;
    falseAlarmsPerHour?: number;
    command?: string;
    epochs?: number;
    bestEpoch?: number;
    seed?: number;
    trainFiles?: number;
    validationFiles?: number;
    scores?: Record<string, number>;
    parent?: string;
    /** For an ensemble: the trained models it was combined from, in order; `networks`: which of each model's networks it took (1-based; absent: all). */
    members?: { dir: string; networks?: number[]; command?: string; bestEpoch?: number; seed?: number; corpusSplits?: string[] }[];
  };
}

export interface InferenceWindow {
  windowSeconds: number;
  contextSeconds: number;
}

export const DEFAULT_INFERENCE_WINDOW: InferenceWindow = { windowSeconds: 30, contextSeconds: 5 };

/** The window a model trained on crops of `cropSeconds` is run with: three quarters kept, an eighth of context each side. */
export function windowForCrop(cropSeconds: number): InferenceWindow {
  return { windowSeconds: cropSeconds * 0.75, contextSeconds: cropSeconds * 0.125 };
}

export function timePoolFactor(config: CrnnConfig): number {
  return config.convBlocks.reduce((p, b) => p * b.poolTime, 1);
}
