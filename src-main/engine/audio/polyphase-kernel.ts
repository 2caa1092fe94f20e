/**
 * The polyphase resampler's inner loop: for each output, the dot product of `taps` input samples
 * with one phase row of the filter table, then a rational step to the next output's position.
 *
 * Two implementations with bit-identical results: a WebAssembly SIMD one (f64x2 lanes, used when
 * the runtime supports wasm SIMD) and a plain JavaScript one. Both multiply float32 samples by
 * float32 taps exactly in double precision and sum in the same order: four partial sums over taps
 * i = 0, 1, 2, 3 (mod 4), a trailing pair added to the first two, then (s0 + s1) + (s2 + s3).
 */

/** Where the outputs start and how they advance: output o reads input[base + i], table row `phase`. */
export interface PolyphaseRun {
  /** Input position (index into `input`) of output 0's first tap. */
  base: number;
  /** Phase of output 0, 0 <= phase < up. */
  phase: number;
  /** Input step per output is baseStep + phaseStep / up. */
  baseStep: number;
  phaseStep: number;
  up: number;
}

export type PolyphaseKernel = (input: Float32Array, table: Float32Array, taps: number, run: PolyphaseRun, out: Float32Array) => void;

/** Plain JavaScript kernel; fills `out` (its length is the output count). */
export const polyphaseJs: PolyphaseKernel = (x, h, taps, run, out) => {
  let { base, phase } = run;
  const { baseStep, phaseStep, up } = run;
  const n4 = taps & ~3;
  for (let o = 0; o < out.length; o++) {
    const b = phase * taps;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i < n4; i += 4) {
      s0 += x[base + i] * h[b + i];
      s1 += x[base + i + 1] * h[b + i + 1];
      s2 += x[base + i + 2] * h[b + i + 2];
      s3 += x[base + i + 3] * h[b + i + 3];
    }
    if (i + 1 < taps) {
      s0 += x[base + i] * h[b + i];
      s1 += x[base + i + 1] * h[b + i + 1];
      i += 2;
    }
    if (i < taps) s0 += x[base + i] * h[b + i];
    out[o] = s0 + s1 + (s2 + s3);
    base += baseStep;
    phase += phaseStep;
    if (phase >= up) {
      phase -= up;
      base++;
    }
  }
};

// ---- WebAssembly SIMD kernel, assembled from opcodes (no toolchain needed) ----

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const str = (s: string) => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

const I32 = 0x7f;
const V128 = 0x7b;
// Parameters and locals of `run`.
const [X, H, OUT, COUNT, BASE, PHASE, BASE_STEP, PHASE_STEP, UP, TAP_BYTES] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [O, XP, HP, END, A0, A1] = [10, 11, 12, 13, 14, 15];

const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const i32 = (n: number) => [0x41, ...sleb(n)];
const simd = (op: number) => [0xfd, ...uleb(op)];
const ADD = 0x6a;
const SUB = 0x6b;
const MUL = 0x6c;
const AND = 0x71;
const SHL = 0x74;
const GE_U = 0x4f;
const F64_ADD = 0xa0;
const F32_DEMOTE_F64 = 0xb6;
/** Two float32 at ptr + offset widened to f64x2. */
const load2 = (ptr: number, offset: number) => [...get(ptr), ...simd(0x5d), 2, ...uleb(offset), ...simd(0x5f)];
/** acc += x[xp + offset] * h[hp + offset], two lanes. */
const mac2 = (acc: number, offset: number) => [...get(acc), ...load2(XP, offset), ...load2(HP, offset), ...simd(0xf2), ...simd(0xf0), ...set(acc)];
const laneSum = (acc: number) => [...get(acc), ...simd(0x21), 0, ...get(acc), ...simd(0x21), 1, F64_ADD];
const zero = [...simd(0x0c), ...new Array(16).fill(0)];

const body = [
  ...vec([
    [4, I32],
    [2, V128],
  ]),
  0x02, 0x40, // block (exit)
  0x03, 0x40, // loop over outputs
  ...get(O), ...get(COUNT), GE_U, 0x0d, 1,
  ...get(X), ...get(BASE), ...i32(2), SHL, ADD, ...set(XP),
  ...get(H), ...get(PHASE), ...get(TAP_BYTES), MUL, ADD, ...set(HP),
  ...get(HP), ...get(TAP_BYTES), ...i32(-16), AND, ADD, ...set(END),
  ...zero, ...set(A0),
  ...zero, ...set(A1),
  0x02, 0x40, // block
  0x03, 0x40, // loop over groups of four taps
  ...get(HP), ...get(END), GE_U, 0x0d, 1,
  ...mac2(A0, 0),
  ...mac2(A1, 8),
  ...get(XP), ...i32(16), ADD, ...set(XP),
  ...get(HP), ...i32(16), ADD, ...set(HP),
  0x0c, 0, // br loop
  0x0b, 0x0b,
  ...get(TAP_BYTES), ...i32(8), AND, 0x04, 0x40, ...mac2(A0, 0), 0x0b, // trailing pair
  ...get(OUT), ...get(O), ...i32(2), SHL, ADD,
  ...laneSum(A0), ...laneSum(A1), F64_ADD, F32_DEMOTE_F64,
  0x38, 2, 0, // f32.store
  ...get(O), ...i32(1), ADD, ...set(O),
  ...get(BASE), ...get(BASE_STEP), ADD, ...set(BASE),
  ...get(PHASE), ...get(PHASE_STEP), ADD, ...set(PHASE),
  ...get(PHASE), ...get(UP), GE_U, 0x04, 0x40,
  ...get(PHASE), ...get(UP), SUB, ...set(PHASE),
  ...get(BASE), ...i32(1), ADD, ...set(BASE),
  0x0b,
  0x0c, 0, // br loop
  0x0b, 0x0b,
  0x0b, // end of function
];

const MODULE_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, vec([[0x60, ...uleb(10), ...new Array(10).fill(I32), 0]])),
  ...section(3, vec([[0]])),
  ...section(5, vec([[0x00, 1]])),
  ...section(7, vec([[...str('run'), 0x00, 0], [...str('mem'), 0x02, 0]])),
  ...section(10, vec([[...uleb(body.length), ...body]])),
]);

interface WasmState {
  run: (...args: number[]) => void;
  memory: WebAssembly.Memory;
  /** Byte offset of each table copied in, by identity. */
  tables: Map<Float32Array, number>;
  tablesEnd: number;
}

let wasm: WasmState | null | undefined;

function loadWasm(): WasmState | null {
  if (wasm !== undefined) return wasm;
  try {
    if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(MODULE_BYTES)) return (wasm = null);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(MODULE_BYTES));
    const exports = instance.exports as { run: WasmState['run']; mem: WebAssembly.Memory };
    wasm = { run: exports.run, memory: exports.mem, tables: new Map(), tablesEnd: 0 };
  } catch {
    wasm = null;
  }
  return wasm;
}

/** Outputs per wasm call: bounds the input and output copied into wasm memory at once. */
const BATCH = 1 << 16;

function ensureBytes(state: WasmState, bytes: number): void {
  const have = state.memory.buffer.byteLength;
  if (bytes > have) state.memory.grow(Math.ceil((bytes - have) / 65536));
}

/** WebAssembly SIMD kernel (even `taps` only); same results as polyphaseJs. */
const polyphaseWasm: PolyphaseKernel = (x, h, taps, run, out) => {
  const state = wasm!;
  let tableAt = state.tables.get(h);
  if (tableAt === undefined) {
    tableAt = state.tablesEnd;
    state.tablesEnd += Math.ceil(h.byteLength / 16) * 16;
    ensureBytes(state, state.tablesEnd);
    new Float32Array(state.memory.buffer, tableAt, h.length).set(h);
    state.tables.set(h, tableAt);
  }
  let { base, phase } = run;
  const { baseStep, phaseStep, up } = run;
  for (let done = 0; done < out.length; ) {
    const count = Math.min(BATCH, out.length - done);
    // Input read by this batch: base .. (last output's base) + taps.
    const lastBase = base + (count - 1) * baseStep + Math.ceil(((count - 1) * phaseStep + phase) / up);
    const inputLength = Math.min(x.length - base, lastBase - base + taps + 4);
    const inputAt = state.tablesEnd;
    const outAt = inputAt + Math.ceil((inputLength * 4) / 16) * 16 + 16;
    ensureBytes(state, outAt + count * 4);
    const memory = state.memory.buffer;
    new Float32Array(memory, inputAt, inputLength).set(x.subarray(base, base + inputLength));
    state.run(inputAt, tableAt, outAt, count, 0, phase, baseStep, phaseStep, up, taps * 4);
    out.set(new Float32Array(memory, outAt, count), done);
    // Advance to the first output of the next batch.
    const advance = count * phaseStep + phase;
    base += count * baseStep + Math.floor(advance / up);
    phase = advance % up;
    done += count;
  }
};

/** The fastest kernel available here, and its name. */
export function polyphaseKernel(taps: number): { kernel: PolyphaseKernel; name: 'wasm-simd' | 'js' } {
  return taps % 2 === 0 && loadWasm() ? { kernel: polyphaseWasm, name: 'wasm-simd' } : { kernel: polyphaseJs, name: 'js' };
}
