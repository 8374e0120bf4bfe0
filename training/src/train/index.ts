export * from './train-config.js';
export * from './build-network.js';
export * from './export-checkpoint.js';
export * from './sign-projection.js';
export * from './firing-rate-check.js';
export * from './trainer.js';
export * from './report.js';
export * from './run-training.js';
