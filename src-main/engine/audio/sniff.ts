/** Audio formats Earmark decodes. */
export type AudioFormat = 'wav' | 'flac' | 'mp3' | 'ogg';

export type SniffResult =
  | { kind: 'audio'; format: AudioFormat; /** where the stream starts (after an ID3v2 tag) */ offset: number }
  | { kind: 'unsupported'; what: string }
  | { kind: 'text' }
  | { kind: 'unknown' };

/** Bytes of file head that sniffing needs (an ID3v2 tag may push the real header further). */
export const SNIFF_BYTES = 4096;

function tag(b: Uint8Array, offset: number, text: string): boolean {
  if (offset + text.length > b.length) return false;
  for (let i = 0; i < text.length; i++) if (b[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Size of an ID3v2 tag at the start of `b`, or 0. */
export function id3v2Size(b: Uint8Array): number {
  if (b.length < 10 || !tag(b, 0, 'ID3')) return 0;
  const size = ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f);
  return 10 + size + (b[5] & 0x10 ? 10 : 0);
}

export interface Mp3FrameHeader {
  sampleRate: number;
  channels: 1 | 2;
  bitrateKbps: number;
  frameBytes: number;
  samplesPerFrame: number;
  mpeg1: boolean;
}

const MP3_BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MP3_BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const MP3_RATES = [44100, 48000, 32000];

/** Parse an MPEG-1/2/2.5 Layer III frame header at `p`, or null. */
export function parseMp3FrameHeader(b: Uint8Array, p: number): Mp3FrameHeader | null {
  if (p + 4 > b.length || b[p] !== 0xff || (b[p + 1] & 0xe0) !== 0xe0) return null;
  const version = (b[p + 1] >> 3) & 3; // 0: 2.5, 2: 2, 3: 1
  const layer = (b[p + 1] >> 1) & 3; // 1: Layer III
  const brIndex = b[p + 2] >> 4;
  const srIndex = (b[p + 2] >> 2) & 3;
  if (version === 1 || layer !== 1 || brIndex === 0 || brIndex === 15 || srIndex === 3) return null;
  const mpeg1 = version === 3;
  const sampleRate = MP3_RATES[srIndex] / (mpeg1 ? 1 : version === 2 ? 2 : 4);
  const bitrateKbps = (mpeg1 ? MP3_BITRATES_V1 : MP3_BITRATES_V2)[brIndex];
  const padding = (b[p + 2] >> 1) & 1;
  const frameBytes = Math.floor(((mpeg1 ? 144000 : 72000) * bitrateKbps) / sampleRate) + padding;
  return { sampleRate, channels: b[p + 3] >> 6 === 3 ? 1 : 2, bitrateKbps, frameBytes, samplesPerFrame: mpeg1 ? 1152 : 576, mpeg1 };
}

/** Identify the container/codec from the first bytes of a file. */
export function sniffAudio(b: Uint8Array): SniffResult {
  if (tag(b, 0, 'RIFF') && tag(b, 8, 'WAVE')) return { kind: 'audio', format: 'wav', offset: 0 };
  if (tag(b, 0, 'RF64')) return { kind: 'unsupported', what: 'RF64 WAV' };
  if (tag(b, 0, 'RIFF')) return { kind: 'unsupported', what: `RIFF/${String.fromCharCode(...b.subarray(8, 12))}` };
  if (tag(b, 0, 'fLaC')) return { kind: 'audio', format: 'flac', offset: 0 };
  if (tag(b, 0, 'OggS')) {
    const packet = 27 + (b[26] ?? 0);
    if (b[packet] === 1 && tag(b, packet + 1, 'vorbis')) return { kind: 'audio', format: 'ogg', offset: 0 };
    if (tag(b, packet, 'OpusHead')) return { kind: 'unsupported', what: 'Ogg Opus' };
    if (tag(b, packet, '\x7fFLAC')) return { kind: 'unsupported', what: 'Ogg FLAC' };
    return { kind: 'unsupported', what: 'Ogg stream with an unknown codec' };
  }
  if (tag(b, 0, 'FORM') && (tag(b, 8, 'AIFF') || tag(b, 8, 'AIFC'))) return { kind: 'unsupported', what: 'AIFF' };
  if (tag(b, 4, 'ftyp')) return { kind: 'unsupported', what: 'MP4/M4A' };
  if (tag(b, 0, 'caff')) return { kind: 'unsupported', what: 'CAF' };
  if (tag(b, 0, '.snd')) return { kind: 'unsupported', what: 'Sun/NeXT AU' };
  if (tag(b, 0, 'wvpk')) return { kind: 'unsupported', what: 'WavPack' };
  const id3 = id3v2Size(b);
  if (id3 > 0) {
    if (tag(b, id3, 'fLaC')) return { kind: 'audio', format: 'flac', offset: id3 };
    // The tag may be longer than the sniffed head: trust the ID3 tag (MP3's usual prefix).
    if (id3 + 4 > b.length || parseMp3FrameHeader(b, id3)) return { kind: 'audio', format: 'mp3', offset: id3 };
  }
  const first = parseMp3FrameHeader(b, 0);
  // Require a second consecutive frame header so random bytes are not taken for MP3.
  if (first && (first.frameBytes + 4 > b.length || parseMp3FrameHeader(b, first.frameBytes))) {
    return { kind: 'audio', format: 'mp3', offset: 0 };
  }
  return looksLikeText(b) ? { kind: 'text' } : { kind: 'unknown' };
}

function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 1024);
  if (n === 0) return false;
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0) return false;
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128) printable++;
  }
  return printable / n >= 0.95;
}
