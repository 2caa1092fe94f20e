import type { BackendName } from '../model/backend';
import type { ModelManifest } from '../model/manifest';
import type { NetworkRunner } from './types';

/** The CRNN in TensorFlow.js (the model code's crnnForward), on the best tfjs backend available. */
export class TfjsRunner implements NetworkRunner {
  readonly backend = 'tfjs' as const;
  private constructor(
    private readonly tf: typeof import('@tensorflow/tfjs'),
    private readonly forward: typeof import('../model/crnn').crnnForward,
    private readonly weights: Map<string, import('@tensorflow/tfjs').Tensor>,
    private readonly manifest: ModelManifest,
    readonly description: string,
  ) {}

  static async open(manifest: ModelManifest, weights: Map<string, Float32Array>, options: { tfBackend?: BackendName; log?: (line: string) => void } = {}): Promise<TfjsRunner> {
    // Loaded lazily: tfjs takes a while to import and the ONNX path never needs it.
    const tf = await import('@tensorflow/tfjs');
    const { selectBackend } = await import('../model/backend');
    const { crnnForward } = await import('../model/crnn');
    const name = await selectBackend(options.tfBackend, options.log ?? (() => {}));
    const shapes = new Map(manifest.weights.map((w) => [w.name, w.shape]));
    const tensors = new Map([...weights].map(([n, data]) => [n, tf.tensor(data, shapes.get(n)!)]));
    return new TfjsRunner(tf, crnnForward, tensors, manifest, `tfjs ${tf.version.tfjs} (${name} backend)`);
  }

  async run(input: Float32Array, batch: number, frames: number): Promise<Float32Array> {
    const tf = this.tf;
    const probs = tf.tidy(() => {
      const x = tf.tensor3d(input, [batch, frames, this.manifest.features.melBands]);
      return tf.sigmoid(this.forward(this.weights, this.manifest.architecture, x, { training: false }).logits);
    });
    const data = (await probs.data()) as Float32Array;
    probs.dispose();
    return data;
  }

  async dispose(): Promise<void> {
    for (const t of this.weights.values()) t.dispose();
  }
}
