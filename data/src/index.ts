/**
 * @nwave/data: the tfjs-free half of training (folders, splits, features, loaders, datasets,
 * synthetic speech, stream data, runtime-measured metrics, report charts), shared by the trainer,
 * the CLI and the app.
 */
export * from './data-gen.js';
export * from './data-loader.js';
export * from './dataset-folder.js';
export * from './splits.js';
export * from './holdout-split.js';
export {
  mulberry32,
  deriveSeed,
  shuffleInPlace,
  randInt,
  pick,
  gaussian,
  uniform as uniformRandom,
  type Rng as RandomSource,
} from './mulberry32.js';
export * from './augment.js';
export * from './noise.js';
export * from './feature-cache.js';
export * from './clip-features.js';
export * from './speech-commands.js';
export * from './resumable-download.js';
export * from './espeak.js';
export * from './synthetic-speech.js';
export * from './synthetic-background.js';
export * from './clip-writer.js';
export * from './run-process.js';
export * from './hard-negatives.js';
export * from './stream-augment.js';
export * from './stream-data.js';
export * from './metrics/index.js';
export * from './report/svg-charts.js';
