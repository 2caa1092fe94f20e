import * as tf from '@tensorflow/tfjs';

/**
 * An exponential moving average of a model's weights (Polyak averaging), batch-norm statistics included.
 * Validation and the saved model use the average: single Adam iterates jump between epochs (validation ER
 * moved by ±0.05 from one epoch to the next), and their average generalises like a small ensemble at the
 * cost of one model.
 */
export class WeightAverage {
  readonly weights: Map<string, tf.Variable>;

  /**
   * `decay` per optimiser step. Early on the decay is min(decay, (1 + n) / (10 + n)) after n updates, so the
   * average is not held back by the initial weights (as TensorFlow's ExponentialMovingAverage with num_updates).
   */
  constructor(source: Map<string, tf.Tensor>, readonly decay: number, private updates = 0) {
    if (!(decay > 0 && decay < 1)) throw new Error(`weight average: decay must be in (0, 1), got ${decay}`);
    this.weights = new Map([...source].map(([name, t]) => [name, tf.variable(t, false)]));
  }

  get updateCount(): number {
    return this.updates;
  }

  /** Moves the average towards the current weights (after an optimiser step). */
  update(current: Map<string, tf.Tensor>): void {
    const d = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    this.updates++;
    tf.tidy(() => {
      for (const [name, avg] of this.weights) {
        const w = current.get(name);
        if (!w) throw new Error(`weight average: the model has no weight "${name}"`);
        avg.assign(tf.add(tf.mul(avg, d), tf.mul(w, 1 - d)));
      }
    });
  }

  /** Replaces the average (resuming from a checkpoint). */
  load(values: Map<string, Float32Array>): void {
    for (const [name, avg] of this.weights) {
      const v = values.get(name);
      if (!v || v.length !== avg.size) throw new Error(`weight average: the checkpoint has no values of the right size for "${name}"`);
      avg.assign(tf.tensor(v, avg.shape));
    }
  }

  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
  }
}
