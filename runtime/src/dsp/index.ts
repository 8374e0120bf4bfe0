/**
 * Browser-safe audio front end: resampling, the chip filterbank, live feature extraction. The WAV
 * codec (and its wavefile dependency) is not part of the core: `@nwave/runtime/wav`, `@nwave/runtime/node`.
 */
export * from './samples.js';
export * from './filterbank-design.js';
export * from './filterbank-config.js';
export * from './filterbank.js';
export * from './resample.js';
export * from './feature-extractor.js';
export * from './audio-limits.js';
