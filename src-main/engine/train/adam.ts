import * as tf from '@tensorflow/tfjs';

export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const DEFAULT_ADAM: AdamConfig = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

/** Adam moments by weight name: plain state so a checkpoint can store and restore it exactly. */
export interface AdamState {
  step: number;
  m: Map<string, tf.Variable>;
  v: Map<string, tf.Variable>;
}

export function createAdamState(variables: Map<string, tf.Variable>): AdamState {
  const m = new Map<string, tf.Variable>();
  const v = new Map<string, tf.Variable>();
  // tf.variable shares the zeros' storage; the zeros' own handle must go, or it outlives the moments.
  const zerosLike = (variable: tf.Variable) => tf.tidy(() => tf.variable(tf.zerosLike(variable), false));
  for (const [name, variable] of variables) {
    if (!variable.trainable) continue;
    m.set(name, zerosLike(variable));
    v.set(name, zerosLike(variable));
  }
  return { step: 0, m, v };
}

/** One Adam update of `variables` with `grads` (by name). */
export function adamUpdate(state: AdamState, variables: Map<string, tf.Variable>, grads: Record<string, tf.Tensor>, config: AdamConfig = DEFAULT_ADAM): void {
  state.step += 1;
  const { beta1, beta2, epsilon } = config;
  const lr = (config.learningRate * Math.sqrt(1 - beta2 ** state.step)) / (1 - beta1 ** state.step);
  tf.tidy(() => {
    for (const [name, g] of Object.entries(grads)) {
      const m = state.m.get(name)!;
      const v = state.v.get(name)!;
      const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
      const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
      m.assign(m1);
      v.assign(v1);
      variables.get(name)!.assign(tf.sub(variables.get(name)!, tf.div(tf.mul(m1, lr), tf.add(tf.sqrt(v1), epsilon))));
    }
  });
}
