import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../src-main/engine/audio/decode';
import { encodeWav } from '../../src-main/engine/audio/wav';
import { mixCommand } from '../../src-main/cli/commands/mix';
import type { CliIO } from '../../src-main/cli/command';
import { createRng } from '../../src-main/engine/mix/prng';
import { backgroundExcerpt, loopCrossfadeLength, rms } from '../../src-main/engine/mix/render';
import { runMix, LOOP_CROSSFADE_SECONDS, type MixManifest, type MixOptions, type MixProgress } from '../../src-main/engine/mix/run';
import { SPLITS } from '../../src-main/engine/mix/split';
import type { RecipeEntry } from '../../src-main/engine/mix/output';

const RATE = 16000;
const LEAD = 0.2; // seconds of silence before each synthetic event's tone burst
let root: string;
let corpus: string;

function noise(seconds: number, amplitude: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: Math.round(seconds * RATE) }, () => amplitude * (rng.next() * 2 - 1));
}

/** LEAD s of silence, then a 1 kHz burst of `seconds`, then 0.3 s of silence. */
function burst(seconds: number, amplitude: number): Float32Array {
  const out = new Float32Array(Math.round((LEAD + seconds + 0.3) * RATE));
  const from = Math.round(LEAD * RATE);
  for (let i = 0; i < Math.round(seconds * RATE); i++) out[from + i] = amplitude * Math.sin((2 * Math.PI * 1000 * i) / RATE);
  return out;
}

async function makeCorpus(dir: string): Promise<void> {
  await mkdir(join(dir, 'events', 'beep'), { recursive: true });
  await mkdir(join(dir, 'events', 'hum'), { recursive: true });
  await mkdir(join(dir, 'backgrounds'), { recursive: true });
  for (let i = 0; i < 10; i++) {
    await writeFile(join(dir, 'events', 'beep', `beep_${i}.wav`), encodeWav(burst(0.3 + 0.1 * i, 0.5), RATE));
    await writeFile(join(dir, 'events', 'hum', `hum_${i}.wav`), encodeWav(burst(1 + 0.2 * i, 0.2), RATE));
  }
  await writeFile(join(dir, 'events', 'beep', 'broken.wav'), 'this is not audio at all');
  // 8 source recordings, some cut into several files; some shorter than a mixture (looped).
  for (let g = 0; g < 8; g++) {
    for (let k = 0; k < 1 + (g % 2); k++) {
      await writeFile(join(dir, 'backgrounds', `amb_src${g}_${10 + k}.wav`), encodeWav(noise(g % 3 === 0 ? 3 : 8, 0.02 + 0.01 * g, 100 * g + k), RATE));
    }
  }
}

function options(out: string, extra: Partial<MixOptions> = {}): MixOptions {
  return {
    corpusDir: corpus,
    outDir: out,
    count: 6,
    evalCount: 4,
    seed: 11,
    ebrsDb: [-6, 0, 6],
    lengthSeconds: 5,
    eventProbability: 0.6,
    sampleRate: RATE,
    splits: ['train', 'validation', 'test'],
    classes: ['beep', 'hum'],
    ...extra,
  };
}

async function listAll(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'earmark-mix-'));
  corpus = join(root, 'corpus');
  await makeCorpus(corpus);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('runMix on a synthetic corpus', () => {
  let out: string;
  let manifest: MixManifest;
  const events: MixProgress[] = [];

  beforeAll(async () => {
    out = join(root, 'mix-a');
    const result = await runMix(options(out), (p) => events.push(p));
    manifest = result.manifest;
    expect(result.mixtures).toBe(2 * (6 + 4 + 4));
  });

  it('writes the fixed layout with the requested counts per class', async () => {
    const files = await listAll(out);
    expect(files).toContain('manifest.json');
    for (const split of SPLITS) {
      const n = split === 'train' ? 6 : 4;
      for (const label of ['beep', 'hum']) {
        for (let i = 0; i < n; i++) expect(files).toContain(`${split}/audio/${split}_${label}_${String(i).padStart(4, '0')}.wav`);
        expect(files).not.toContain(`${split}/audio/${split}_${label}_${String(n).padStart(4, '0')}.wav`);
        const list = (await readFile(join(out, split, 'meta', `event_list_${split}_${label}.txt`), 'utf8')).trimEnd().split('\n');
        expect(list).toHaveLength(n);
        expect(manifest.counts[split]![label].mixtures).toBe(n);
      }
      const all = (await readFile(join(out, split, 'meta', `event_list_${split}.txt`), 'utf8')).trimEnd().split('\n');
      expect(all).toHaveLength(2 * n);
      expect(files).toContain(`${split}/meta/recipe_${split}.json`);
    }
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(manifest.complete).toBe(true);
  });

  it('reports and skips the corrupt corpus file', () => {
    expect(manifest.skipped.map((s) => s.file)).toEqual(['events/beep/broken.wav']);
    expect(manifest.skipped[0].reason).toMatch(/broken\.wav/);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'skip', file: 'events/beep/broken.wav' }));
  });

  it('uses disjoint source files per split', () => {
    const seen = new Map<string, string>();
    for (const split of SPLITS) {
      const names = [...manifest.sources.backgrounds[split], ...manifest.sources.events.beep[split], ...manifest.sources.events.hum[split]];
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        expect(seen.has(name)).toBe(false);
        seen.set(name, split);
      }
    }
  });

  it('lists each mixture as DCASE lines matching the recipe, with the event from its split', async () => {
    for (const split of SPLITS) {
      const recipe = JSON.parse(await readFile(join(out, split, 'meta', `recipe_${split}.json`), 'utf8')) as { mixtures: RecipeEntry[] };
      const lines = (await readFile(join(out, split, 'meta', `event_list_${split}.txt`), 'utf8')).trimEnd().split('\n');
      expect(lines).toHaveLength(recipe.mixtures.length);
      recipe.mixtures.forEach((m, i) => {
        const fields = lines[i].split('\t');
        if (!m.event) {
          expect(fields).toEqual([m.name]); // no event: the name alone
          return;
        }
        expect(fields).toEqual([m.name, String(m.event.onset), String(m.event.offset), m.label]);
        expect(lines[i]).toMatch(/^\S+\.wav\t\d+(\.\d{1,6})?\t\d+(\.\d{1,6})?\t\w+$/);
        expect(manifest.sources.events[m.label][split]).toContain(m.event.file.split('/').pop());
        expect(manifest.sources.backgrounds[split]).toContain(m.background.file.split('/').pop());
      });
    }
  });

  it('puts the event where the reference says, at the requested EBR (measured from the output)', async () => {
    let checked = 0;
    let looped = 0;
    const decoded = new Map<string, Float32Array>();
    for (const split of SPLITS) {
      const recipe = JSON.parse(await readFile(join(out, split, 'meta', `recipe_${split}.json`), 'utf8')) as { mixtures: RecipeEntry[] };
      for (const m of recipe.mixtures) {
        const mix = (await decodeAudioFile(join(out, split, 'audio', m.name))).samples;
        expect(mix.length).toBe(5 * RATE);
        if (!decoded.has(m.background.file)) decoded.set(m.background.file, (await decodeAudioFile(join(corpus, m.background.file))).samples);
        const bgSource = decoded.get(m.background.file)!;
        const crossfade = loopCrossfadeLength(bgSource.length, RATE, LOOP_CROSSFADE_SECONDS);
        const bg = backgroundExcerpt(bgSource, Math.round(m.background.offset * RATE), mix.length, crossfade);
        if (m.background.looped) looped++;
        // The event's share of the output: output minus the (scaled) background.
        const residual = mix.map((x, i) => x - m.mixGain * bg[i]);
        const frame = RATE / 100;
        const active: number[] = [];
        for (let f = 0; f < mix.length / frame; f++) {
          if (rms(residual, f * frame, (f + 1) * frame) > 0.01 * m.mixGain * rms(bg)) active.push(f);
        }
        if (!m.event) {
          expect(active).toEqual([]);
          continue;
        }
        // The burst's energy spans exactly the annotated onset..offset (the event file's leading silence is trimmed).
        expect(Math.abs(active[0] * 0.01 - m.event.onset)).toBeLessThanOrEqual(0.011);
        expect(Math.abs((active[active.length - 1] + 1) * 0.01 - m.event.offset)).toBeLessThanOrEqual(0.011);
        const on = Math.round(m.event.onset * RATE);
        const off = Math.round(m.event.offset * RATE);
        const ebr = 20 * Math.log10(rms(residual, on, off) / (m.mixGain * rms(bg, on, off)));
        expect(Math.abs(ebr - m.event.ebrDb)).toBeLessThan(0.05);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
    expect(looped).toBeGreaterThan(0);
  });

  it('is byte-for-byte reproducible from the same arguments, and differs with another seed', async () => {
    const again = join(root, 'mix-b');
    await runMix(options(again));
    const files = await listAll(out);
    expect(await listAll(again)).toEqual(files);
    for (const f of files) expect((await readFile(join(again, f))).equals(await readFile(join(out, f))), f).toBe(true);
    const other = join(root, 'mix-c');
    await runMix(options(other, { seed: 12 }));
    expect((await readFile(join(other, 'train/meta/event_list_train.txt'), 'utf8')) === (await readFile(join(out, 'train/meta/event_list_train.txt'), 'utf8'))).toBe(false);
    // The source split does not depend on the seed.
    expect(JSON.parse(await readFile(join(other, 'manifest.json'), 'utf8')).sources).toEqual(manifest.sources);
  });

  it('refuses to overwrite a mix made with other arguments unless forced', async () => {
    await expect(runMix(options(out, { count: 3 }))).rejects.toThrow(/holds a mix made with different arguments.*--force/);
    await runMix(options(out)); // same arguments: allowed
    const forced = await runMix(options(out, { count: 3, force: true, splits: ['train'] }));
    expect(forced.mixtures).toBe(6);
    const files = await listAll(out);
    expect(files.filter((f) => f.startsWith('validation/'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('train/audio/'))).toHaveLength(6);
    const foreign = join(root, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'keep.txt'), 'x');
    await expect(runMix(options(foreign))).rejects.toThrow(/not empty and holds no earmark mix manifest/);
  });
});

describe('earmark mix command', () => {
  function capture(): CliIO & { out: string; err: string } {
    const io = { out: '', err: '', isTTY: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
    return io;
  }

  it('runs from arguments, reports progress per split and the skipped file', async () => {
    const io = capture();
    const out = join(root, 'cli');
    const code = await mixCommand.run(
      ['--corpus', corpus, '--out', out, '--count', '2', '--seed', '3', '--length', '2', '--classes', 'beep,hum', '--ebr', '0', '--splits', 'train,test'],
      io,
    );
    expect(code, io.err).toBe(0);
    expect(io.err).toMatch(/skipped events\/beep\/broken\.wav: .*broken\.wav/);
    expect(io.err).toMatch(/^train: 4 mixtures/m);
    expect(io.err).toMatch(/^test: 20 mixtures/m); // --eval-count defaults to max(10, ceil(N/4))
    expect(io.out).toMatch(/wrote 24 mixtures/);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as MixManifest;
    expect(manifest.arguments).toMatchObject({ count: 2, evalCount: 10, seed: 3, ebrsDb: [0], lengthSeconds: 2, splits: ['train', 'test'] });
    expect(await readdir(out)).not.toContain('validation');
  });

  it('draws a progress bar when stderr is a terminal', async () => {
    const io = { ...capture(), isTTY: true };
    let err = '';
    io.stderr = (t: string) => void (err += t);
    const code = await mixCommand.run(['--corpus', corpus, '--out', join(root, 'tty'), '--count', '1', '--eval-count', '1', '--length', '1', '--classes', 'beep'], io);
    expect(code).toBe(0);
    expect(err).toMatch(/\rdecoding +\[#+\] 23\/23/); // 10 beeps + broken.wav + 12 backgrounds
    expect(err).toMatch(/\rtrain +\[#{30}\] 1\/1/);
  });

  it('rejects bad arguments with a usage error', async () => {
    const io = capture();
    expect(await mixCommand.run(['--corpus', corpus, '--out', join(root, 'x'), '--count', '2', '--ebr', '0,loud'], io)).toBe(2);
    expect(io.err).toMatch(/--ebr expects .*"loud"/);
    const io2 = capture();
    expect(await mixCommand.run(['--corpus', corpus, '--out', join(root, 'x')], io2)).toBe(2);
    expect(io2.err).toMatch(/--count is required/);
    const io3 = capture();
    expect(await mixCommand.run(['--corpus', join(root, 'nope'), '--out', join(root, 'y'), '--count', '1'], io3)).toBe(1);
    expect(io3.err).toMatch(/cannot read corpus folder .*nope/);
  });
});
