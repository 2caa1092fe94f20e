import type { IncomingMessage } from 'node:http';
import { ApiError } from '../api/contract';

/**
 * The raw body, at most `limit` bytes, received within `timeoutMs` (a body that trickles in is
 * refused). On a refusal the rest is left unread: the caller answers and closes the connection.
 */
function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', finish).off('error', finish);
      if (error) {
        req.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(new ApiError('payload-too-large', `request body is over the ${limit}-byte limit`));
      else chunks.push(chunk);
    };
    const timer = setTimeout(() => finish(new ApiError('invalid-params', `request body not received within ${timeoutMs / 1000} s`)), timeoutMs);
    req.on('data', onData).on('end', finish).on('error', finish);
  });
}

/** Reads a JSON request body of at most `limit` bytes within `timeoutMs`; throws ApiError (413/400/415) otherwise. */
export async function readJsonBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new ApiError('payload-too-large', `request body of ${declared} bytes is over the ${limit}-byte limit`);
  }
  const body = await readBody(req, limit, timeoutMs);
  if (body.length === 0) return {};
  if (type !== 'application/json') throw new ApiError('unsupported-media', `Content-Type must be application/json (got "${type.slice(0, 60) || 'none'}")`);
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError('invalid-params', `request body is not valid JSON: ${(error as Error).message}`);
  }
}
