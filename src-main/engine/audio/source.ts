import { lstat, open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import decoders from 'audio-decode';
import type { StreamDecoder } from 'audio-decode';
import { AudioDecodeError } from './errors';
import { FlacFrameAligner } from './flac-frames';
import { replaceNonFinite } from './non-finite';
import { parseMp3FrameHeader, SNIFF_BYTES, sniffAudio } from './sniff';
import type { AudioFormat } from './sniff';
import { readWavInfo, wavBytesToMono } from './wav';
import type { WavInfo } from './wav';

/** What the headers say about a file. */
export interface AudioHeader {
  format: AudioFormat;
  sampleRate: number;
  channels: number;
  /** Seconds. Exact for WAV, FLAC and OGG; estimated from the Xing/Info tag or bitrate for MP3. */
  duration: number;
}

/** An opened (validated) audio file whose samples can be read as mono chunks at the source rate. */
export interface AudioSource extends AudioHeader {
  file: string;
  /** Mono (channel mean) sample chunks at `sampleRate`, read from disk piece by piece; non-finite samples read as 0. */
  chunks(): AsyncGenerator<Float32Array>;
  /** Non-finite samples (NaN, ±Infinity) replaced by 0 so far: the file's total once chunks() is exhausted. */
  nonFiniteSamples(): number;
}

type RawSource = Omit<AudioSource, 'nonFiniteSamples'>;

/** Float WAV can hold NaN and infinities (and a broken decoder could emit them); they would poison every feature frame. */
function withFiniteSamples(source: RawSource): AudioSource {
  let replaced = 0;
  return {
    ...source,
    nonFiniteSamples: () => replaced,
    async *chunks() {
      for await (const chunk of source.chunks()) {
        replaced += replaceNonFinite(chunk);
        yield chunk;
      }
    },
  };
}

const WAV_FRAMES_PER_READ = 1 << 16;
/** Caps one WAV read however wide the header says a frame is. */
const WAV_MAX_BYTES_PER_READ = 1 << 22;
/** Sample rates accepted from headers; outside this a rate is a corrupt header, not a recording. */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 768_000;
/**
 * More samples per byte of file than any codec reaches (FLAC's constant subframes of digital silence
 * come closest, at about 5,500; Vorbis about 2,000): a header claiming more is lying about the length,
 * and whatever is sized from the length stays proportional to the file.
 */
const MAX_SAMPLES_PER_BYTE = 1 << 13;
const COMPRESSED_BYTES_PER_READ = 1 << 18;
const OGG_TAIL_BYTES = 1 << 16;

/**
 * Mean of the channels, accumulated in double precision. With `inPlace` it writes into (and
 * returns) the first channel, for decoder output the caller owns; a single channel is returned as is.
 */
export function downmixToMono(channels: readonly Float32Array[], inPlace = false): Float32Array {
  const first = channels[0];
  if (channels.length === 1) return first;
  const n = first.length;
  const out = inPlace ? first : new Float32Array(n);
  const inv = 1 / channels.length;
  if (channels.length === 2) {
    const second = channels[1];
    for (let i = 0; i < n; i++) out[i] = (first[i] + second[i]) * inv;
    return out;
  }
  for (let i = 0; i < n; i++) {
    let sum = first[i];
    for (let c = 1; c < channels.length; c++) sum += channels[c][i];
    out[i] = sum * inv;
  }
  return out;
}

/** 1.5 * 2^52: adding and subtracting it rounds a double of magnitude < 2^51 to an integer, half to even. */
const ROUNDER = 6755399441055744;

/**
 * In place: x -> Math.round(x * toInteger) / fromInteger, for fromInteger a power of two.
 * Math.round branches on the sign, which random audio mispredicts (measured 9 ns a sample);
 * this rounds without a data-dependent branch and corrects the rare exact halves to round up.
 */
export function rescaleInPlace(x: Float32Array, toInteger: number, fromInteger: number): void {
  const inv = 1 / fromInteger;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] * toInteger;
    let r = v + ROUNDER - ROUNDER;
    if (v - r === 0.5) r += 1;
    x[i] = r * inv;
  }
}

/** Integer PCM decoded with one scale, re-expressed with another. */
interface Rescale {
  toInteger: number;
  fromInteger: number;
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  return bytesRead === length ? buf : buf.subarray(0, bytesRead);
}

async function withFile<T>(file: string, fn: (fh: FileHandle) => Promise<T>): Promise<T> {
  const fh = await open(file, 'r');
  try {
    return await fn(fh);
  } finally {
    await fh.close();
  }
}

/** Check the file exists and is non-empty, sniff its format and read its headers. */
export async function openAudioSource(file: string): Promise<AudioSource> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new AudioDecodeError(file, 'not-found', `not a regular file (${kindOf(s)})`);
    size = s.size;
  } catch (e) {
    if (e instanceof AudioDecodeError) throw e;
    throw new AudioDecodeError(file, 'not-found', await whyNotFound(file, e as NodeJS.ErrnoException), { cause: e });
  }
  if (size === 0) throw new AudioDecodeError(file, 'empty', 'file is empty (0 bytes)');

  return withFile(file, async (fh) => withFiniteSamples(checkHeader(await readSource(fh, file, size), size)));
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'not a file';
}

async function whyNotFound(file: string, e: NodeJS.ErrnoException): Promise<string> {
  if (e.code === 'ELOOP') return 'symbolic link loop';
  if (e.code === 'ENOENT') {
    if ((await lstat(file).catch(() => undefined))?.isSymbolicLink()) return 'dangling symbolic link (its target does not exist)';
    // The scan found it by its bytes; a name that is not UTF-8 cannot be opened by its decoded text.
    if (file.includes('\uFFFD')) return 'file name is not valid UTF-8 (rename the file to open it)';
  }
  return `file not found (${e.code ?? e.message})`;
}

/** Refuses header values that no real recording has, before anything is sized from them. */
function checkHeader(source: RawSource, size: number): RawSource {
  const { file, sampleRate, channels, duration } = source;
  if (!(sampleRate >= MIN_SAMPLE_RATE && sampleRate <= MAX_SAMPLE_RATE)) {
    throw new AudioDecodeError(file, 'unsupported', `sample rate ${sampleRate} Hz is outside the supported range ${MIN_SAMPLE_RATE}-${MAX_SAMPLE_RATE} Hz`);
  }
  if (!(channels >= 1)) throw new AudioDecodeError(file, 'corrupt', `invalid header (${channels} channels)`);
  if (!(duration >= 0 && duration * sampleRate <= size * MAX_SAMPLES_PER_BYTE)) {
    throw new AudioDecodeError(file, 'corrupt', `header claims ${duration} s of audio, more than a ${size}-byte file can hold`);
  }
  return source;
}

/** Sniff the format and read the headers of an opened, non-empty file. */
async function readSource(fh: FileHandle, file: string, size: number): Promise<RawSource> {
  const head = await readAt(fh, 0, Math.min(size, SNIFF_BYTES));
  const sniffed = sniffAudio(head);
  if (sniffed.kind === 'text') throw new AudioDecodeError(file, 'not-audio', 'file contains text, not audio');
  if (sniffed.kind === 'unknown') {
    throw new AudioDecodeError(file, 'unsupported', 'unrecognised binary data (not WAV, FLAC, MP3 or Ogg Vorbis)');
  }
  if (sniffed.kind === 'unsupported') {
    throw new AudioDecodeError(file, 'unsupported', `unsupported format ${sniffed.what} (supported: WAV, FLAC, MP3, Ogg Vorbis)`);
  }
  const read = (offset: number, length: number) => readAt(fh, offset, length);
  switch (sniffed.format) {
    case 'wav': {
      const info = await readWavInfo(read, size, file);
      return wavSource(file, info);
    }
    case 'flac':
      return flacSource(file, await read(sniffed.offset, 42), sniffed.offset);
    case 'mp3':
      return mp3Source(file, await read(sniffed.offset, 2048), sniffed.offset, size);
    case 'ogg':
      return oggSource(file, head, await read(Math.max(0, size - OGG_TAIL_BYTES), OGG_TAIL_BYTES));
  }
}

function wavSource(file: string, info: WavInfo): RawSource {
  return {
    file,
    format: 'wav',
    sampleRate: info.sampleRate,
    channels: info.channels,
    duration: info.frames / info.sampleRate,
    async *chunks() {
      const fh = await open(file, 'r');
      try {
        const step = Math.max(1, Math.min(WAV_FRAMES_PER_READ, Math.floor(WAV_MAX_BYTES_PER_READ / info.blockAlign))) * info.blockAlign;
        const end = info.dataOffset + info.dataBytes;
        for (let offset = info.dataOffset; offset < end; offset += step) {
          const bytes = await readAt(fh, offset, Math.min(step, end - offset));
          if (bytes.length < Math.min(step, end - offset)) {
            throw new AudioDecodeError(file, 'truncated', 'WAV file shrank while being read');
          }
          yield wavBytesToMono(bytes, info);
        }
      } finally {
        await fh.close();
      }
    },
  };
}

function flacSource(file: string, b: Uint8Array, offset: number): RawSource {
  // fLaC, then the STREAMINFO block header (type 0) and its 34-byte body.
  if (b.length < 42 || (b[4] & 0x7f) !== 0) throw new AudioDecodeError(file, 'truncated', 'truncated FLAC header (no STREAMINFO)');
  const sampleRate = (b[18] << 12) | (b[19] << 4) | (b[20] >> 4);
  const channels = ((b[20] >> 1) & 7) + 1;
  const bitsPerSample = (((b[20] & 1) << 4) | (b[21] >> 4)) + 1;
  const total = (b[21] & 15) * 2 ** 32 + ((b[22] << 24) >>> 0) + (b[23] << 16) + (b[24] << 8) + b[25];
  if (sampleRate === 0) throw new AudioDecodeError(file, 'corrupt', 'FLAC STREAMINFO has sample rate 0');
  const checkEnd = (decoded: number) => {
    if (total > 0 && decoded < total) {
      throw new AudioDecodeError(file, 'truncated', `truncated FLAC stream (decoded ${decoded} of ${total} samples)`);
    }
  };
  // The wasm decoder scales integers by 1/(2^(b-1) - 1); WAV (and sox, libsndfile, Web Audio)
  // use 1/2^(b-1). Recover the integers and rescale so lossless files match their WAV exactly.
  const maxPositive = 2 ** (bitsPerSample - 1) - 1;
  const full = 2 ** (bitsPerSample - 1);
  const rescale: Rescale = { toInteger: maxPositive, fromInteger: full };
  return compressedSource(file, 'flac', sampleRate, channels, total / sampleRate, offset, checkEnd, rescale);
}

function mp3Source(file: string, b: Uint8Array, offset: number, size: number): RawSource {
  const h = parseMp3FrameHeader(b, 0);
  if (!h) throw new AudioDecodeError(file, 'corrupt', 'no MPEG Layer III frame after the ID3 tag');
  // Xing/Info tag (written by LAME and most encoders) sits after the side information.
  const side = h.mpeg1 ? (h.channels === 1 ? 17 : 32) : h.channels === 1 ? 9 : 17;
  const x = 4 + side;
  const xing = String.fromCharCode(...b.subarray(x, x + 4));
  let duration = ((size - offset) * 8) / (h.bitrateKbps * 1000);
  if ((xing === 'Xing' || xing === 'Info') && b.length >= x + 16) {
    const v = new DataView(b.buffer, b.byteOffset, b.length);
    const flags = v.getUint32(x + 4);
    let p = x + 8;
    if (flags & 1) {
      duration = (v.getUint32(p) * h.samplesPerFrame) / h.sampleRate;
      p += 4;
    }
    if (flags & 2) {
      const bytes = v.getUint32(p);
      if (bytes > size - offset) {
        throw new AudioDecodeError(file, 'truncated', `truncated MP3 stream (${size - offset} of ${bytes} bytes)`);
      }
    }
  }
  return compressedSource(file, 'mp3', h.sampleRate, h.channels, duration, 0, () => {});
}

function oggSource(file: string, head: Uint8Array, tail: Uint8Array): RawSource {
  const ident = 27 + head[26];
  if (head.length < ident + 16) throw new AudioDecodeError(file, 'truncated', 'truncated Ogg Vorbis header');
  const channels = head[ident + 11];
  const sampleRate = new DataView(head.buffer, head.byteOffset).getUint32(ident + 12, true);
  // The last complete page carries the end-of-stream flag and the final granule (sample count).
  let last = -1;
  for (let p = tail.length - 27; p >= 0; p--) {
    if (tail[p] === 0x4f && tail[p + 1] === 0x67 && tail[p + 2] === 0x67 && tail[p + 3] === 0x53) {
      last = p;
      break;
    }
  }
  if (last < 0) throw new AudioDecodeError(file, 'truncated', 'truncated Ogg stream (no final page)');
  const segments = tail[last + 26];
  let pageEnd = last + 27 + segments;
  for (let i = 0; i < segments; i++) pageEnd += tail[last + 27 + i] ?? 0;
  const eos = (tail[last + 5] & 4) !== 0;
  if (!eos || pageEnd > tail.length) throw new AudioDecodeError(file, 'truncated', 'truncated Ogg Vorbis stream (missing end-of-stream page)');
  const v = new DataView(tail.buffer, tail.byteOffset, tail.length);
  const granule = v.getUint32(last + 6, true) + v.getUint32(last + 10, true) * 2 ** 32;
  return compressedSource(file, 'ogg', sampleRate, channels, granule / sampleRate, 0, () => {});
}

const DECODER_FACTORY: Record<Exclude<AudioFormat, 'wav'>, () => Promise<StreamDecoder>> = {
  flac: () => decoders.flac(),
  mp3: () => decoders.mp3(),
  ogg: () => decoders.oga(),
};

const FORMAT_NAME: Record<AudioFormat, string> = { wav: 'WAV', flac: 'FLAC', mp3: 'MP3', ogg: 'Ogg Vorbis' };

function compressedSource(
  file: string,
  format: Exclude<AudioFormat, 'wav'>,
  sampleRate: number,
  channels: number,
  duration: number,
  offset: number,
  checkEnd: (decodedSamples: number) => void,
  rescale?: Rescale,
): RawSource {
  return {
    file,
    format,
    sampleRate,
    channels,
    duration,
    async *chunks() {
      const fh = await open(file, 'r');
      const dec = await DECODER_FACTORY[format]();
      let decoded = 0;
      const fail = (e: unknown): never => {
        if (e instanceof AudioDecodeError) throw e;
        throw new AudioDecodeError(file, 'corrupt', `corrupt ${FORMAT_NAME[format]} stream (${(e as Error)?.message ?? e})`, { cause: e });
      };
      const take = (r: { channelData: Float32Array[]; sampleRate: number }): Float32Array | null => {
        if (!r.channelData.length || !r.channelData[0].length) return null;
        if (r.sampleRate !== sampleRate) {
          throw new AudioDecodeError(file, 'corrupt', `${FORMAT_NAME[format]} sample rate changed from ${sampleRate} to ${r.sampleRate} Hz`);
        }
        decoded += r.channelData[0].length;
        // The FLAC decoder returns fresh arrays per call (safe to overwrite); the others are not checked.
        const owned = format === 'flac';
        const channels = owned ? r.channelData : r.channelData.map((c) => (rescale ? c.slice() : c));
        if (rescale) for (const c of channels) rescaleInPlace(c, rescale.toInteger, rescale.fromInteger);
        return downmixToMono(channels, owned);
      };
      const aligner = format === 'flac' ? new FlacFrameAligner() : null;
      const feed = async (bytes: Uint8Array): Promise<Float32Array | null> => {
        if (bytes.length === 0) return null;
        try {
          return take(await dec(bytes));
        } catch (e) {
          return fail(e);
        }
      };
      try {
        for (let pos = offset; ; pos += COMPRESSED_BYTES_PER_READ) {
          const bytes = await readAt(fh, pos, COMPRESSED_BYTES_PER_READ);
          if (bytes.length === 0) break;
          const mono = await feed(aligner ? aligner.push(bytes) : bytes);
          if (mono) yield mono;
          if (bytes.length < COMPRESSED_BYTES_PER_READ) break;
        }
        if (aligner) {
          const mono = await feed(aligner.flush());
          if (mono) yield mono;
        }
        let rest: Float32Array | null = null;
        try {
          rest = take(await dec());
        } catch (e) {
          fail(e);
        }
        if (rest) yield rest;
        if (decoded === 0) throw new AudioDecodeError(file, 'corrupt', `no audio could be decoded from the ${FORMAT_NAME[format]} stream`);
        checkEnd(decoded);
      } finally {
        dec.free();
        await fh.close();
      }
    },
  };
}
