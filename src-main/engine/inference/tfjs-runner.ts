import type { BackendName } from '../model/backend';
import type { ModelManifest } from '../model/manifest';
import type { NetworkRunner } from './types';

/** The CRNN (or the mean of an ensemble's) in TensorFlow.js, on the best tfjs backend available. */
export class TfjsRunner implements NetworkRunner {
  readonly backend = 'tfjs' as const;
  private constructor(
    private readonly tf: typeof import('@tensorflow/tfjs'),
    private readonly forward: typeof import('../model/ensemble-forward').ensembleProbabilities,
    private readonly weights: Map<string, import('@tensorflow/tfjs').Tensor>,
    private readonly manifest: ModelManifest,
    readonly description: string,
  ) {}

  static async open(manifest: ModelManifest, weights: Map<string, Float32Array>, options: { tfBackend?: BackendName; log?: (line: string) => void } = {}): Promise<TfjsRunner> {
    // Loaded lazily: tfjs takes a while to import and the ONNX path never needs it.
    const tf = await import('@tensorflow/tfjs');
    const { selectBackend } = await import('../model/backend');
    const { ensembleProbabilities } = await import('../model/ensemble-forward');
    const name = await selectBackend(options.tfBackend, options.log ?? (() => {}));
    const shapes = new Map(manifest.weights.map((w) => [w.name, w.shape]));
    const tensors = new Map([...weights].map(([n, data]) => [n, tf.tensor(data, shapes.get(n)!)]));
    return new TfjsRunner(tf, ensembleProbabilities, tensors, manifest, `tfjs ${tf.version.tfjs} (${name} backend)`);
  }

  async run(input: Float32Array, batch: number, frames: number): Promise<Float32Array> {
    const tf = this.tf;
    const probs = tf.tidy(() => {
      const x = tf.tensor3d(input, [batch, frames, this.manifest.features.melBands]);
      return this.forward(this.weights, this.manifest, this.manifest.classes.length, x);
    });
    const data = (await probs.data()) as Float32Array;
    probs.dispose();
    return data;
  }

  async dispose(): Promise<void> {
    for (const t of this.weights.values()) t.dispose();
  }
}
