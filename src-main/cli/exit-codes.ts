/**
 * Every `earmark` command exits with one of these (the README lists them):
 * 0 done; 1 internal error (a bug, or the system failed: disk, memory, a missing backend);
 * 2 usage mistake or invalid input file (unreadable, malformed, wrong kind of file, too little data);
 * 3 a batch finished but some of its files failed (listed on stderr; the rest is written);
 * 130 interrupted (SIGINT/SIGTERM) after saving the finished work.
 */
export const EXIT = { ok: 0, internal: 1, invalidInput: 2, someFailed: 3, interrupted: 130 } as const;

/**
 * Errors that mean the user's input (a file, folder, model, database or data set) is invalid, by
 * name, so this module stays free of the engine's heavy imports (TensorFlow.js behind model/io).
 */
const INPUT_ERROR_NAMES = new Set([
  'AnnotationParseError',
  'AnnotationFormatError',
  'AudioDecodeError',
  'InputPathError',
  'ModelLoadError',
  'StoreSchemaError',
  'TrainingDataError',
  'FinetuneDataError',
  'MixOutputConflictError',
  'EnsembleMismatchError',
]);
const INPUT_SQLITE_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

export function isInputError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return INPUT_ERROR_NAMES.has(error.name) || INPUT_SQLITE_CODES.has(String((error as { code?: unknown }).code));
}
