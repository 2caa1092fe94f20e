import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../model/backend';
import type { CrnnConfig } from '../model/manifest';
import { shardGradients, type GradientShard, type ShardGradients } from './gradients';

/** Messages of the data-parallel training worker (see gradient-pool.ts). */
export type GradientRequest = { type: 'step'; weights: Record<string, { data: Float32Array; shape: number[]; trainable: boolean }>; shard: GradientShard };
export type GradientReply = { type: 'ready' } | { type: 'result'; result: ShardGradients } | { type: 'error'; message: string };

// Computes one shard's gradients per request, with the weights sent along (they change every step).
if (parentPort) {
  const port = parentPort;
  const { backend, architecture } = workerData as { backend: BackendName; architecture: CrnnConfig };
  const variables = new Map<string, tf.Variable>();
  try {
    await selectBackend(backend, () => {});
    port.postMessage({ type: 'ready' } satisfies GradientReply);
  } catch (error) {
    port.postMessage({ type: 'error', message: (error as Error).message } satisfies GradientReply);
  }
  port.on('message', (msg: GradientRequest) => {
    try {
      for (const [name, { data, shape, trainable }] of Object.entries(msg.weights)) {
        const value = tf.tensor(data, shape);
        const existing = variables.get(name);
        if (existing) {
          existing.assign(value);
          existing.trainable = trainable;
        } else variables.set(name, tf.variable(value, trainable));
        value.dispose();
      }
      const result = shardGradients(variables, architecture, msg.shard);
      port.postMessage({ type: 'result', result } satisfies GradientReply);
    } catch (error) {
      port.postMessage({ type: 'error', message: (error as Error).message } satisfies GradientReply);
    }
  });
}
