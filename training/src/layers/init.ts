/**
 * Weight initialisers: functions that fill a weight of a given shape from a seeded {@link Rng}
 * (the counterpart of passing `init=partial(nn.init.normal_, …)` in the Python SDK).
 */
import type { Rng } from './rng.js';

/** Fills a weight of `shape` (row-major) using `rng`. */
export type Initializer = (shape: readonly number[], rng: Rng) => Float32Array;

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Normal initialiser.
 * @param mean - mean
 * @param std - standard deviation
 * @returns an {@link Initializer} drawing N(mean, std²)
 */
export function normal(mean: number, std: number): Initializer {
  return (shape, rng) => rng.normalArray(sizeOf(shape), mean, std);
}

/**
 * Uniform initialiser.
 * @param low - lower bound
 * @param high - upper bound
 * @returns an {@link Initializer} drawing U[low, high)
 */
export function uniform(low: number, high: number): Initializer {
  return (shape, rng) => {
    const out = new Float32Array(sizeOf(shape));
    for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * rng.next();
    return out;
  };
}

/**
 * Constant initialiser (does not consume random numbers).
 * @param value - the value of every element
 * @returns an {@link Initializer}
 */
export function constant(value: number): Initializer {
  return (shape) => new Float32Array(sizeOf(shape)).fill(value);
}
