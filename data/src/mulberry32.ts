/**
 * Seeded pseudo-random numbers for the data pipeline (splits, augmentation, synthetic speech).
 *
 * Why our own PRNG: `Math.random()` cannot be seeded, and splits must be reproducible from
 * `random_state` alone on every platform. mulberry32 is a tiny 32-bit generator with good enough
 * statistics for shuffling and parameter draws; it is NOT the generator Python/NumPy uses, so
 * nwave-ts splits are reproducible within nwave-ts but not identical to the Python SDK's.
 */
import { mix32, seededRandom, standardNormal, type RandomSource } from '@nwave/runtime';

/** A function returning uniform floats in [0, 1). */
export type Rng = RandomSource;

/** mulberry32 (Tommy Ettinger's 32-bit generator): the runtime's `seededRandom`, one PRNG everywhere. */
export const mulberry32: (seed: number) => Rng = seededRandom;

/**
 * Derives an independent 32-bit seed from a base seed and any tags (file name, epoch, word...).
 * Why: each clip gets its own stream, so results do not depend on processing order or concurrency.
 * FNV-1a over the tags' text, then a murmur3 finaliser to spread the bits.
 */
export function deriveSeed(seed: number, ...tags: (string | number)[]): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  const text = tags.map(String).join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return mix32(h);
}

/** Fisher–Yates shuffle in place; returns the same array. */
export function shuffleInPlace<T>(items: T[], rand: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** Uniform float in [lo, hi). */
export function uniform(rand: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

/** Uniform integer in [lo, hi] (both inclusive). */
export function randInt(rand: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** One element chosen uniformly. @throws Error on an empty list. */
export function pick<T>(rand: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick() from an empty list');
  return items[Math.floor(rand() * items.length)];
}

/** Standard normal draw (Box–Muller): the runtime's `standardNormal`. */
export const gaussian: (rand: Rng) => number = standardNormal;
