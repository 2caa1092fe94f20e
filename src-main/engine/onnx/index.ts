export { exportOnnx, ensureOnnxModel, onnxCacheDir } from './export';
export { buildCrnnGraph, crnnToOnnx, CRNN_ONNX_OPSET, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from './crnn-graph';
export { readModelFiles, type ModelFiles } from './model-files';
export { loadOrt, createOrtSession, type OrtSessionInfo } from './runtime';
