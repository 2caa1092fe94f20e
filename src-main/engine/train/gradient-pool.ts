import type { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../model/backend';
import type { CrnnConfig } from '../model/manifest';
import { startEngineWorker } from '../workers/entry';
import type { GradientReply, GradientRequest } from './gradient-worker';
import { shardGradients, type GradientShard, type ShardGradients } from './gradients';

/**
 * Data-parallel gradients on one machine: the wasm backend runs one thread in Node, so each step's batch is
 * split into shards, the calling thread computes the first while worker threads compute the others, each
 * with the same weights. Threads = 1 computes everything in the calling thread, without workers.
 */
export class GradientPool {
  private constructor(private readonly workers: Worker[], private readonly architecture: CrnnConfig) {}

  /** `threads` - 1 workers on `backend`; resolves once every worker has its backend running. */
  static async start(threads: number, backend: BackendName, architecture: CrnnConfig): Promise<GradientPool> {
    const workers = Array.from({ length: Math.max(0, threads - 1) }, () => startEngineWorker('gradient-worker', { backend, architecture }));
    try {
      await Promise.all(workers.map((w) => nextReply(w).then((r) => {
        if (r.type !== 'ready') throw new Error(`training worker failed to start: ${r.type === 'error' ? r.message : r.type}`);
      })));
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    return new GradientPool(workers, architecture);
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
      for (const [name, v] of variables) weights[name] = { data: v.dataSync() as Float32Array, shape: v.shape };
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
