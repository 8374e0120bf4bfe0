/**
 * @nwave/onnx: export nwave-ts checkpoints to ONNX and run them with onnxruntime-web as the
 * `onnx` backend (registered on import). File helpers for Node live in `@nwave/onnx/node`.
 * Graph design, arithmetic mapping and parity results: onnx/README.md.
 */
export * from './export.js';
export * from './metadata.js';
export { GRAPH_IO, MAX_FEATURE_INT, buildSnnGraph, type SnnGraphOptions } from './snn-graph.js';
export type { ArithmeticMode } from './snn-arithmetic.js';
export { checkParity, type ClipOutcome, type ParityReport } from './parity.js';
export { onnxBackend, onnxBackendOptions, type OnnxBackendOptions } from './ort-backend.js';
