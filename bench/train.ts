import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { BenchRow, BenchSection } from './lib';
import { selectBackend, type BackendName } from '../src-main/engine/model/backend';
import { crnnForward, createRng, initCrnnWeights, isTrainableWeight } from '../src-main/engine/model/crnn';
import { timePoolFactor, type CrnnConfig } from '../src-main/engine/model/manifest';
import { createAdamState, DEFAULT_ADAM } from '../src-main/engine/train/adam';
import { GradientPool } from '../src-main/engine/train/gradient-pool';
import { DEFAULT_CRNN_CONFIG, sizedCrnnConfig } from '../src-main/engine/train/trainer';
import { profileTrainStep } from './train-profile';

const BATCH = 12;
const CROP_FRAMES = 512; // 10.24 s at a 20 ms hop: the crop the 0.94 s baseline step was measured with
const MEL_BANDS = 64;
const CLASSES = 3;
const LARGE = sizedCrnnConfig([64, 64, 64], 64);

/** Median seconds of one Adam step of the trainer's own path (data-parallel shards on `threads` threads). */
async function stepSeconds(config: CrnnConfig, threads: number, backend: BackendName): Promise<number> {
  const variables = new Map([...initCrnnWeights(config, { melBands: MEL_BANDS, classes: CLASSES }, 1)].map(([n, t]) => [n, tf.variable(t, isTrainableWeight(n))]));
  const adam = createAdamState(variables);
  const rng = createRng(1);
  const steps = CROP_FRAMES / timePoolFactor(config);
  const batch = {
    inputs: Float32Array.from({ length: BATCH * CROP_FRAMES * MEL_BANDS }, () => rng() * 2 - 1),
    targets: Float32Array.from({ length: BATCH * steps * CLASSES }, () => (rng() < 0.2 ? 1 : 0)),
  };
  const pool = await GradientPool.start(threads, backend, config);
  const shape = { frames: CROP_FRAMES, bands: MEL_BANDS, steps, classes: CLASSES };
  const seeds = Array.from({ length: threads }, (_, i) => i + 1);
  const step = () => pool.adamStep(variables, batch, BATCH, shape, seeds, adam, DEFAULT_ADAM);
  try {
    await step();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await step();
      times.push((performance.now() - t0) / 1000);
    }
    return times.sort((a, b) => a - b)[2];
  } finally {
    await pool.close();
    tf.dispose([...variables.values(), ...adam.m.values(), ...adam.v.values()]);
  }
}

/**
 * Training speed: the step of the default CRNN (forward, backward, Adam) on one thread and data-parallel on
 * every core, a larger CRNN, the step split by layer type, and the validation forward pass.
 */
export const trainStepSection: BenchSection = {
  name: 'train-step',
  async run(): Promise<BenchRow[]> {
    const backend = (await selectBackend(undefined, () => {})) as BackendName;
    const section = 'train-step';
    const audio = BATCH * CROP_FRAMES * 0.02;
    const rows: BenchRow[] = [];
    const cores = Math.min(4, availableParallelism());
    const single = await stepSeconds(DEFAULT_CRNN_CONFIG, 1, backend);
    const notes = `tfjs ${backend}, batch ${BATCH} x ${CROP_FRAMES} frames, default CRNN`;
    rows.push({ section, metric: 'train step, 1 thread (median of 5)', value: single, unit: 's', notes });
    rows.push({ section, metric: 'train throughput, 1 thread', value: audio / single, unit: 'audio s/s', notes: 'baseline before data-parallel training: 131 audio s/s (0.94 s per step)' });
    if (cores > 1) {
      const parallel = await stepSeconds(DEFAULT_CRNN_CONFIG, cores, backend);
      rows.push({ section, metric: `train step, ${cores} threads`, value: parallel, unit: 's', notes: `${notes}; batch split into ${cores} shards (what \`earmark train\` uses)` });
      rows.push({ section, metric: `train throughput, ${cores} threads`, value: audio / parallel, unit: 'audio s/s', target: '>= 520' });
    }
    const large = await stepSeconds(LARGE, cores, backend);
    rows.push({ section, metric: `train throughput, 64 filters / GRU 64, ${cores} threads`, value: audio / large, unit: 'audio s/s', target: '>= 131' });
    for (const layer of await profileTrainStep(DEFAULT_CRNN_CONFIG, BATCH, CROP_FRAMES, MEL_BANDS, CLASSES)) {
      rows.push({ section, metric: `profile: ${layer.layer} forward`, value: layer.forward, unit: 's', notes: 'one thread, one batch, timed in isolation' });
      if (layer.backward > 0) rows.push({ section, metric: `profile: ${layer.layer} backward`, value: layer.backward, unit: 's' });
    }
    const variables = initCrnnWeights(DEFAULT_CRNN_CONFIG, { melBands: MEL_BANDS, classes: CLASSES }, 1);
    const fileInput = tf.zeros([8, 1504, MEL_BANDS]) as tf.Tensor3D;
    const t0 = performance.now();
    const p = tf.tidy(() => crnnForward(variables, DEFAULT_CRNN_CONFIG, fileInput, { training: false }).logits);
    await p.data();
    rows.push({ section, metric: 'validation forward, 8 x 30 s', value: (performance.now() - t0) / 1000, unit: 's', notes: `tfjs ${backend}` });
    tf.dispose([p, fileInput, ...variables.values()]);
    return rows;
  },
};
