import * as tf from '@tensorflow/tfjs';
import type { BenchRow, BenchSection } from './lib';
import { selectBackend } from '../src-main/engine/model/backend';
import { crnnForward, createRng, initCrnnWeights, isTrainableWeight } from '../src-main/engine/model/crnn';
import { timePoolFactor } from '../src-main/engine/model/manifest';
import { adamUpdate, createAdamState } from '../src-main/engine/train/adam';
import { DEFAULT_CRNN_CONFIG } from '../src-main/engine/train/trainer';

const BATCH = 12;
const CROP_FRAMES = 512; // 10.24 s at a 20 ms hop, the default `earmark train --crop`
const MEL_BANDS = 64;
const CLASSES = 3;

/** Train step (forward, backward, Adam) and validation forward time of the default CRNN on the chosen tfjs backend. */
export const trainStepSection: BenchSection = {
  name: 'train-step',
  async run(): Promise<BenchRow[]> {
    const backend = await selectBackend(undefined, () => {});
    const config = DEFAULT_CRNN_CONFIG;
    const variables = new Map([...initCrnnWeights(config, { melBands: MEL_BANDS, classes: CLASSES }, 1)].map(([n, t]) => [n, tf.variable(t, isTrainableWeight(n))]));
    const trainable = [...variables].filter(([, v]) => v.trainable);
    const adam = createAdamState(variables);
    const rng = createRng(1);
    const x = tf.tensor3d(Float32Array.from({ length: BATCH * CROP_FRAMES * MEL_BANDS }, () => rng() * 2 - 1), [BATCH, CROP_FRAMES, MEL_BANDS]);
    const y = tf.tensor3d(Float32Array.from({ length: (BATCH * CROP_FRAMES * CLASSES) / timePoolFactor(config) }, () => (rng() < 0.2 ? 1 : 0)), [BATCH, CROP_FRAMES / timePoolFactor(config), CLASSES]);
    const step = async () => {
      const { value, grads } = tf.variableGrads(
        () => tf.losses.sigmoidCrossEntropy(y, crnnForward(variables, config, x, { training: true, dropout: config.dropout, rng, collectBatchStats: true }).logits) as tf.Scalar,
        trainable.map(([, v]) => v),
      );
      adamUpdate(adam, variables, Object.fromEntries(trainable.map(([n, v]) => [n, grads[v.name]])));
      tf.dispose(Object.values(grads));
      await value.data();
      value.dispose();
    };
    await step();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await step();
      times.push((performance.now() - t0) / 1000);
    }
    times.sort((a, b) => a - b);
    const median = times[2];
    const fileInput = tf.zeros([8, 1504, MEL_BANDS]) as tf.Tensor3D;
    const t0 = performance.now();
    const p = tf.tidy(() => crnnForward(variables, config, fileInput, { training: false }).logits);
    await p.data();
    const forward = (performance.now() - t0) / 1000;
    tf.dispose([p, fileInput, x, y, ...variables.values(), ...adam.m.values(), ...adam.v.values()]);
    const notes = `tfjs ${backend}, batch ${BATCH} x ${CROP_FRAMES} frames, default CRNN`;
    return [
      { section: 'train-step', metric: 'train step (median of 5)', value: median, unit: 's', notes },
      { section: 'train-step', metric: 'train throughput', value: (BATCH * CROP_FRAMES * 0.02) / median, unit: 'audio s/s', notes },
      { section: 'train-step', metric: 'validation forward, 8 x 30 s', value: forward, unit: 's', notes: `tfjs ${backend}` },
    ];
  },
};
