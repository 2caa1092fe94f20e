import * as tf from '@tensorflow/tfjs';
import { bnReluPool } from '../src-main/engine/model/bn-relu-pool';
import { BN_EPSILON, conv2dSame, createRng, gruDirection, initCrnnWeights, isTrainableWeight, type CrnnWeights } from '../src-main/engine/model/crnn';
import type { CrnnConfig } from '../src-main/engine/model/manifest';
import { adamUpdate, createAdamState } from '../src-main/engine/train/adam';

/** Forward and backward seconds of one layer type over one training batch. */
export interface LayerTime {
  layer: string;
  forward: number;
  backward: number;
}

async function median(run: () => Promise<void>, repeats = 3): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    times.push((performance.now() - t0) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(repeats / 2)];
}

/** Times f's forward alone, and forward + gradient with respect to `wrt`; backward = the difference. */
async function forwardBackward(layer: string, f: (...xs: tf.Tensor[]) => tf.Tensor, wrt: tf.Tensor[]): Promise<LayerTime> {
  const forward = await median(async () => {
    const y = tf.tidy(() => tf.sum(f(...wrt)));
    await y.data();
    y.dispose();
  });
  const both = await median(async () => {
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(f(...xs)))(wrt);
    await Promise.all(grads.map((g) => g.data()));
    tf.dispose(grads);
  });
  return { layer, forward, backward: Math.max(0, both - forward) };
}

/**
 * Splits one CRNN training step into its layer types, each timed in isolation on tensors of the shapes it
 * sees in the step: conv (the three blocks' convolutions), batch norm, ReLU + max-pool, the recurrent layer
 * (both GRU directions), the dense output with the loss, and the Adam update.
 */
export async function profileTrainStep(config: CrnnConfig, batch: number, frames: number, bands: number, classes: number): Promise<LayerTime[]> {
  const rng = createRng(3);
  const weights: CrnnWeights = initCrnnWeights(config, { melBands: bands, classes }, 1);
  const random = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng() * 2 - 1), shape);
  const out: LayerTime[] = [];
  const inputs: tf.Tensor4D[] = [];
  let t = frames;
  let f = bands;
  let c = 1;
  for (const block of config.convBlocks) {
    inputs.push(random([batch, t, f, c]) as tf.Tensor4D);
    t /= block.poolTime;
    f = Math.floor(f / block.poolFreq);
    c = block.filters;
  }
  const sum = (times: LayerTime[], layer: string): LayerTime => ({ layer, forward: times.reduce((a, x) => a + x.forward, 0), backward: times.reduce((a, x) => a + x.backward, 0) });
  const convs: LayerTime[] = [];
  const norms: LayerTime[] = [];
  for (const [i, block] of config.convBlocks.entries()) {
    const kernel = weights.get(`conv${i}/kernel`)! as tf.Tensor4D;
    // The first block's input is data: like the train step, it takes no input gradient.
    convs.push(i === 0
      ? await forwardBackward('conv', (k) => conv2dSame(inputs[0], k as tf.Tensor4D, true, false), [kernel])
      : await forwardBackward('conv', (x, k) => conv2dSame(x as tf.Tensor4D, k as tf.Tensor4D, true), [inputs[i], kernel]));
    const convOut = random([batch, inputs[i].shape[1], inputs[i].shape[2], block.filters]) as tf.Tensor4D;
    norms.push(await forwardBackward('batch norm + relu + max-pool (fused)', (x, g, b) => bnReluPool(x as tf.Tensor4D, g, b, { poolTime: block.poolTime, poolFreq: block.poolFreq, epsilon: BN_EPSILON, collectStats: false }).y, [convOut, weights.get(`bn${i}/gamma`)!, weights.get(`bn${i}/beta`)!]));
    convOut.dispose();
  }
  out.push(sum(convs, 'conv (3x3, all blocks)'), sum(norms, 'batch norm + relu + max-pool (fused)'));
  const seq = random([batch, t, f * c]) as tf.Tensor3D;
  const gruNames = ['kernel', 'recurrent', 'bias', 'recurrent_bias'];
  const gruWeights = ['gru_fw', 'gru_bw'].flatMap((d) => gruNames.map((n) => weights.get(`${d}/${n}`)!));
  out.push(await forwardBackward(`GRU (2 directions x ${t} steps)`, (x, ...w) => {
    const named: CrnnWeights = new Map(['gru_fw', 'gru_bw'].flatMap((d, k) => gruNames.map((n, j) => [`${d}/${n}`, w[k * 4 + j]] as [string, tf.Tensor])));
    return tf.concat([gruDirection(x as tf.Tensor3D, named, 'gru_fw', config.gruUnits), gruDirection(tf.reverse(x, 1) as tf.Tensor3D, named, 'gru_bw', config.gruUnits)], 2);
  }, [seq, ...gruWeights]));
  const hidden = random([batch * t, 2 * config.gruUnits]);
  const targets = tf.tensor(Float32Array.from({ length: batch * t * classes }, () => (rng() < 0.2 ? 1 : 0)), [batch * t, classes]);
  out.push(await forwardBackward('dense + loss', (h, k, b) => tf.losses.sigmoidCrossEntropy(targets, tf.add(tf.matMul(h as tf.Tensor2D, k as tf.Tensor2D), b)), [hidden, weights.get('dense/kernel')!, weights.get('dense/bias')!]));
  const variables = new Map([...weights].map(([n, w]) => [n, tf.variable(w.clone(), isTrainableWeight(n))]));
  const adam = createAdamState(variables);
  const grads = Object.fromEntries([...variables].filter(([, v]) => v.trainable).map(([n, v]) => [n, tf.onesLike(v)]));
  out.push({ layer: 'Adam update', forward: await median(async () => { adamUpdate(adam, variables, grads); await variables.get('dense/bias')!.data(); }), backward: 0 });
  tf.dispose([...inputs, seq, hidden, targets, ...weights.values(), ...variables.values(), ...adam.m.values(), ...adam.v.values(), ...Object.values(grads)]);
  return out;
}
