/** Fabrication mismatch: seeded simulated chip instances of a model (synaptic and leak mismatch), and their output calibration. */
export * from './random.js';
export * from './chip-instance.js';
export * from './chip-calibration.js';
