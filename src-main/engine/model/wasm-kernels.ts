import * as tf from '@tensorflow/tfjs';
import type { WasmHeapAccess } from './tensor-buffers';

interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * dW[kh, kw, ci, co] = sum over batch and output positions of x_padded[b, s*t + kh, s*f + kw, ci] * dy[b, t, f, co]:
 * one [ci, N] x [N, co] matmul per kernel tap (im2col by slicing).
 */
export function conv2dBackpropFilterFromOps(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: BackpropFilterAttrs): tf.Tensor4D {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm): only NHWC is supported, got ${attrs.dataFormat}`);
  const [kh, kw, cin, cout] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { top, bottom, left, right } = info.padInfo;
  return tf.tidy(() => {
    // Channels first so every tap's patch is a contiguous block of rows: columns^T is [kh*kw*cin, N] and the
    // product is a plain matmul (wasm's transposed-operand matmul is about 10x slower).
    const xp = tf.transpose(tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]), [3, 0, 1, 2]) as tf.Tensor4D;
    const n = dy.shape[0] * info.outHeight * info.outWidth;
    const patches: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const size: [number, number, number, number] = [cin, xp.shape[1], info.outHeight, info.outWidth];
        const unitStride = info.strideHeight === 1 && info.strideWidth === 1;
        patches.push(
          unitStride
            ? tf.slice(xp, [0, 0, i, j], size)
            : (tf.stridedSlice(xp, [0, 0, i, j], [cin, xp.shape[1], i + (info.outHeight - 1) * info.strideHeight + 1, j + (info.outWidth - 1) * info.strideWidth + 1], [1, 1, info.strideHeight, info.strideWidth]) as tf.Tensor4D),
        );
      }
    }
    const columnsT = tf.concat(patches, 0).reshape([kh * kw * cin, n]) as tf.Tensor2D;
    return tf.matMul(columnsT, dy.reshape([n, cout]) as tf.Tensor2D).reshape([kh, kw, cin, cout]) as tf.Tensor4D;
  });
}

let registered = false;

/** Registers the kernels that tfjs-backend-wasm lacks for training (Conv2DBackpropFilter). Idempotent. */
export function registerWasmTrainingKernels(): void {
  if (registered || tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    registered = true;
    return;
  }
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      // Copies rather than tensors sharing the inputs' data: wrapping them leaked two tensors per call
      // when the kernel ran inside a gradient.
      const read = (info: tf.TensorInfo) => tf.tensor4d((backend as unknown as tf.KernelBackend).readSync(info.dataId) as Float32Array, info.shape as [number, number, number, number]);
      const xt = read(x);
      const dyt = read(dy);
      const result = conv2dBackpropFilterFromOps(xt, dyt, attrs as unknown as BackpropFilterAttrs);
      // Copy into a backend-owned output so no intermediate tensor outlives the kernel.
      const wasm = backend as unknown as WasmHeapAccess;
      const out = wasm.makeOutput(result.shape, 'float32');
      wasm.typedArrayFromHeap(out).set(result.dataSync() as Float32Array);
      result.dispose();
      xt.dispose();
      dyt.dispose();
      return out;
    },
  });
  registered = true;
}
