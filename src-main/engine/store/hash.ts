import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** sha256 of a file's bytes as lowercase hex, streamed (recordings can be hundreds of MB). */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    throw new Error(`${path}: cannot hash file: ${(error as Error).message}`);
  }
  return hash.digest('hex');
}
