import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow, BenchSection } from './lib';
import { decodeAudioFile } from '../src-main/engine/audio/decode';
import { resample, StreamingResampler } from '../src-main/engine/audio/resample';
import { streamAudioFile } from '../src-main/engine/audio/stream';
import { DEFAULT_FEATURE_CONFIG } from '../src-main/engine/features/config';
import { computeLogMel, LogMelExtractor } from '../src-main/engine/features/logmel';

const THIS_FILE = fileURLToPath(import.meta.url);
const RSS_CHILD_ENV = 'EARMARK_BENCH_AUDIO_RSS_CHILD';

function hasTool(name: string): boolean {
  return spawnSync('which', [name], { stdio: 'ignore' }).status === 0;
}

function sox(args: string[]): void {
  execFileSync('sox', args, { stdio: 'ignore' });
}

function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'earmark-bench-audio-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; seconds: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - t) / 1000 };
}

function noise(n: number): Float32Array {
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

const DECODE_SECONDS = 600;

/** Decode speed of a 10-minute 44.1 kHz stereo signal per format (made with sox / lame). */
export const audioDecodeBench: BenchSection = {
  name: 'audio-decode',
  async run() {
    if (!hasTool('sox')) return { skipped: 'sox not installed (apt-get install sox)' };
    return withTempDir(async (dir) => {
      const wav = join(dir, 'src.wav');
      sox(['-n', '-r', '44100', '-c', '2', '-b', '16', wav, 'synth', String(DECODE_SECONDS), 'sine', '220-4000', 'pinknoise', 'vol', '0.4']);
      const rows: BenchRow[] = [];
      const makers: Record<string, (out: string) => void> = {
        wav: () => {},
        flac: (out) => sox([wav, out]),
        mp3: (out) => (hasTool('lame') ? execFileSync('lame', ['--quiet', '-b', '128', wav, out]) : sox([wav, out])),
        ogg: (out) => sox([wav, out]),
      };
      for (const [format, make] of Object.entries(makers)) {
        const file = format === 'wav' ? wav : join(dir, `src.${format}`);
        try {
          make(file);
        } catch (e) {
          rows.push({ section: 'audio-decode', metric: `${format} decode`, value: 0, unit: 'x realtime', notes: `skipped: could not encode ${format} (${(e as Error).message.split('\n')[0]})` });
          continue;
        }
        const whole = await timed(() => decodeAudioFile(file));
        const to16k = await timed(() => decodeAudioFile(file, { targetRate: 16000 }));
        const mb = (statSync(file).size / 2 ** 20).toFixed(1);
        rows.push({ section: 'audio-decode', metric: `${format} decode (44.1 kHz stereo -> mono)`, value: DECODE_SECONDS / whole.seconds, unit: 'x realtime', notes: `10 min, ${mb} MB, ${whole.seconds.toFixed(2)} s` });
        rows.push({ section: 'audio-decode', metric: `${format} decode + resample to 16 kHz`, value: DECODE_SECONDS / to16k.seconds, unit: 'x realtime', notes: `${to16k.seconds.toFixed(2)} s` });
      }
      return rows;
    });
  },
};

/** Resampling and log-mel speed on 10 minutes of signal. */
export const audioFeaturesBench: BenchSection = {
  name: 'audio-features',
  async run() {
    const x44 = noise(44100 * DECODE_SECONDS);
    const down = await timed(() => resample(x44, 44100, 16000));
    const x16 = noise(16000 * DECODE_SECONDS);
    const up = await timed(() => resample(x16, 16000, 44100));
    const mel = await timed(() => computeLogMel(x16, DEFAULT_FEATURE_CONFIG));
    const c = DEFAULT_FEATURE_CONFIG;
    return [
      {
        section: 'audio-features',
        metric: 'resample 44.1k -> 16k',
        value: DECODE_SECONDS / down.seconds,
        unit: 'x realtime',
        notes: `${down.seconds.toFixed(2)} s for 10 min; ${new StreamingResampler(44100, 16000).kernelName} kernel`,
      },
      { section: 'audio-features', metric: 'resample 16k -> 44.1k', value: DECODE_SECONDS / up.seconds, unit: 'x realtime', notes: `${up.seconds.toFixed(2)} s for 10 min` },
      {
        section: 'audio-features',
        metric: `log-mel ${c.melBands} bands, fft ${c.fftSize}, hop ${c.hopLength} @16k`,
        value: DECODE_SECONDS / mel.seconds,
        unit: 'x realtime',
        notes: `${mel.seconds.toFixed(2)} s for 10 min, ${mel.value.frames} frames`,
      },
    ];
  },
};

const STREAM_SECONDS = 3600;

/** Peak RSS of streaming a 1-hour FLAC through streamAudioFile + LogMelExtractor, in a child process. */
export const audioStreamMemoryBench: BenchSection = {
  name: 'audio-stream-memory',
  async run() {
    if (!hasTool('sox')) return { skipped: 'sox not installed (apt-get install sox)' };
    return withTempDir(async (dir) => {
      const flac = join(dir, 'hour.flac');
      sox(['-n', '-r', '44100', '-c', '2', '-b', '16', flac, 'synth', String(STREAM_SECONDS), 'sine', '220-4000', 'sine', '300', 'vol', '0.3']);
      const child = spawnSync(process.execPath, ['--import', 'tsx', THIS_FILE, flac], {
        env: { ...process.env, [RSS_CHILD_ENV]: '1' },
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      if (child.status !== 0) return { skipped: `child failed: ${child.stderr.slice(-500)}` };
      const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { maxRssMB: number; baselineMB: number; seconds: number; frames: number };
      // A full decode holds 2 float channels at 44.1 kHz plus the mono mix and its 16 kHz resample.
      const fullDecodeMB = (STREAM_SECONDS * (44100 * 4 * 3 + 16000 * 4)) / 2 ** 20;
      return [
        { section: 'audio-stream-memory', metric: 'peak RSS, 1 h FLAC stream -> log-mel', value: result.maxRssMB, unit: 'MB', notes: `baseline before streaming ${result.baselineMB.toFixed(0)} MB; ${result.frames} frames` },
        { section: 'audio-stream-memory', metric: 'stream decode + log-mel speed', value: STREAM_SECONDS / result.seconds, unit: 'x realtime', notes: `${result.seconds.toFixed(1)} s for 1 h` },
        { section: 'audio-stream-memory', metric: 'memory a full decode would need (estimate)', value: Math.round(fullDecodeMB), unit: 'MB', notes: '2 ch float32 @44.1k + mono + 16k copy' },
      ];
    });
  },
};

export const audioBenchSections: BenchSection[] = [audioDecodeBench, audioFeaturesBench, audioStreamMemoryBench];

/** Peak resident set of this process, MB. VmHWM, unlike getrusage's maxRSS, is not inherited across fork+exec. */
function peakRssMB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function rssChild(file: string): Promise<void> {
  const baselineMB = peakRssMB();
  const t = performance.now();
  const extractor = new LogMelExtractor(DEFAULT_FEATURE_CONFIG);
  let frames = 0;
  for await (const block of streamAudioFile(file, { targetRate: DEFAULT_FEATURE_CONFIG.sampleRate, blockSeconds: 10 })) {
    frames += extractor.push(block).frames;
  }
  frames += extractor.flush().frames;
  const seconds = (performance.now() - t) / 1000;
  console.log(JSON.stringify({ maxRssMB: peakRssMB(), baselineMB, seconds, frames }));
}

if (process.env[RSS_CHILD_ENV] === '1' && process.argv[2]) await rssChild(process.argv[2]);
