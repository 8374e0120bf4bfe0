/** @nwave/training: hardware-constrained SNN training in TensorFlow.js that exports runtime checkpoints. */
export * from './chip.js';
export * from './surrogates/index.js';
export * from './quantize/index.js';
export * from './kernels/index.js';
export * from './layers/index.js';
export * from './losses/index.js';
export * from './train/index.js';
