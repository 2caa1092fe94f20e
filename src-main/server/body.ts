import type { IncomingMessage } from 'node:http';
import { ApiError } from '../api/contract';

/** Reads a JSON request body of at most `limit` bytes; throws ApiError (413/400/415) otherwise. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new ApiError('payload-too-large', `request body of ${declared} bytes is over the ${limit}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ApiError('payload-too-large', `request body is over the ${limit}-byte limit`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  if (type !== 'application/json') throw new ApiError('unsupported-media', `Content-Type must be application/json (got "${type.slice(0, 60) || 'none'}")`);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError('invalid-params', `request body is not valid JSON: ${(error as Error).message}`);
  }
}
