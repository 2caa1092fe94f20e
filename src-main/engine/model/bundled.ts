import { resolve } from 'node:path';

/**
 * The default model shipped in resources/, for the CLI run from the repository. The desktop and web
 * hosts pass their own resources folder to the service, which registers the bundled models from there.
 */
export const BUNDLED_MODEL_DIR = resolve(import.meta.dirname, '..', '..', '..', 'resources', 'models', 'default');
