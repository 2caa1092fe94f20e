import type { ApiEventListener } from '../api/contract';

/** What a host tells the service about itself. */
export interface HostContext {
  host: 'electron' | 'browser';
  /** The URL an <audio> element in this host's renderer can load for a recording. */
  mediaUrl(recordingId: number): string;
}

/** An audio file the host may stream to the renderer. */
export interface MediaFile {
  path: string;
  size: number;
  mimeType: string;
}

/** The service as the hosts see it: one validated entry point, push events, media lookup. */
export interface EarmarkService {
  /** Validates `params` with the contract schema, runs the method; throws ApiError. */
  call(method: string, params: unknown): Promise<unknown>;
  subscribe(listener: ApiEventListener): () => void;
  /** Resolves a recording id to its file (for /media and the Electron protocol); throws ApiError('not-found'). */
  mediaFile(recordingId: number): Promise<MediaFile>;
  close(): Promise<void>;
}
