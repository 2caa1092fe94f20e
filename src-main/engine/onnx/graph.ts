import { ProtoWriter } from './protobuf';

/**
 * A small in-memory ONNX graph and its serialisation to ModelProto bytes.
 * Field numbers follow onnx/onnx.proto (IR version 8).
 */

export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

export type AttributeValue = number | string | number[] | { floats: number[] } | { int: number } | { float: number };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  /** Plain numbers are ints; use { float } / { floats } for float attributes. */
  attributes?: Record<string, AttributeValue>;
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  dataType: typeof ONNX_FLOAT | typeof ONNX_INT64;
  /** Float32Array for FLOAT, BigInt64Array for INT64. */
  data: Float32Array | BigInt64Array;
}

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  /** Numbers are fixed sizes, strings are symbolic dimension names. */
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModelOptions {
  opset: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  /** Stored as metadata_props. */
  metadata?: Record<string, string>;
}

const IR_VERSION = 8;

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;

function writeAttribute(w: ProtoWriter, name: string, value: AttributeValue): void {
  w.string(1, name);
  if (typeof value === 'number') w.int(3, value).int(20, ATTR_INT);
  else if (typeof value === 'string') w.string(4, value).int(20, ATTR_STRING);
  else if (Array.isArray(value)) w.packedInts(8, value).int(20, ATTR_INTS);
  else if ('floats' in value) w.packedFloats(7, value.floats).int(20, ATTR_FLOATS);
  else if ('float' in value) w.float(2, value.float).int(20, ATTR_FLOAT);
  else w.int(3, value.int).int(20, ATTR_INT);
}

function writeTensor(w: ProtoWriter, t: OnnxInitializer): void {
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== expected) throw new Error(`ONNX initializer "${t.name}": ${t.data.length} values for dims [${t.dims.join(', ')}]`);
  w.packedInts(1, t.dims);
  w.int(2, t.dataType);
  w.string(8, t.name);
  // raw_data is little endian; typed arrays are in host order, which is little endian on every supported platform.
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.elemType);
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

/** Serialises a graph into the bytes of an .onnx file. */
export function encodeOnnxModel(graph: OnnxGraph, options: OnnxModelOptions): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, IR_VERSION);
  w.string(2, options.producerName);
  w.string(3, options.producerVersion);
  if (options.docString) w.string(6, options.docString);
  w.message(7, (g) => {
    for (const node of graph.nodes) {
      g.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, node.name);
        n.string(4, node.opType);
        for (const [name, value] of Object.entries(node.attributes ?? {})) n.message(5, (a) => writeAttribute(a, name, value));
      });
    }
    g.string(2, graph.name);
    for (const init of graph.initializers) g.message(5, (t) => writeTensor(t, init));
    for (const input of graph.inputs) g.message(11, (v) => writeValueInfo(v, input));
    for (const output of graph.outputs) g.message(12, (v) => writeValueInfo(v, output));
  });
  w.message(8, (o) => o.string(1, '').int(2, options.opset));
  for (const [key, value] of Object.entries(options.metadata ?? {})) w.message(14, (p) => p.string(1, key).string(2, value));
  return w.finish();
}
