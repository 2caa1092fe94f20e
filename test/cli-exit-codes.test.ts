import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src-main/cli';
import type { CliIO } from '../src-main/cli/command';
import { EXIT, isInputError } from '../src-main/cli/exit-codes';
import { encodeWav } from '../src-main/engine/audio/wav';
import { energyDetector, writeFixtureModel } from './engine/onnx-fixtures';

let dir: string;
let modelDir: string;

async function run(...argv: string[]): Promise<{ code: number; err: string }> {
  const io: CliIO & { err: string } = { err: '', isTTY: false, stdout: () => {}, stderr: (t) => void (io.err += t) };
  return { code: await main(argv, io), err: io.err };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earmark-exit-'));
  process.env.EARMARK_CACHE_DIR = join(dir, 'cache');
  modelDir = join(dir, 'model');
  await writeFixtureModel(modelDir, { ...energyDetector(64), normalization: { mean: new Array(64).fill(-6), std: new Array(64).fill(1) } });
  await mkdir(join(dir, 'rec'));
  await mkdir(join(dir, 'empty'));
  await writeFile(join(dir, 'rec', 'ok.wav'), encodeWav(new Float32Array(16000), 16000));
  await writeFile(join(dir, 'rec', 'broken.wav'), 'RIFF and nothing else');
  await writeFile(join(dir, 'ref.txt'), 'a.wav\t1\t2\tdog\n');
  await writeFile(join(dir, 'bad.txt'), 'a.wav\t4\t3\tdog\n');
  await writeFile(join(dir, 'not-a.db'), 'this is not SQLite');
  await writeFixtureModel(join(dir, 'dogs'), { ...energyDetector(64), classes: ['dog', 'cat', 'cow'] });
});
afterAll(async () => {
  delete process.env.EARMARK_CACHE_DIR;
  await rm(dir, { recursive: true, force: true });
});

describe('exit codes: one rule for every command', () => {
  it('2 for usage mistakes, in every command', async () => {
    expect((await run('nope')).code).toBe(EXIT.invalidInput);
    expect((await run()).code).toBe(EXIT.invalidInput);
    for (const command of ['detect', 'eval', 'convert', 'mix', 'train', 'ensemble', 'finetune', 'serve']) {
      expect((await run(command, '--no-such-option')).code, command).toBe(EXIT.invalidInput);
    }
  });

  it('2 for invalid or missing input files, in every command that reads them', async () => {
    const cases: [string, string[], RegExp][] = [
      ['eval: malformed', ['eval', join(dir, 'ref.txt'), join(dir, 'bad.txt')], /bad\.txt:1: offset 3 is before onset 4/],
      ['eval: missing', ['eval', join(dir, 'ref.txt'), join(dir, 'none.txt')], /file not found/],
      ['convert: missing', ['convert', join(dir, 'none.txt'), join(dir, 'x.csv')], /file not found/],
      ['detect: missing folder', ['detect', join(dir, 'none'), '--model', modelDir], /does not exist/],
      ['detect: no audio', ['detect', join(dir, 'empty'), '--model', modelDir], /no audio files/],
      ['detect: not a model', ['detect', join(dir, 'rec'), '--model', join(dir, 'empty')], /--model: no model/],
      ['detect: not a database', ['detect', join(dir, 'rec'), '--model', modelDir, '--db', join(dir, 'not-a.db')], /--db .*not a database/],
      ['finetune: missing database', ['finetune', '--db', join(dir, 'none.db')], /--db: ".*none\.db" does not exist/],
      ['finetune: not a database', ['finetune', '--db', join(dir, 'not-a.db')], /not a database/],
      ['ensemble: one model', ['ensemble', modelDir, '--data', join(dir, 'none'), '--out', join(dir, 'ens')], /an ensemble needs at least two networks/],
      ['ensemble: no such network', ['ensemble', `${modelDir}#1,2`, '--data', join(dir, 'none'), '--out', join(dir, 'ens')], /has 1 network, not a network 2/],
      ['ensemble: bad network list', ['ensemble', `${modelDir}#first`, '--data', join(dir, 'none'), '--out', join(dir, 'ens')], /after # give network numbers from 1/],
      ['ensemble: not a model', ['ensemble', modelDir, join(dir, 'empty'), '--data', join(dir, 'none'), '--out', join(dir, 'ens')], /cannot load model ".*empty"/],
      ['ensemble: other classes', ['ensemble', modelDir, join(dir, 'dogs'), '--data', join(dir, 'none'), '--out', join(dir, 'ens')], /cannot combine these models: ".*dogs" has classes dog,cat,cow/],
      ['mix: missing corpus', ['mix', '--corpus', join(dir, 'none'), '--out', join(dir, 'mix'), '--count', '2'], /--corpus: .* does not exist/],
    ];
    for (const [what, argv, message] of cases) {
      const { code, err } = await run(...argv);
      expect({ what, code }).toEqual({ what, code: EXIT.invalidInput });
      expect(err, what).toMatch(message);
    }
  });

  it('3 when some files of a batch failed, 1 for internal and system errors', async () => {
    const batch = await run('detect', join(dir, 'rec'), '--model', modelDir, '--jobs', '0');
    expect(batch.code).toBe(EXIT.someFailed);
    expect(batch.err).toMatch(/1 file detected, 1 failed/);
    // The output path runs through a file: the system refuses the write, not the user's input.
    const unwritable = await run('convert', join(dir, 'ref.txt'), join(dir, 'ref.txt', 'out.csv'));
    expect(unwritable.code).toBe(EXIT.internal);
    expect(isInputError(new Error('boom'))).toBe(false);
    expect(isInputError(Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' }))).toBe(true);
  });
});
