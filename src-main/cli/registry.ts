import type { CliCommand } from './command';

// Each command lives in its own module under ./commands and is listed here once.
export const commands: readonly CliCommand[] = [];
