import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../src-main/engine/audio/decode';
import { encodeWav } from '../../src-main/engine/audio/wav';
import { mixCommand } from '../../src-main/cli/commands/mix';
import { createRng } from '../../src-main/engine/mix/prng';
import { backgroundExcerpt, loopCrossfadeLength, renderBackground, rms } from '../../src-main/engine/mix/render';
import { runMix, LOOP_CROSSFADE_SECONDS, type MixManifest, type MixOptions, type MixProgress } from '../../src-main/engine/mix/run';
import { SPLITS } from '../../src-main/engine/mix/split';
import type { LongRecipeEntry, Task2RecipeEntry } from '../../src-main/engine/mix/output';
import { capture } from '../cli-io';

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
      const recipe = JSON.parse(await readFile(join(out, split, 'meta', `recipe_${split}.json`), 'utf8')) as { mixtures: Task2RecipeEntry[] };
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
      const recipe = JSON.parse(await readFile(join(out, split, 'meta', `recipe_${split}.json`), 'utf8')) as { mixtures: Task2RecipeEntry[] };
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

describe('long recordings (eventsPerMinute)', () => {
  let out: string;
  let manifest: MixManifest;
  // 40 s at 6 events per minute: 4 events each, over 3-8 s backgrounds (many scene changes).
  const longOptions = (dir: string, extra: Partial<MixOptions> = {}) =>
    options(dir, { count: 2, evalCount: 3, splits: ['train', 'test'], lengthSeconds: 40, eventsPerMinute: 6, ...extra });
  const recipeOf = async (dir: string, split: string) =>
    JSON.parse(await readFile(join(dir, split, 'meta', `recipe_${split}.json`), 'utf8')) as { mixtures: LongRecipeEntry[] };
  const lines = async (dir: string, file: string) => (await readFile(join(dir, file), 'utf8')).trimEnd().split('\n');

  beforeAll(async () => {
    out = join(root, 'long-a');
    const result = await runMix(longOptions(out));
    manifest = result.manifest;
    expect(result.mixtures).toBe(2 + 3);
  });

  it('names recordings per split, lists every event, and keeps the per-class lists and counts right', async () => {
    expect(manifest.arguments.eventsPerMinute).toBe(6);
    expect(manifest.longRecordings).toMatchObject({ eventsPerRecording: 4, eventGapSeconds: 1 });
    const seen = new Set<string>();
    for (const [split, n] of [['train', 2], ['test', 3]] as const) {
      const names = Array.from({ length: n }, (_, i) => `${split}_long_${String(i).padStart(4, '0')}.wav`);
      expect((await readdir(join(out, split, 'audio'))).sort()).toEqual(names);
      const recipe = (await recipeOf(out, split)).mixtures;
      expect(recipe.map((m) => m.name)).toEqual(names);
      const all = await lines(out, `${split}/meta/event_list_${split}.txt`);
      const expected = recipe.flatMap((m) => m.events.map((e) => [m.name, String(e.onset), String(e.offset), e.label].join('\t')));
      expect(all).toEqual(expected);
      expect(all).toHaveLength(4 * n);
      for (const label of ['beep', 'hum']) {
        const list = await lines(out, `${split}/meta/event_list_${split}_${label}.txt`);
        const ofClass = recipe.flatMap((m) => {
          const own = m.events.filter((e) => e.label === label);
          return own.length ? own.map((e) => [m.name, String(e.onset), String(e.offset), label].join('\t')) : [m.name];
        });
        expect(list).toEqual(ofClass);
        const events = recipe.reduce((k, m) => k + m.events.filter((e) => e.label === label).length, 0);
        expect(manifest.counts[split]![label]).toEqual({ mixtures: n, withEvent: recipe.filter((m) => m.events.some((e) => e.label === label)).length, events });
      }
      for (const m of recipe) {
        for (const e of m.events) {
          seen.add(e.label);
          expect(manifest.sources.events[e.label][split]).toContain(e.file.split('/').pop());
        }
        for (const b of m.backgrounds) expect(manifest.sources.backgrounds[split]).toContain(b.file.split('/').pop());
        expect(m.backgrounds.length).toBeGreaterThan(4);
      }
    }
    expect([...seen].sort()).toEqual(['beep', 'hum']);
  });

  it('places every event apart, where the reference says, at its EBR against the background under it', async () => {
    const decoded = new Map<string, Float32Array>();
    const audioOf = (file: string) => decoded.get(file)!;
    let checked = 0;
    for (const split of ['train', 'test']) {
      for (const m of (await recipeOf(out, split)).mixtures) {
        const mix = (await decodeAudioFile(join(out, split, 'audio', m.name))).samples;
        expect(mix.length).toBe(40 * RATE);
        for (const b of m.backgrounds) if (!decoded.has(b.file)) decoded.set(b.file, (await decodeAudioFile(join(corpus, b.file))).samples);
        const at = (seconds: number) => Math.round(seconds * RATE);
        const pieces = m.backgrounds.map((b) => ({
          file: b.file,
          start: at(b.sourceOffset),
          at: at(b.onset),
          length: at(b.offset) - at(b.onset),
          looped: false,
          fadeIn: at(b.fadeIn),
          fadeOut: at(b.fadeOut),
        }));
        const bg = renderBackground(pieces, mix.length, audioOf, RATE, LOOP_CROSSFADE_SECONDS);
        const residual = mix.map((x, i) => x - m.mixGain * bg[i]);
        // Outside the listed events the recording is its background.
        const inEvent = (sample: number) => m.events.some((e) => sample >= at(e.onset) && sample < at(e.offset));
        const frame = RATE / 100;
        const floor = 0.01 * m.mixGain * rms(bg);
        for (let f = 0; f < mix.length / frame; f++) {
          if (rms(residual, f * frame, (f + 1) * frame) > floor) expect(inEvent(f * frame) || inEvent((f + 1) * frame - 1)).toBe(true);
        }
        m.events.forEach((e, i) => {
          expect(e.onset).toBeGreaterThanOrEqual(0);
          expect(e.offset).toBeLessThanOrEqual(40);
          if (i > 0) expect(e.onset - m.events[i - 1].offset).toBeGreaterThanOrEqual(1 - 1e-9);
          const on = at(e.onset);
          const off = at(e.offset);
          const ebr = 20 * Math.log10(rms(residual, on, off) / (m.mixGain * rms(bg, on, off)));
          expect(Math.abs(ebr - e.ebrDb)).toBeLessThan(0.05);
          checked++;
        });
      }
    }
    expect(checked).toBe(20);
  });

  it('is byte-for-byte reproducible from the seed', async () => {
    const again = join(root, 'long-b');
    await runMix(longOptions(again));
    const files = await listAll(out);
    expect(await listAll(again)).toEqual(files);
    for (const f of files) expect((await readFile(join(again, f))).equals(await readFile(join(out, f))), f).toBe(true);
  });

  it('makes event-free ambience at 0 events per minute', async () => {
    const dir = join(root, 'ambience');
    const result = await runMix(longOptions(dir, { eventsPerMinute: 0, splits: ['test'], lengthSeconds: 20 }));
    const names = ['test_ambience_0000.wav', 'test_ambience_0001.wav', 'test_ambience_0002.wav'];
    expect((await readdir(join(dir, 'test', 'audio'))).sort()).toEqual(names);
    expect(await lines(dir, 'test/meta/event_list_test.txt')).toEqual(names);
    expect(await lines(dir, 'test/meta/event_list_test_hum.txt')).toEqual(names);
    expect((await recipeOf(dir, 'test')).mixtures.every((m) => m.events.length === 0 && m.backgrounds.length > 1)).toBe(true);
    expect(result.manifest.counts.test!.beep).toEqual({ mixtures: 3, withEvent: 0, events: 0 });
  });

  it('fails before writing any audio when the events cannot fit', async () => {
    const dir = join(root, 'crowded');
    await expect(runMix(longOptions(dir, { lengthSeconds: 5, eventsPerMinute: 60 }))).rejects.toThrow(/5 events .* do not fit in 5 s; lower --events-per-minute or raise --length/);
    expect(await listAll(dir)).toEqual([]);
  });
});

describe('Task 2 output', () => {
  // SHA-256 over every file of a small mix: the Task 2 path must keep writing exactly these bytes for the
  // same arguments. First computed before long recordings were added; recomputed for mix format 2 (event
  // extents by EVENT_EXTENT). A change here must be deliberate, with MIX_FORMAT_VERSION raised.
  const GOLDEN = 'b1deda58d6746159ba20c4504844c2c6d97208af92466df5303a2472a8984d91';

  it('is byte-for-byte what mix format 2 wrote', async () => {
    const out = join(root, 'golden');
    await runMix(options(out, { count: 3, evalCount: 2 }));
    const hash = createHash('sha256');
    for (const f of await listAll(out)) {
      let bytes = await readFile(join(out, f));
      if (f === 'manifest.json') {
        // Not part of the mix: the temporary corpus path and the decoder's wording for the broken file.
        const m = JSON.parse(bytes.toString('utf8')) as MixManifest;
        bytes = Buffer.from(JSON.stringify({ ...m, arguments: { ...m.arguments, corpusDir: '' }, skipped: m.skipped.map((s) => s.file) }));
      }
      hash.update(`${f}\n`).update(bytes);
    }
    expect(hash.digest('hex')).toBe(GOLDEN);
  });
});

describe('earmark mix command', () => {

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
    expect(await mixCommand.run(['--corpus', join(root, 'nope'), '--out', join(root, 'y'), '--count', '1'], io3)).toBe(2);
    expect(io3.err).toMatch(/--corpus: ".*nope" does not exist/);
    const io4 = capture();
    expect(await mixCommand.run(['--corpus', corpus, '--out', join(root, 'z'), '--count', '1', '--events-per-minute=-1'], io4)).toBe(2);
    expect(io4.err).toMatch(/--events-per-minute must be at least 0, got -1/);
    const io4b = capture(); // node's parseArgs reads a separate "-1" as an option: also a usage error
    expect(await mixCommand.run(['--corpus', corpus, '--out', join(root, 'z'), '--count', '1', '--events-per-minute', '-1'], io4b)).toBe(2);
    expect(io4b.err).toMatch(/--events-per-minute/);
    const io5 = capture();
    expect(await mixCommand.run(['--corpus', corpus, '--out', join(root, 'z'), '--count', '1', '--events-per-minute', 'often'], io5)).toBe(2);
    expect(io5.err).toMatch(/--events-per-minute expects a number, got "often"/);
  });

  it('makes long recordings with --events-per-minute, counting recordings per split', async () => {
    const io = capture();
    const out = join(root, 'cli-long');
    const args = ['--corpus', corpus, '--out', out, '--count', '0', '--eval-count', '2', '--length', '20', '--events-per-minute', '7.4'];
    const code = await mixCommand.run([...args, '--splits', 'test', '--classes', 'beep,hum', '--seed', '7'], io);
    expect(code, io.err).toBe(0);
    expect(io.err).toMatch(/^test: 2 long recordings \(4 events\)/m); // round(7.4 * 20 / 60) = 2 each
    expect(io.out).toMatch(/wrote 2 long recordings/);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as MixManifest;
    expect(manifest.arguments).toMatchObject({ count: 0, evalCount: 2, lengthSeconds: 20, eventsPerMinute: 7.4, seed: 7 });
    expect((await readdir(join(out, 'test', 'audio'))).sort()).toEqual(['test_long_0000.wav', 'test_long_0001.wav']);
  });
});
