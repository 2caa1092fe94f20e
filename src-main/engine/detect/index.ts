export { detectFiles, defaultJobs, type DetectOptions, type DetectSummary, type FileResult, type FileFailureInfo } from './run';
export { AUDIO_EXTENSIONS, collectAudioFiles, parseShard, selectShard, shardFromEnvironment, shardOf, InputPathError, type InputFile, type Shard } from './files';
export { formatProgress, type DetectProgress } from './progress';
export { DetectState, readStateFile, provenanceFingerprint, shardText, type DetectProvenance, type DetectStateFile, type DoneFile } from './state';
export { FileFailure, InlineFeatureProvider, type FeatureProvider, type FileFeatures } from './feature-source';
export { WorkerFeatureProvider } from './worker-pool';
export { fileFeatureChunks, type FileFeatureStats } from './file-features';
