/**
 * @nwave/runtime: the browser-safe core. Node file helpers live in `@nwave/runtime/node`.
 * Data path: audio -> dsp (resample, filterbank) -> snn (fixed-point HWLayers) -> detect -> power.
 */
export * from './errors.js';
export * from './model/quantization.js';
export * from './model/chip-profile.js';
export * from './model/checkpoint-schema.js';
export * from './model/checkpoint.js';
export * from './model/checkpoint-builder.js';
export * from './model/constraints.js';
export * from './model/layer-summary.js';
export * from './model/detector-overrides.js';
export * from './dsp/index.js';
export * from './snn/fixed-point-format.js';
export * from './snn/fixed-point-network.js';
export * from './snn/run-clip.js';
export * from './detect/decision.js';
export * from './detect/keyword-detector.js';
export * from './power/chip-power.js';
export * from './engine/nwave-model.js';
export * from './engine/keyword-spotter.js';
export * from './backend/index.js';
export * from './mismatch/index.js';
export * from './model/work-limits.js';
