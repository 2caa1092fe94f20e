/** One sound event in one file. Times are seconds from the start of the file. */
export interface SoundEvent {
  filename: string;
  onset: number;
  offset: number;
  label: string;
  /** Detector confidence in [0, 1]; absent for human annotations. */
  confidence?: number;
  /** Frequency band of the event in Hz (Audacity spectral labels, Raven selections); absent when unknown. */
  lowFrequency?: number;
  highFrequency?: number;
}

/**
 * A set of annotations: the events, plus every file that was annotated, including files
 * with no event (DCASE 2017 Task 2 lists such a file by its name alone).
 */
export interface AnnotationSet {
  files: string[];
  events: SoundEvent[];
}
