// Child process for train.test.ts: trains on synthetic data for many epochs until killed.
import { selectBackend } from '../../src-main/engine/model/backend';
import { trainCrnn } from '../../src-main/engine/train/trainer';
import { syntheticSplit } from './train-synthetic';
import { TINY_ARCHITECTURE, TINY_FEATURES } from './train-tiny';

const outDir = process.argv[2];
await selectBackend('cpu', () => {});
const classes = ['a', 'b', 'c'];
await trainCrnn({
  dataDir: 'synthetic',
  outDir,
  classes,
  epochs: 1000,
  seed: 1,
  resume: false,
  batchSize: 4,
  cropSeconds: 1.28,
  patience: 1000,
  architecture: TINY_ARCHITECTURE,
  features: TINY_FEATURES,
  data: { train: syntheticSplit('train', 24, classes, 1), validation: syntheticSplit('validation', 8, classes, 2) },
  onEpoch: (r) => process.stdout.write(`epoch ${r.epoch}\n`),
});
