import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

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
    const xp = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    const n = dy.shape[0] * info.outHeight * info.outWidth;
    const dy2 = dy.reshape([n, cout]);
    const taps: tf.Tensor2D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const end: [number, number, number, number] = [xp.shape[0], i + (info.outHeight - 1) * info.strideHeight + 1, j + (info.outWidth - 1) * info.strideWidth + 1, cin];
        const patch = tf.stridedSlice(xp, [0, i, j, 0], end, [1, info.strideHeight, info.strideWidth, 1]) as tf.Tensor4D;
        taps.push(tf.matMul(patch.reshape([n, cin]), dy2, true, false));
      }
    }
    return tf.stack(taps).reshape([kh, kw, cin, cout]) as tf.Tensor4D;
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
      const engine = tf.engine();
      const xt = engine.makeTensorFromTensorInfo(x) as tf.Tensor4D;
      const dyt = engine.makeTensorFromTensorInfo(dy) as tf.Tensor4D;
      const result = conv2dBackpropFilterFromOps(xt, dyt, attrs as unknown as BackpropFilterAttrs);
      // Copy into a backend-owned output so no intermediate tensor outlives the kernel.
      const wasm = backend as unknown as WasmBackendLike;
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
