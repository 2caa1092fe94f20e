import type { CliIO } from '../src-main/cli/command';
import { encodeWav } from '../src-main/engine/audio/wav';

/** A CLI io that keeps what a command writes. */
export function capture(): CliIO & { out: string; err: string } {
  const io = { out: '', err: '', isTTY: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

/** A 16 kHz WAV of `seconds` with a 1 kHz tone from `from` to `to` s and silence elsewhere. */
export function tone(seconds: number, from: number, to: number): Buffer {
  const x = new Float32Array(seconds * 16000);
  for (let i = Math.round(from * 16000); i < Math.round(to * 16000); i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000);
  return encodeWav(x, 16000);
}
