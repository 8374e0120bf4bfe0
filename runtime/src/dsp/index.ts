/** Browser-safe audio front end: WAV codec, resampling, the chip filterbank, live feature extraction. */
export * from './samples.js';
export * from './filterbank-design.js';
export * from './filterbank-config.js';
export * from './filterbank.js';
export * from './resample.js';
export * from './feature-extractor.js';
export * from './wav.js';
export * from './audio-limits.js';
