import * as tf from '@tensorflow/tfjs';

/** The wasm backend's own buffer access (not in tfjs's public types). */
export interface WasmHeapAccess {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

function wasmHeap(): WasmHeapAccess | undefined {
  const backend = tf.backend() as unknown as Partial<WasmHeapAccess>;
  return tf.getBackend() === 'wasm' && typeof backend.makeOutput === 'function' && typeof backend.typedArrayFromHeap === 'function' ? (backend as WasmHeapAccess) : undefined;
}

/**
 * A float32 tensor's values for reading. On wasm this is a view of the backend's memory, not a copy: it is only
 * valid until the next tensor allocation, so take it after creating outputs and do not keep it.
 */
export function readValues(t: tf.Tensor): Float32Array {
  const heap = wasmHeap();
  if (heap && t.dtype === 'float32') return heap.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
  return t.dataSync() as Float32Array;
}

/**
 * A new float32 tensor whose values `fill` writes in place. On wasm `fill` writes straight into backend memory, so
 * neither side is copied; read the inputs inside `fill` (readValues) so their views are taken after the allocation.
 */
export function computeTensor(shape: number[], fill: (out: Float32Array) => void): tf.Tensor {
  const heap = wasmHeap();
  if (!heap) {
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    fill(out);
    return tf.tensor(out, shape, 'float32');
  }
  const info = heap.makeOutput(shape, 'float32');
  fill(heap.typedArrayFromHeap(info));
  return tf.engine().makeTensorFromTensorInfo(info);
}
