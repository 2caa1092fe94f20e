import { processIO, type CliIO } from './command';
import { EXIT } from './exit-codes';
import { commands, type CommandEntry } from './registry';

function overview(list: readonly CommandEntry[]): string {
  const lines = ['Usage: earmark COMMAND [options]', '', 'Sound event detection and annotation.', '', 'Commands:'];
  for (const command of list) lines.push(`  ${command.name.padEnd(12)} ${command.summary}`);
  lines.push('', 'Run `earmark COMMAND --help` for the options of a command.');
  return lines.join('\n');
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${overview(commands)}\n`);
    return name === undefined ? EXIT.invalidInput : EXIT.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`earmark: unknown command "${name}"\n\n${overview(commands)}\n`);
    return EXIT.invalidInput;
  }
  // A command that saves its work on SIGINT/SIGTERM listens itself; any other stops at once, with the one exit code.
  const fallback = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) === 1) process.exit(EXIT.interrupted);
  };
  const command = await entry.load();
  process.on('SIGINT', fallback);
  process.on('SIGTERM', fallback);
  try {
    return await command.run(rest, io);
  } finally {
    process.off('SIGINT', fallback);
    process.off('SIGTERM', fallback);
  }
}
