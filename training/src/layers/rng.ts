/**
 * Small seeded PRNG for weight inits and mismatch draws: mulberry32 uniforms and Box–Muller
 * normals. Deterministic across platforms, so tests and benchmarks are reproducible.
 */
import { seededRandom } from '@nwave/runtime';

/** A seeded random number generator (mulberry32 + Box–Muller). */
export class Rng {
  private readonly uniform: () => number;
  private spare: number | null = null;

  /**
   * @param seed - any integer; only its low 32 bits are used
   */
  constructor(seed: number) {
    this.uniform = seededRandom(seed);
  }

  /**
   * Next uniform number.
   * @returns a float in [0, 1)
   */
  next(): number {
    return this.uniform();
  }

  /**
   * Next normal number (Box–Muller; the second value of each pair is kept for the next call).
   * @param mean - mean @defaultValue 0
   * @param std - standard deviation @defaultValue 1
   * @returns a sample of N(mean, std²)
   */
  normal(mean = 0, std = 1): number {
    let z: number;
    if (this.spare !== null) {
      z = this.spare;
      this.spare = null;
    } else {
      let u = 0;
      while (u === 0) u = this.next();
      const v = this.next();
      const r = Math.sqrt(-2 * Math.log(u));
      z = r * Math.cos(2 * Math.PI * v);
      this.spare = r * Math.sin(2 * Math.PI * v);
    }
    return mean + std * z;
  }

  /**
   * Array of normal samples.
   * @param n - number of samples
   * @param mean - mean @defaultValue 0
   * @param std - standard deviation @defaultValue 1
   * @returns `n` samples of N(mean, std²)
   */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /**
   * A new generator seeded from this one (independent stream for a sub-component).
   * @returns a fresh {@link Rng}
   */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296));
  }
}

let globalRng = new Rng(42);

/**
 * Reseeds the global generator used by layers built without an explicit `rng`
 * (the counterpart of `torch.manual_seed`).
 * @param seed - integer seed
 */
export function manual_seed(seed: number): void {
  globalRng = new Rng(seed);
}

/**
 * The global generator (seed 42 until {@link manual_seed} is called).
 * @returns the shared {@link Rng}
 */
export function defaultRng(): Rng {
  return globalRng;
}
