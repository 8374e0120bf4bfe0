/** Fabrication mismatch: seeded simulated chip instances of a model (synaptic and leak mismatch). */
export * from './random.js';
export * from './chip-instance.js';
