import { processIO, type CliCommand, type CliIO } from './command';
import { commands } from './registry';

function overview(list: readonly CliCommand[]): string {
  const lines = ['Usage: earmark COMMAND [options]', '', 'Sound event detection and annotation.', '', 'Commands:'];
  for (const command of list) lines.push(`  ${command.spec.name.padEnd(12)} ${command.spec.summary}`);
  lines.push('', 'Run `earmark COMMAND --help` for the options of a command.');
  return lines.join('\n');
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${overview(commands)}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.spec.name === name);
  if (!command) {
    io.stderr(`earmark: unknown command "${name}"\n\n${overview(commands)}\n`);
    return 2;
  }
  return command.run(rest, io);
}
