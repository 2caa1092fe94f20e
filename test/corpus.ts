import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The shared corpus lives beside the project, never inside it. */
export const SHARED_DIR = resolve(import.meta.dirname, '..', '..', 'shared');
export const CORPUS_DIR = process.env.EARMARK_CORPUS ?? join(SHARED_DIR, 'corpus');
export const SED_EVAL_REFERENCE_DIR = join(SHARED_DIR, 'reference', 'sed_eval');

export const corpusAvailable = existsSync(join(CORPUS_DIR, 'events'));
export const sedEvalReferenceAvailable = existsSync(SED_EVAL_REFERENCE_DIR);

/** Message used by describe.skipIf(...) so a missing corpus is obvious in the test output. */
export const CORPUS_MISSING = `corpus not found at ${CORPUS_DIR} (set EARMARK_CORPUS or place it in ../shared/corpus): skipping`;
