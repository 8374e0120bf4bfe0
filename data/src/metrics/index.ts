/** Runtime-measured evaluation: one implementation for the trainer, `nwave eval` and the app. */
export * from './stats.js';
export * from './clip-metrics.js';
export * from './evaluate.js';
export * from './after-word-activity.js';
