import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: ROOT });

/** Lints a fixture from test/fixtures/lint as if it lived at `as` in the repository. */
async function boundaryErrors(fixture: string, as: string): Promise<string[]> {
  const code = readFileSync(join(ROOT, 'test', 'fixtures', 'lint', fixture), 'utf8');
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, as) });
  return result.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('eslint layer boundaries (npm test runs `eslint .`)', () => {
  it('fails an engine module that imports a host', async () => {
    expect(await boundaryErrors('engine-imports-host.ts', 'src-main/engine/lint-fixture.ts')).toEqual([
      expect.stringMatching(/^earmark\/layer-boundaries: engine must not import from cli/),
    ]);
  });

  it('fails an engine module that imports electron', async () => {
    expect(await boundaryErrors('engine-imports-electron.ts', 'src-main/engine/lint-fixture.ts')).toEqual([
      expect.stringMatching(/engine must not import "electron"/),
    ]);
  });

  it('fails a host that imports another host', async () => {
    expect(await boundaryErrors('host-imports-host.ts', 'src-main/cli/lint-fixture.ts')).toEqual([expect.stringMatching(/cli must not import from electron/)]);
  });

  it('fails a renderer component that imports the engine', async () => {
    expect(await boundaryErrors('renderer-imports-engine.vue', 'src-renderer/components/LintFixture.vue')).toEqual([
      expect.stringMatching(/renderer must not import from engine/),
    ]);
  });

  it('passes imports within a layer', async () => {
    expect(await boundaryErrors('engine-imports-engine.ts', 'src-main/engine/lint-fixture.ts')).toEqual([]);
  });
});
