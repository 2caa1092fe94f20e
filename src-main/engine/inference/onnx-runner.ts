import { createOrtSession, loadOrt, type OrtModule } from '../onnx/runtime';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../onnx/crnn-graph';
import type { NetworkRunner } from './types';

export interface OnnxRunnerOptions {
  /** Intra-op threads; default: ORT's choice. */
  threads?: number;
  tryCuda?: boolean | 'auto';
}

/** The CRNN in onnxruntime-node. */
export class OnnxRunner implements NetworkRunner {
  readonly backend = 'onnx' as const;
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: import('onnxruntime-node').InferenceSession,
    private readonly melBands: number,
    readonly description: string,
  ) {}

  static async open(onnxPath: string, melBands: number, options: OnnxRunnerOptions = {}): Promise<OnnxRunner> {
    const ort = await loadOrt();
    if ('error' in ort) throw new Error(`onnxruntime-node cannot be loaded: ${ort.error}`);
    const { session, provider, fallbackReason } = await createOrtSession(ort, onnxPath, options);
    const threads = options.threads ? `, ${options.threads} thread${options.threads > 1 ? 's' : ''}` : '';
    const note = fallbackReason ? `; CUDA unavailable: ${fallbackReason}` : '';
    return new OnnxRunner(ort, session, melBands, `onnxruntime-node ${ort.env.versions?.common ?? ''} (${provider}${threads}${note})`.replace('  ', ' '));
  }

  async run(input: Float32Array, batch: number, frames: number): Promise<Float32Array> {
    const feeds = { [ONNX_INPUT_NAME]: new this.ort.Tensor('float32', input, [batch, frames, this.melBands]) };
    const out = await this.session.run(feeds);
    return out[ONNX_OUTPUT_NAME].data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
