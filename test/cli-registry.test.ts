import { describe, expect, it } from 'vitest';
import { main } from '../src-main/cli/index';
import { commands, summaryOf } from '../src-main/cli/registry';
import { AUDIO_EXTENSIONS } from '../src-main/engine/detect';

describe('earmark command registry', () => {
  it('lists every command with the summary its own --help shows, loading it only on demand', async () => {
    const out: string[] = [];
    expect(await main(['--help'], { stdout: (t) => out.push(t), stderr: (t) => out.push(t), isTTY: false })).toBe(0);
    for (const entry of commands) {
      expect(out.join('')).toContain(`  ${entry.name.padEnd(12)} ${entry.summary}`);
      const command = await entry.load();
      expect(command.spec.name).toBe(entry.name);
      expect(command.spec.summary).toBe(entry.summary);
    }
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
    expect(() => summaryOf('nope')).toThrow(/not registered/);
  });

  it("names in detect's help every extension detect reads", async () => {
    const out: string[] = [];
    expect(await main(['detect', '--help'], { stdout: (t) => out.push(t), stderr: (t) => out.push(t), isTTY: false })).toBe(0);
    expect(AUDIO_EXTENSIONS).toContain('.wave');
    expect(out.join('')).toContain(`searched recursively for ${AUDIO_EXTENSIONS.join(' ')}`);
  });
});
