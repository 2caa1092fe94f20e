import { modelMembers, type EnsembleMember } from '../model/ensemble';
import { timePoolFactor, type ModelManifest } from '../model/manifest';
import { ONNX_FLOAT, ONNX_INT64, encodeOnnxModel, type OnnxGraph, type OnnxInitializer, type OnnxNode } from './graph';

/** Opset 14: GRU with linear_before_reset, BatchNormalization-14, Reshape with allowzero; ORT 1.30 runs up to 23. */
export const CRNN_ONNX_OPSET = 14;
export const ONNX_INPUT_NAME = 'features';
export const ONNX_OUTPUT_NAME = 'probabilities';
const BN_EPSILON = 1e-3;

function get(weights: Map<string, Float32Array>, name: string, size: number): Float32Array {
  const w = weights.get(name);
  if (!w) throw new Error(`weight "${name}" is missing`);
  if (w.length !== size) throw new Error(`weight "${name}" has ${w.length} values, expected ${size}`);
  return w;
}

/** [rows, cols] row-major -> [cols, rows]. */
function transpose2d(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}

/** Conv kernel [kh, kw, cin, cout] (tfjs HWIO) -> [cout, cin, kh, kw] (ONNX OIHW). */
function hwioToOihw(k: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = k[((y * kw + x) * cin + i) * cout + o];
  return out;
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

interface GraphBuilder {
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
}

/**
 * Appends one CRNN of manifest.ts to the graph, every node and initializer name prefixed with `prefix` and
 * its weights read as `prefix + name`; returns the name of its probabilities [batch, steps, classes].
 */
function addCrnn(graph: GraphBuilder, member: EnsembleMember, weights: Map<string, Float32Array>, melBands: number, classes: number): string {
  const { architecture: arch, prefix } = member;
  const { nodes, initializers } = graph;
  const float = (name: string, dims: number[], data: Float32Array) => {
    initializers.push({ name: prefix + name, dims, dataType: ONNX_FLOAT, data });
    return prefix + name;
  };
  const int64 = (name: string, values: number[]) => {
    initializers.push({ name: prefix + name, dims: [values.length], dataType: ONNX_INT64, data: BigInt64Array.from(values.map(BigInt)) });
    return prefix + name;
  };
  const node = (opType: string, inputs: string[], output: string, attributes?: OnnxNode['attributes']) => {
    nodes.push({ opType, inputs, outputs: [prefix + output], name: prefix + output, attributes });
    return prefix + output;
  };
  const weight = (name: string, size: number) => get(weights, prefix + name, size);

  let features = ONNX_INPUT_NAME;
  if (member.input) {
    features = node('Mul', [features, float('renorm/scale', [melBands], member.input.scale)], 'renorm_scaled');
    features = node('Add', [features, float('renorm/shift', [melBands], member.input.shift)], 'renorm');
  }
  // [B, T, F] -> [B, 1, T, F]: NCHW with time as height, band as width.
  let x = node('Unsqueeze', [features, int64('axes_channel', [1])], 'nchw');
  let cin = 1;
  let freq = melBands;
  arch.convBlocks.forEach((block, i) => {
    const cout = block.filters;
    const kernel = hwioToOihw(weight(`conv${i}/kernel`, 9 * cin * cout), 3, 3, cin, cout);
    x = node('Conv', [x, float(`conv${i}/W`, [cout, cin, 3, 3], kernel)], `conv${i}`, { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] });
    const bn = ['gamma', 'beta', 'mean', 'variance'].map((p) => float(`bn${i}/${p}`, [cout], weight(`bn${i}/${p}`, cout)));
    x = node('BatchNormalization', [x, ...bn], `bn${i}`, { epsilon: { float: BN_EPSILON } });
    x = node('Relu', [x], `relu${i}`);
    x = node('MaxPool', [x], `pool${i}`, { kernel_shape: [block.poolTime, block.poolFreq], strides: [block.poolTime, block.poolFreq] });
    cin = cout;
    freq = Math.floor(freq / block.poolFreq);
  });
  // [B, C, T', F'] -> [T', B, F', C] -> [T', B, F'*C] (C fastest, as in the tfjs reshape).
  x = node('Transpose', [x], 'time_major', { perm: [2, 0, 3, 1] });
  const gruIn = node('Reshape', [x, int64('shape_seq', [0, 0, -1])], 'gru_in');

  const h = arch.gruUnits;
  const inputs = freq * cin;
  const dirs = ['gru_fw', 'gru_bw'];
  // Our kernels are [in, 3H] / [H, 3H] with gates z, r, n; ONNX wants [dir, 3H, in] / [dir, 3H, H], gates z, r, h.
  const W = concat(...dirs.map((d) => transpose2d(weight(`${d}/kernel`, inputs * 3 * h), inputs, 3 * h)));
  const R = concat(...dirs.map((d) => transpose2d(weight(`${d}/recurrent`, h * 3 * h), h, 3 * h)));
  const B = concat(...dirs.flatMap((d) => [weight(`${d}/bias`, 3 * h), weight(`${d}/recurrent_bias`, 3 * h)]));
  const gruOut = node('GRU', [gruIn, float('gru/W', [2, 3 * h, inputs], W), float('gru/R', [2, 3 * h, h], R), float('gru/B', [2, 6 * h], B)], 'gru_out', {
    hidden_size: h,
    direction: 'bidirectional',
    linear_before_reset: 1,
  });
  // Y [T', 2, B, H] -> [B, T', 2, H] -> [B, T', 2H] (forward first).
  x = node('Transpose', [gruOut], 'batch_major', { perm: [2, 0, 1, 3] });
  x = node('Reshape', [x, int64('shape_concat', [0, 0, -1])], 'gru_concat');
  x = node('MatMul', [x, float('dense/W', [2 * h, classes], weight('dense/kernel', 2 * h * classes))], 'dense_mm');
  x = node('Add', [x, float('dense/B', [classes], weight('dense/bias', classes))], 'logits');
  return node('Sigmoid', [x], 'sigmoid');
}

/**
 * The model of manifest.ts as an ONNX graph: one CRNN, or each member of an ensemble and their mean.
 * Input `features` [batch, frames, melBands] (normalised, frames a multiple of timePoolFactor);
 * output `probabilities` [batch, frames / timePoolFactor, classes].
 */
export function buildCrnnGraph(manifest: ModelManifest, weights: Map<string, Float32Array>): OnnxGraph {
  const melBands = manifest.features.melBands;
  const classes = manifest.classes.length;
  const graph: GraphBuilder = { nodes: [], initializers: [] };
  const outputs = modelMembers(manifest).map((m) => addCrnn(graph, m, weights, melBands, classes));
  graph.nodes.push({ opType: outputs.length === 1 ? 'Identity' : 'Mean', inputs: outputs, outputs: [ONNX_OUTPUT_NAME], name: ONNX_OUTPUT_NAME });
  return {
    name: 'earmark_crnn',
    nodes: graph.nodes,
    initializers: graph.initializers,
    inputs: [{ name: ONNX_INPUT_NAME, elemType: ONNX_FLOAT, shape: ['batch', 'frames', melBands] }],
    outputs: [{ name: ONNX_OUTPUT_NAME, elemType: ONNX_FLOAT, shape: ['batch', 'steps', classes] }],
  };
}

/** ONNX bytes of the CRNN; metadata records classes and the time pool factor for consumers. */
export function crnnToOnnx(manifest: ModelManifest, weights: Map<string, Float32Array>): Uint8Array {
  return encodeOnnxModel(buildCrnnGraph(manifest, weights), {
    opset: CRNN_ONNX_OPSET,
    producerName: 'earmark',
    producerVersion: '1',
    docString: 'Earmark CRNN sound event detector (see src-main/engine/model/manifest.ts)',
    metadata: { classes: JSON.stringify(manifest.classes), timePoolFactor: String(timePoolFactor(manifest.architecture)) },
  });
}

