/**
 * Sample statistics of the evaluation figures (power per clip, latencies, mismatch accuracies).
 * One percentile method for every report: linear interpolation between order statistics.
 */
import { seededRandom } from '@nwave/runtime';

/** Percentile with linear interpolation between order statistics (NumPy's default); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const x = p * (s.length - 1);
  const lo = Math.floor(x);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (x - lo);
}

/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
}

/**
 * Percentile-bootstrap interval of a statistic: `stat` of `resamples` seeded resamples of `values`
 * (with replacement), and their `(1 − level)/2` and `(1 + level)/2` percentiles. Why: the 5th
 * percentile over 20 simulated chips moves by 10 points from one set of chips to the next; the
 * interval says how far a Monte Carlo's figure can be trusted. Null for fewer than 2 values.
 */
export function bootstrapInterval(
  values: readonly number[],
  stat: (xs: readonly number[]) => number,
  opts: { level?: number; resamples?: number; seed?: number } = {},
): [number, number] | null {
  if (values.length < 2) return null;
  const { level = 0.9, resamples = 2000, seed = 1 } = opts;
  const rng = seededRandom(seed);
  const sample = new Array<number>(values.length);
  const stats = Array.from({ length: resamples }, () => {
    for (let i = 0; i < values.length; i++) sample[i] = values[Math.floor(rng() * values.length)];
    return stat(sample);
  });
  return [percentile(stats, (1 - level) / 2), percentile(stats, (1 + level) / 2)];
}
