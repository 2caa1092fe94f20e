// From source, worker threads start as plain Node: register tsx's loader, then load the TypeScript
// worker module named by workerData.entry. (Bundled builds start the emitted .js workers directly.)
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
