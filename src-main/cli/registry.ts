import type { CliCommand } from './command';
import { convertCommand } from './commands/convert';
import { detectCommand } from './commands/detect';
import { evalCommand } from './commands/eval';
import { finetuneCommand } from './commands/finetune';
import { mergeCommand } from './commands/merge';
import { mixCommand } from './commands/mix';
import { serveCommand } from './commands/serve';
import { trainCommand } from './commands/train';

// Each command lives in its own module under ./commands and is listed here once.
export const commands: readonly CliCommand[] = [detectCommand, mergeCommand, evalCommand, convertCommand, mixCommand, trainCommand, finetuneCommand, serveCommand];
