import { ApiError } from '../api/contract';
import { AnnotationFormatError } from '../engine/annotations/errors';
import { AudioDecodeError } from '../engine/audio/errors';
import { StoreNotFoundError, StoreStateError, StoreValidationError } from '../engine/store/errors';

/** Maps engine errors to typed API errors; anything unexpected stays 'internal'. */
export function toServiceError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof StoreNotFoundError) return new ApiError('not-found', error.message, { entity: error.entity, id: error.id });
  if (error instanceof StoreValidationError) return new ApiError('invalid-params', error.message, error.field ? { field: error.field } : undefined);
  if (error instanceof StoreStateError) return new ApiError('conflict', error.message);
  if (error instanceof AnnotationFormatError) return new ApiError('invalid-params', error.message);
  if (error instanceof AudioDecodeError) return new ApiError(error.reason === 'not-found' ? 'not-found' : 'unsupported-media', error.message);
  return new ApiError('internal', (error as Error)?.message ?? String(error));
}
