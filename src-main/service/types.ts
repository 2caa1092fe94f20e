import type { ApiEventListener, ApiParsedParams } from '../api/contract';

export type FolderDialogOptions = ApiParsedParams<'dialogs.chooseFolder'>;
export type SaveFileDialogOptions = ApiParsedParams<'dialogs.chooseSaveFile'>;

/** What a host tells the service about itself. */
export interface HostContext {
  host: 'electron' | 'browser';
  /** The URL an <audio> element in this host's renderer can load for a recording. */
  mediaUrl(recordingId: number): string;
  /** The system's folder picker: the chosen folder, or null when cancelled. Hosts without one leave it out. */
  chooseFolder?(options: FolderDialogOptions): Promise<string | null>;
  /** The system's save dialog: the chosen file, or null when cancelled. Hosts without one leave it out. */
  chooseSaveFile?(options: SaveFileDialogOptions): Promise<string | null>;
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
