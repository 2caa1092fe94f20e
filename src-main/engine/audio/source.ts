import { lstat, open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import decoders from 'audio-decode';
import type { AudioData, StreamDecoder } from 'audio-decode';
import { AudioDecodeError } from './errors';
import { flacExcerpts, indexFrames, type FlacFrameDecoder } from './flac-excerpts';
import { FlacFrameAligner } from './flac-frames';
import { blockReader } from './block-reader';
import { buildFlacFrameIndex, type FlacFrameIndex, type ReadAt } from './flac-index';
import { createFlacLocator, type FlacFrameRun } from './flac-seek';
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
  /**
   * Mono (channel mean) sample chunks at `sampleRate`, read from disk piece by piece; non-finite samples read as 0.
   * The first chunk starts at sample `fromFrame` (default 0): WAV seeks by byte offset and FLAC by its
   * frame index, so a span is read without decoding what comes before it (MP3 and Ogg decode and skip).
   */
  chunks(fromFrame?: number): AsyncGenerator<Float32Array>;
  /**
   * `length` mono samples from each of `starts`, one array per start (shorter past the end): for
   * views that need short excerpts spread over a long file (each read seeks as chunks(start) does).
   */
  excerpts(starts: readonly number[], length: number): AsyncGenerator<Float32Array>;
  /** Non-finite samples (NaN, ±Infinity) replaced by 0 so far: the file's total once chunks() is exhausted. */
  nonFiniteSamples(): number;
}

/** A source as a format reads it; `excerpts` only where the format has a faster way than chunks(start). */
type RawSource = Omit<AudioSource, 'nonFiniteSamples' | 'excerpts'> & Partial<Pick<AudioSource, 'excerpts'>>;

/** Excerpts through chunks(start): right for formats whose seek is cheap or impossible. */
async function* excerptsByChunks(source: RawSource, starts: readonly number[], length: number): AsyncGenerator<Float32Array> {
  for (const start of starts) {
    const out = new Float32Array(length);
    let filled = 0;
    for await (const chunk of source.chunks(start)) {
      const n = Math.min(chunk.length, length - filled);
      out.set(chunk.subarray(0, n), filled);
      filled += n;
      if (filled === length) break;
    }
    yield out.subarray(0, filled);
  }
}

/** Float WAV can hold NaN and infinities (and a broken decoder could emit them); they would poison every feature frame. */
function withFiniteSamples(source: RawSource): AudioSource {
  let replaced = 0;
  return {
    ...source,
    nonFiniteSamples: () => replaced,
    async *chunks(fromFrame = 0) {
      for await (const chunk of source.chunks(fromFrame)) {
        replaced += replaceNonFinite(chunk);
        yield chunk;
      }
    },
    async *excerpts(starts, length) {
      for await (const excerpt of source.excerpts ? source.excerpts(starts, length) : excerptsByChunks(source, starts, length)) {
        replaced += replaceNonFinite(excerpt);
        yield excerpt;
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
/** A seeking read starts small (a spectrogram frame needs a few KB) and doubles up to the full read size. */
const FIRST_SEEK_READ_BYTES = 1 << 14;
/** Excerpts read their seeks and frames in blocks of this many bytes (see blockReader). */
const EXCERPT_READ_BYTES = 1 << 15;
const FLAC_INDEX_CACHE_SIZE = 32;
/** Frame indexes by file identity (path, size, mtime), most recently used last. */
const flacIndexes = new Map<string, Promise<FlacFrameIndex>>();

function cachedFlacIndex(key: string, build: () => Promise<FlacFrameIndex>): Promise<FlacFrameIndex> {
  let index = flacIndexes.get(key);
  if (index) flacIndexes.delete(key);
  else {
    index = build();
    index.catch(() => flacIndexes.delete(key));
  }
  flacIndexes.set(key, index);
  while (flacIndexes.size > FLAC_INDEX_CACHE_SIZE) flacIndexes.delete(flacIndexes.keys().next().value!);
  return index;
}

/** Where decoding must start to reach a sample: the byte offset, the sample found there, and the bytes to feed first. */
interface SeekPoint {
  offset: number;
  sample: number;
  prefix: Uint8Array;
}

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
  let identity: string;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new AudioDecodeError(file, 'not-found', `not a regular file (${kindOf(s)})`);
    size = s.size;
    identity = `${file}\0${s.size}\0${s.mtimeMs}\0${s.ino}`;
  } catch (e) {
    if (e instanceof AudioDecodeError) throw e;
    throw new AudioDecodeError(file, 'not-found', await whyNotFound(file, e as NodeJS.ErrnoException), { cause: e });
  }
  if (size === 0) throw new AudioDecodeError(file, 'empty', 'file is empty (0 bytes)');

  return withFile(file, async (fh) => withFiniteSamples(checkHeader(await readSource(fh, file, size, identity), size)));
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
async function readSource(fh: FileHandle, file: string, size: number, identity: string): Promise<RawSource> {
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
      return flacSource(file, await read(sniffed.offset, 42), sniffed.offset, size, () =>
        cachedFlacIndex(identity, () => withFile(file, (fh) => buildFlacFrameIndex((at, length) => readAt(fh, at, length), size, sniffed.offset))),
      );
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
    async *chunks(fromFrame = 0) {
      const fh = await open(file, 'r');
      try {
        const step = Math.max(1, Math.min(WAV_FRAMES_PER_READ, Math.floor(WAV_MAX_BYTES_PER_READ / info.blockAlign))) * info.blockAlign;
        const end = info.dataOffset + info.dataBytes;
        const first = info.dataOffset + Math.min(Math.max(0, Math.floor(fromFrame)), info.frames) * info.blockAlign;
        for (let offset = first; offset < end; offset += step) {
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

function flacSource(file: string, b: Uint8Array, offset: number, size: number, frameIndex: () => Promise<FlacFrameIndex>): RawSource {
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
  /**
   * Frames by byte-offset guess and resync when STREAMINFO gives the length (no pass over the file
   * first); else from the frame index (one scan, cached).
   */
  const framesFor = async (read: ReadAt): Promise<{ streamHeader: Uint8Array; frames: (first: number, last: number) => Promise<FlacFrameRun> }> => {
    const locator = await createFlacLocator(read, size, offset);
    if (locator) return { streamHeader: locator.streamHeader, frames: locator.framesCovering };
    const index = await frameIndex();
    if (index.offsets.length === 0) throw new AudioDecodeError(file, 'corrupt', 'no FLAC frame found');
    return { streamHeader: index.streamHeader, frames: indexFrames(index, size) };
  };
  const seek = (sample: number): Promise<SeekPoint> =>
    withFile(file, async (fh) => {
      const { streamHeader, frames } = await framesFor((at, length) => readAt(fh, at, length));
      const run = await frames(sample, sample);
      if (run.offsets.length === 0) throw new AudioDecodeError(file, 'corrupt', 'no FLAC frame found');
      return { offset: run.offsets[0], sample: run.samples[0], prefix: streamHeader };
    });
  const source = compressedSource(file, 'flac', sampleRate, channels, total / sampleRate, offset, checkEnd, rescale, seek);
  const toMono = (r: Pick<AudioData, 'channelData' | 'sampleRate'>): Float32Array | null => {
    if (!r.channelData.length || !r.channelData[0].length) return null;
    if (r.sampleRate !== sampleRate) throw new AudioDecodeError(file, 'corrupt', `FLAC sample rate changed from ${sampleRate} to ${r.sampleRate} Hz`);
    // The FLAC decoder returns fresh arrays per call, safe to overwrite.
    for (const c of r.channelData) rescaleInPlace(c, rescale.toInteger, rescale.fromInteger);
    return downmixToMono(r.channelData, true);
  };
  return {
    ...source,
    async *excerpts(starts, length) {
      const fh = await open(file, 'r');
      try {
        const read = blockReader((at, n) => readAt(fh, at, n), EXCERPT_READ_BYTES);
        yield* flacExcerpts(
          {
            ...(await framesFor(read)),
            read,
            totalSamples: total,
            createDecoder: createFlacFrameDecoder,
            toMono,
            corrupt: (why) => new AudioDecodeError(file, 'corrupt', `corrupt FLAC stream (${why})`),
          },
          starts,
          length,
        );
      } finally {
        await fh.close();
      }
    },
  };
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

const DECODER_BY_EXTENSION: Record<string, Exclude<AudioFormat, 'wav'>> = { '.flac': 'flac', '.mp3': 'mp3', '.ogg': 'ogg', '.oga': 'ogg' };
const warmedDecoders = new Map<Exclude<AudioFormat, 'wav'>, Promise<void>>();

async function createFlacFrameDecoder(): Promise<FlacFrameDecoder> {
  const decoder = new FLACDecoder();
  await decoder.ready;
  return decoder;
}

/** Every decoder a format's reads use: the streaming one, and for FLAC the frame decoder its excerpts use. */
const DECODERS_USED: Record<Exclude<AudioFormat, 'wav'>, (() => Promise<{ free(): void }>)[]> = {
  flac: [DECODER_FACTORY.flac, createFlacFrameDecoder],
  mp3: [DECODER_FACTORY.mp3],
  ogg: [DECODER_FACTORY.ogg],
};

/**
 * Compiles the decoders a file of this name needs (their WebAssembly, tens of ms, once per process)
 * ahead of the file's first read, so that a file's first look does not wait for it. WAV needs none.
 */
export function warmUpDecoderFor(file: string): Promise<void> {
  const format = DECODER_BY_EXTENSION[path.extname(file).toLowerCase()];
  if (!format) return Promise.resolve();
  let warming = warmedDecoders.get(format);
  if (!warming) {
    warming = Promise.all(DECODERS_USED[format].map((create) => create().then((decoder) => decoder.free()))).then(() => undefined);
    warmedDecoders.set(format, warming);
  }
  return warming;
}

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
  seek?: (sample: number) => Promise<SeekPoint>,
): RawSource {
  return {
    file,
    format,
    sampleRate,
    channels,
    duration,
    async *chunks(fromFrame = 0) {
      const target = Math.max(0, Math.floor(fromFrame));
      const start: SeekPoint = target > 0 && seek ? await seek(target) : { offset, sample: 0, prefix: new Uint8Array(0) };
      const fh = await open(file, 'r');
      const dec = await DECODER_FACTORY[format]();
      // Counted from the stream's first sample, so the truncation check holds after a seek too.
      let decoded = start.sample;
      let toSkip = target - start.sample;
      const skipped = (mono: Float32Array | null): Float32Array | null => {
        if (!mono || toSkip === 0) return mono;
        if (mono.length <= toSkip) {
          toSkip -= mono.length;
          return null;
        }
        const rest = mono.subarray(toSkip);
        toSkip = 0;
        return rest;
      };
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
        if (start.prefix.length && aligner) aligner.push(start.prefix);
        let readBytes = start.sample > 0 ? FIRST_SEEK_READ_BYTES : COMPRESSED_BYTES_PER_READ;
        for (let pos = start.offset; ; pos += readBytes, readBytes = Math.min(COMPRESSED_BYTES_PER_READ, readBytes * 2)) {
          const bytes = await readAt(fh, pos, readBytes);
          if (bytes.length === 0) break;
          const mono = skipped(await feed(aligner ? aligner.push(bytes) : bytes));
          if (mono) yield mono;
          if (bytes.length < readBytes) break;
        }
        if (aligner) {
          const mono = skipped(await feed(aligner.flush()));
          if (mono) yield mono;
        }
        let rest: Float32Array | null = null;
        try {
          rest = take(await dec());
        } catch (e) {
          fail(e);
        }
        rest = skipped(rest);
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
