import { AudioDecodeError } from './errors';

/** Where the samples of a WAV file are and how they are stored. */
export interface WavInfo {
  sampleFormat: 'int' | 'float';
  bitsPerSample: 8 | 16 | 24 | 32 | 64;
  channels: number;
  sampleRate: number;
  /** Bytes per frame (all channels). */
  blockAlign: number;
  /** Byte offset of the first sample in the file. */
  dataOffset: number;
  /** Bytes of sample data actually present (whole frames). */
  dataBytes: number;
  frames: number;
}

/** Reads `length` bytes at `offset`; may return fewer at end of file. */
export type ByteReader = (offset: number, length: number) => Promise<Uint8Array>;

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

/** Walk the RIFF chunks (headers only) and locate `fmt ` and `data`. */
export async function readWavInfo(read: ByteReader, fileSize: number, file: string): Promise<WavInfo> {
  const head = await read(0, 12);
  if (head.length < 12 || ascii(head, 0, 4) !== 'RIFF' || ascii(head, 8, 4) !== 'WAVE') {
    throw new AudioDecodeError(file, head.length < 12 ? 'truncated' : 'not-audio', 'not a RIFF/WAVE file');
  }
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'frames'> | null = null;
  let offset = 12;
  while (offset + 8 <= fileSize) {
    const hdr = await read(offset, 8);
    if (hdr.length < 8) break;
    const id = ascii(hdr, 0, 4);
    const size = new DataView(hdr.buffer, hdr.byteOffset, 8).getUint32(4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > fileSize) throw new AudioDecodeError(file, 'truncated', 'truncated WAV fmt chunk');
      const b = await read(body, Math.min(size, 40));
      fmt = parseFmt(b, file);
    } else if (id === 'data') {
      if (!fmt) throw new AudioDecodeError(file, 'corrupt', 'WAV data chunk before fmt chunk');
      const available = fileSize - body;
      // 0 and 0xFFFFFFFF are written by streaming recorders that never patched the size.
      const open = size === 0 || size === 0xffffffff;
      if (!open && size > available) {
        throw new AudioDecodeError(file, 'truncated', `truncated WAV data chunk (header says ${size} bytes, file has ${available})`);
      }
      const bytes = open ? available : size;
      const frames = Math.floor(bytes / fmt.blockAlign);
      return { ...fmt, dataOffset: body, dataBytes: frames * fmt.blockAlign, frames };
    }
    offset = body + size + (size & 1); // chunks are padded to even length
  }
  throw new AudioDecodeError(file, 'truncated', `truncated WAV file (no ${fmt ? 'data' : 'fmt'} chunk)`);
}

function parseFmt(b: Uint8Array, file: string): Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'frames'> {
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  let tag = v.getUint16(0, true);
  const channels = v.getUint16(2, true);
  const sampleRate = v.getUint32(4, true);
  const blockAlign = v.getUint16(12, true);
  const bits = v.getUint16(14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (b.length < 26) throw new AudioDecodeError(file, 'corrupt', 'WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
    tag = v.getUint16(24, true); // first two bytes of the SubFormat GUID
  }
  const sampleFormat = tag === WAVE_FORMAT_PCM ? 'int' : tag === WAVE_FORMAT_IEEE_FLOAT ? 'float' : null;
  if (!sampleFormat) throw new AudioDecodeError(file, 'unsupported', `unsupported WAV encoding (format tag 0x${tag.toString(16)})`);
  const okBits = sampleFormat === 'int' ? [8, 16, 24, 32] : [32, 64];
  if (!okBits.includes(bits)) throw new AudioDecodeError(file, 'unsupported', `unsupported WAV ${sampleFormat} bit depth ${bits}`);
  if (channels < 1 || sampleRate < 1) throw new AudioDecodeError(file, 'corrupt', `invalid WAV header (${channels} channels, ${sampleRate} Hz)`);
  if (blockAlign !== (channels * bits) / 8) throw new AudioDecodeError(file, 'corrupt', `invalid WAV block align ${blockAlign}`);
  return { sampleFormat, bitsPerSample: bits as WavInfo['bitsPerSample'], channels, sampleRate, blockAlign };
}

/** Convert whole frames of raw sample bytes to mono (mean of channels). */
export function wavBytesToMono(bytes: Uint8Array, info: WavInfo): Float32Array {
  const { channels, blockAlign, bitsPerSample, sampleFormat } = info;
  const frames = Math.floor(bytes.length / blockAlign);
  const out = new Float32Array(frames);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const step = bitsPerSample / 8;
  const inv = 1 / channels;
  let p = 0;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, p += step) {
      let x: number;
      if (sampleFormat === 'float') x = step === 4 ? v.getFloat32(p, true) : v.getFloat64(p, true);
      else if (step === 2) x = v.getInt16(p, true) / 32768;
      else if (step === 3) x = (((bytes[p + 2] << 24) | (bytes[p + 1] << 16) | (bytes[p] << 8)) >> 8) / 8388608;
      else if (step === 4) x = v.getInt32(p, true) / 2147483648;
      else x = (bytes[p] - 128) / 128;
      sum += x;
    }
    out[f] = channels === 1 ? sum : sum * inv;
  }
  return out;
}

/** Encode mono samples as a WAV file (16-bit PCM by default; `float` writes IEEE float). */
export function encodeWav(
  samples: Float32Array,
  sampleRate: number,
  options: { bitDepth?: 16 | 24 | 32; float?: boolean } = {},
): Buffer {
  const float = options.float ?? false;
  const bits = float ? 32 : (options.bitDepth ?? 16);
  const bytesPer = bits / 8;
  const dataBytes = samples.length * bytesPer;
  const buf = Buffer.alloc(44 + dataBytes + (dataBytes & 1));
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(buf.length - 8, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(float ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * bytesPer, 28);
  buf.writeUInt16LE(bytesPer, 32);
  buf.writeUInt16LE(bits, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  const full = 2 ** (bits - 1);
  let p = 44;
  for (let i = 0; i < samples.length; i++, p += bytesPer) {
    const x = samples[i];
    if (float) {
      buf.writeFloatLE(x, p);
      continue;
    }
    const q = Math.max(-full, Math.min(full - 1, Math.round(x * full)));
    if (bits === 16) buf.writeInt16LE(q, p);
    else if (bits === 24) buf.writeIntLE(q, p, 3);
    else buf.writeInt32LE(q, p);
  }
  return buf;
}
