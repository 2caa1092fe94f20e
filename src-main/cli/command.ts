import { CliUsageError, formatHelp, parseCommand, type CommandSpec, type OptionSpecs, type ParsedCommand } from './args';
import { EXIT, isInputError } from './exit-codes';

/** Where a command writes: injectable so tests can capture output without spawning a process. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  isTTY: boolean;
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stderr.isTTY),
};

export interface CliCommand {
  spec: CommandSpec<OptionSpecs>;
  /** Returns the process exit code. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Builds a command whose handler receives typed, validated arguments; handles --help and usage errors. */
export function defineCommand<S extends OptionSpecs>(
  spec: CommandSpec<S>,
  handler: (args: ParsedCommand<S>, io: CliIO) => Promise<number>,
): CliCommand {
  return {
    spec: spec as unknown as CommandSpec<OptionSpecs>,
    async run(argv, io) {
      let args: ParsedCommand<S>;
      try {
        args = parseCommand(spec, argv);
      } catch (error) {
        if (error instanceof CliUsageError) {
          io.stderr(`earmark ${spec.name}: ${error.message}\n\n${formatHelp(spec)}\n`);
          return EXIT.invalidInput;
        }
        throw error;
      }
      if (args.help) {
        io.stdout(`${formatHelp(spec)}\n`);
        return EXIT.ok;
      }
      try {
        return await handler(args, io);
      } catch (error) {
        io.stderr(`earmark ${spec.name}: ${(error as Error)?.message ?? String(error)}\n`);
        if (error instanceof CliUsageError || isInputError(error)) return EXIT.invalidInput;
        if (process.env.EARMARK_DEBUG) io.stderr(`${(error as Error)?.stack}\n`);
        return EXIT.internal;
      }
    },
  };
}
