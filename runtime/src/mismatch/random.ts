/**
 * Seeded random numbers for simulated chips. Why our own generator: `Math.random()` cannot be
 * seeded, and a Monte Carlo over "chip #7" must give the same chip on every run and platform.
 * The algorithm is mulberry32; the trainer's data pipeline and layers use this same function.
 */

/** A function returning uniform floats in [0, 1). */
export type RandomSource = () => number;

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator).
 * @param seed any integer; only its low 32 bits are used.
 */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One standard normal draw N(0, 1) (Box–Muller, two uniforms per draw, as the trainer's `gaussian`). */
export function standardNormal(rng: RandomSource): number {
  const u = 1 - rng(); // (0, 1]: avoids log(0)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * Seed of simulated chip `chip` in a Monte Carlo run seeded with `seed`. Why derived rather than
 * one generator for all chips: chip k is then the same chip whatever N is, and the same chip can
 * be redrawn at every mismatch level (paired comparison, smoother accuracy-vs-mismatch curves).
 */
export function chipSeed(seed: number, chip: number): number {
  // murmur3 finaliser over (seed, chip): well spread bits for neighbouring chip numbers.
  return mix32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul((chip + 1) >>> 0, 0x85ebca6b)) >>> 0);
}

/** murmur3's 32-bit finaliser: spreads the bits of a hash (shared by every seed derivation). */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
