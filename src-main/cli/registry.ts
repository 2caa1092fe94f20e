import type { CliCommand } from './command';

/** A command as `earmark --help` lists it; its module (and everything heavy it imports) loads only when it runs. */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<CliCommand>;
}

// Each command lives in its own module under ./commands and is listed here once, with the summary its help shows.
export const commands: readonly CommandEntry[] = [
  { name: 'detect', summary: 'Detect sound events in audio files and folders with a trained model', load: async () => (await import('./commands/detect')).detectCommand },
  { name: 'merge', summary: 'Merge the outputs of sharded detect runs (--shard) into one annotation file or project database', load: async () => (await import('./commands/merge')).mergeCommand },
  { name: 'eval', summary: 'Score detections against a reference with sed_eval-identical metrics', load: async () => (await import('./commands/eval')).evalCommand },
  { name: 'convert', summary: 'Convert annotations between DCASE, Audacity, Raven, CSV and JSON', load: async () => (await import('./commands/convert')).convertCommand },
  { name: 'mix', summary: 'Make DCASE 2017 Task 2 style mixtures (events over backgrounds) with reference event lists', load: async () => (await import('./commands/mix')).mixCommand },
  { name: 'train', summary: 'Train the CRNN sound event detector on an `earmark mix` folder', load: async () => (await import('./commands/train')).trainCommand },
  { name: 'ensemble', summary: 'Combine trained models into one that averages their frame probabilities, tuned on validation', load: async () => (await import('./commands/ensemble')).ensembleCommand },
  { name: 'finetune', summary: "Fine-tune the detector on a project's reviewed recordings (verified events are the training labels)", load: async () => (await import('./commands/finetune')).finetuneCommand },
  { name: 'serve', summary: 'Run the studio in a browser: serves the UI and the API on 127.0.0.1 with a per-run token', load: async () => (await import('./commands/serve')).serveCommand },
];

/** The summary of a registered command (its module's spec uses it, so help and overview agree). */
export function summaryOf(name: string): string {
  const entry = commands.find((c) => c.name === name);
  if (!entry) throw new Error(`command "${name}" is not registered`);
  return entry.summary;
}
