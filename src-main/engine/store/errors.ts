/** Input that the store refuses at its boundary (bad times, empty label, wrong project...). */
export class StoreValidationError extends Error {
  override name = 'StoreValidationError';
  constructor(
    message: string,
    /** The offending field, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A row the caller named does not exist (or, for events, has been deleted). */
export class StoreNotFoundError extends Error {
  override name = 'StoreNotFoundError';
  constructor(
    readonly entity: string,
    readonly id: number | string,
    detail = 'not found',
  ) {
    super(`${entity} ${id}: ${detail}`);
  }
}

/** An operation that is not allowed in the row's current state (e.g. finishing a finished run). */
export class StoreStateError extends Error {
  override name = 'StoreStateError';
}

/** The database file's schema cannot be used by this code (too new, or a migration failed). */
export class StoreSchemaError extends Error {
  override name = 'StoreSchemaError';
}
