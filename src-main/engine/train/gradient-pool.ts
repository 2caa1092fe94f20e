import type { Worker } from 'node:worker_threads';
import type { BackendName } from '../model/backend';
import type { CrnnConfig } from '../model/manifest';
import { startEngineWorker } from '../workers/entry';
import type { GradientReply, GradientRequest } from './gradient-worker';
import * as tf from '@tensorflow/tfjs';
import { adamUpdate, type AdamConfig, type AdamState } from './adam';
import { combineShards, shardGradients, splitBatch, type GradientShard, type ShardGradients } from './gradients';

/**
 * Data-parallel gradients on one machine: the wasm backend runs one thread in Node, so each step's batch is
 * split into shards, the calling thread computes the first while worker threads compute the others, each
 * with the same weights. Threads = 1 computes everything in the calling thread, without workers.
 */
export class GradientPool {
  private constructor(private readonly workers: Worker[], private readonly architecture: CrnnConfig) {}

  /**
   * `threads` - 1 workers on `backend`, once every worker has its backend running. Where workers cannot start
   * (e.g. a host that cannot launch engine workers from this thread), the pool runs on the calling thread
   * alone and `log` says why: slower, never a failed training.
   */
  static async start(threads: number, backend: BackendName, architecture: CrnnConfig, log: (line: string) => void = () => {}): Promise<GradientPool> {
    const workers: Worker[] = [];
    try {
      for (let i = 1; i < threads; i++) workers.push(startEngineWorker('gradient-worker', { backend, architecture }));
      await Promise.all(workers.map((w) => nextReply(w).then((r) => {
        if (r.type !== 'ready') throw new Error(r.type === 'error' ? r.message : r.type);
      })));
      return new GradientPool(workers, architecture);
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      log(`training on 1 thread: gradient workers did not start (${(error as Error).message})`);
      return new GradientPool([], architecture);
    }
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Gradients of every shard (at most `threads` of them), in shard order. */
  async gradients(variables: Map<string, tf.Variable>, shards: GradientShard[]): Promise<ShardGradients[]> {
    if (shards.length > this.threads) throw new Error(`${shards.length} shards for ${this.threads} threads`);
    const rest = shards.slice(1);
    let weights: GradientRequest['weights'] | undefined;
    if (rest.length > 0) {
      weights = {};
      for (const [name, v] of variables) weights[name] = { data: v.dataSync() as Float32Array, shape: v.shape, trainable: v.trainable };
    }
    const pending = rest.map((shard, i) => {
      const reply = nextReply(this.workers[i]);
      this.workers[i].postMessage({ type: 'step', weights: weights!, shard } satisfies GradientRequest);
      return reply;
    });
    const own = shardGradients(variables, this.architecture, shards[0]);
    const others = await Promise.all(pending);
    return [own, ...others.map((r) => {
      if (r.type !== 'result') throw new Error(`training worker: ${r.type === 'error' ? r.message : 'unexpected reply'}`);
      return r.result;
    })];
  }

  /**
   * One Adam step on a batch of `size` crops: split into a shard per thread (dropout seeds in shard order),
   * gradients combined as the whole batch's, applied to the trainable variables. Returns the combined
   * loss and batch statistics.
   */
  async adamStep(variables: Map<string, tf.Variable>, batch: { inputs: Float32Array; targets: Float32Array; lossWeights?: Float32Array }, size: number, shape: Omit<GradientShard, 'inputs' | 'targets' | 'size' | 'dropoutSeed'>, dropoutSeeds: number[], adam: AdamState, config: AdamConfig): Promise<ShardGradients> {
    const step = combineShards(await this.gradients(variables, splitBatch(batch, size, shape, this.threads, dropoutSeeds)));
    tf.tidy(() => {
      const grads = Object.fromEntries([...variables].filter(([, v]) => v.trainable).map(([name, v]) => [name, tf.tensor(step.grads[name], v.shape)]));
      adamUpdate(adam, variables, grads, config);
    });
    return step;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function nextReply(worker: Worker): Promise<GradientReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: GradientReply) => {
      cleanup();
      resolve(msg);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new Error(`training worker crashed: ${error.message}`));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`training worker exited (code ${code})`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
