/** Node-only helpers (file system). Never imported by the browser-safe core. */
export * from './atomic-file.js';
export * from './checkpoint-file.js';
export * from './wav-file.js';
export * from '../dsp/wav.js';
export * from './audio-file.js';
export * from './regular-file.js';
export * from './wav-stream.js';
export * from './audio-stream.js';
