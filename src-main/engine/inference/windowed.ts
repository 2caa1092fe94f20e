import type { BandNormalization, InferenceWindow } from '../model/manifest';
import type { FeatureMatrix, FrameProbabilities, NetworkRunner } from './types';

/** Frames kept per window and frames of context each side. */
export interface WindowFrames {
  /** Frames each window keeps (its core); rounded down to a multiple of the time pool factor. */
  coreFrames: number;
  /** Frames of context on each side of the core, run through the network and discarded. */
  contextFrames: number;
}

/** A window setting in frames (undefined stays undefined: whole files, where a caller allows that). */
export function windowFrames(window: InferenceWindow, frameSeconds: number): WindowFrames;
export function windowFrames(window: InferenceWindow | undefined, frameSeconds: number): WindowFrames | undefined;
export function windowFrames(window: InferenceWindow | undefined, frameSeconds: number): WindowFrames | undefined {
  return window && { coreFrames: Math.round(window.windowSeconds / frameSeconds), contextFrames: Math.round(window.contextSeconds / frameSeconds) };
}

export interface WindowOptions extends WindowFrames {
  /** Windows of equal length run together in one batch. */
  batchWindows: number;
}

export interface WindowModel {
  melBands: number;
  classes: number;
  timePoolFactor: number;
  normalization: BandNormalization;
}

/** Growable row-major float matrix. */
class Rows {
  data: Float32Array;
  rows = 0;
  constructor(readonly width: number, capacity = 1024) {
    this.data = new Float32Array(capacity * width);
  }
  reserve(rows: number): void {
    if (rows * this.width <= this.data.length) return;
    const grown = new Float32Array(Math.max(rows, 2 * this.data.length / this.width) * this.width);
    grown.set(this.data.subarray(0, this.rows * this.width));
    this.data = grown;
  }
}

/**
 * Frame probabilities of a long file computed in overlapping windows.
 *
 * Window k keeps the core frames [kS, (k+1)S) and sees [kS - C, (k+1)S + C) clipped to the file,
 * so every kept frame has C frames of context on both sides except at the file's own edges, where
 * the network sees exactly what it sees on the whole file. S and C are multiples of the time pool
 * factor, so pooled steps line up with those of a whole-file pass. Stitching the cores gives a
 * seamless output; it equals the whole-file output up to the recurrent state's memory beyond C.
 *
 * Features are normalised on arrival; frames no window needs any more are dropped, so memory is
 * bounded by the window size whatever the file length.
 */
export class WindowedInference {
  private readonly S: number;
  private readonly C: number;
  private readonly factor: number;
  private readonly bands: number;
  private readonly classes: number;
  private readonly mean: Float32Array;
  private readonly invStd: Float32Array;
  /** Normalised features; buffer row 0 is file frame bufferStart. */
  private buffer: Rows;
  private bufferStart = 0;
  private received = 0;
  private nextWindow = 0;
  private readonly out: Rows;

  constructor(private readonly runner: NetworkRunner, private readonly model: WindowModel, private readonly options: WindowOptions) {
    this.factor = model.timePoolFactor;
    this.S = Math.max(this.factor, Math.floor(options.coreFrames / this.factor) * this.factor);
    this.C = Math.ceil(Math.max(0, options.contextFrames) / this.factor) * this.factor;
    this.bands = model.melBands;
    this.classes = model.classes;
    this.mean = Float32Array.from(model.normalization.mean);
    this.invStd = Float32Array.from(model.normalization.std, (s) => 1 / s);
    if (this.mean.length !== this.bands || this.invStd.length !== this.bands) {
      throw new Error(`normalization has ${this.mean.length} means / ${this.invStd.length} stds for ${this.bands} mel bands`);
    }
    this.buffer = new Rows(this.bands, this.S + 2 * this.C);
    this.out = new Rows(this.classes, this.S);
  }

  /** Adds raw log-mel frames; runs every window whose input is complete. */
  async push(chunk: FeatureMatrix): Promise<void> {
    if (chunk.bands !== this.bands) throw new Error(`features have ${chunk.bands} mel bands, the model expects ${this.bands}`);
    const b = this.buffer;
    const row0 = this.received - this.bufferStart;
    b.reserve(row0 + chunk.frames);
    const dst = b.data;
    const src = chunk.data;
    for (let t = 0; t < chunk.frames; t++) {
      const o = (row0 + t) * this.bands;
      const i = t * this.bands;
      for (let k = 0; k < this.bands; k++) dst[o + k] = (src[i + k] - this.mean[k]) * this.invStd[k];
    }
    b.rows = row0 + chunk.frames;
    this.received += chunk.frames;
    await this.runReady(false);
  }

  /** Runs the remaining windows; returns the probabilities of every frame pushed. */
  async finish(): Promise<FrameProbabilities> {
    await this.runReady(true);
    return { probs: this.out.data.slice(0, this.received * this.classes), frames: this.received };
  }

  private async runReady(ended: boolean): Promise<void> {
    const { S, C } = this;
    const ready: { start: number; end: number; coreStart: number; coreEnd: number }[] = [];
    for (let k = this.nextWindow; k * S < this.received; k++) {
      const coreStart = k * S;
      const want = (k + 1) * S + C;
      if (!ended && this.received < want) break;
      ready.push({ start: Math.max(0, coreStart - C), end: Math.min(this.received, want), coreStart, coreEnd: Math.min(this.received, coreStart + S) });
    }
    if (ready.length === 0) return;
    this.nextWindow += ready.length;
    // Batch consecutive windows of equal input length (all but the first and last usually are).
    for (let i = 0; i < ready.length; ) {
      const len = ready[i].end - ready[i].start;
      let j = i + 1;
      while (j < ready.length && j - i < this.options.batchWindows && ready[j].end - ready[j].start === len) j++;
      await this.runBatch(ready.slice(i, j));
      i = j;
    }
    // Keep only what the next window needs.
    const keepFrom = Math.max(0, this.nextWindow * S - C);
    const drop = keepFrom - this.bufferStart;
    if (drop > 0) {
      const b = this.buffer;
      b.data.copyWithin(0, drop * this.bands, b.rows * this.bands);
      b.rows -= drop;
      this.bufferStart = keepFrom;
    }
  }

  private async runBatch(windows: { start: number; end: number; coreStart: number; coreEnd: number }[]): Promise<void> {
    const len = windows[0].end - windows[0].start;
    const padded = Math.ceil(len / this.factor) * this.factor;
    const input = new Float32Array(windows.length * padded * this.bands);
    windows.forEach((w, i) => {
      const from = (w.start - this.bufferStart) * this.bands;
      input.set(this.buffer.data.subarray(from, from + len * this.bands), i * padded * this.bands);
    });
    const steps = padded / this.factor;
    const probs = await this.runner.run(input, windows.length, padded);
    if (probs.length !== windows.length * steps * this.classes) {
      throw new Error(`network returned ${probs.length} values, expected ${windows.length} x ${steps} x ${this.classes}`);
    }
    const out = this.out;
    for (const [i, w] of windows.entries()) {
      out.reserve(w.coreEnd);
      for (let g = w.coreStart; g < w.coreEnd; g++) {
        const step = Math.floor((g - w.start) / this.factor);
        const src = (i * steps + step) * this.classes;
        out.data.set(probs.subarray(src, src + this.classes), g * this.classes);
      }
      out.rows = Math.max(out.rows, w.coreEnd);
    }
  }
}
