import type { ModelRow } from '../engine/store';

/** One predicted event, seconds from the start of the file. */
export interface DetectedEvent {
  label: string;
  onset: number;
  offset: number;
  confidence: number | null;
}

/** What the service needs from the detection engine: one file in, events out. */
export interface Detector {
  /** e.g. 'onnxruntime-node (cpu)'; shown by app.info. */
  readonly backend: string;
  /** `onWarning` hears problems that did not stop detection (e.g. non-finite samples replaced by silence). */
  detect(file: string, signal: AbortSignal, onWarning?: (message: string) => void): Promise<DetectedEvent[]>;
  dispose(): Promise<void>;
}

/** Builds a detector for a model row (its dirPath holds model.json and the weights). */
export type DetectorFactory = (model: ModelRow) => Promise<Detector>;
