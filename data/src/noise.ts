/**
 * Seeded noise and level helpers shared by augmentation and synthetic-data generation.
 *
 * Noise is made here rather than by sox because sox's generator cannot take our seed, and
 * every generated file must be reproducible from `seed` alone.
 */
import { gaussian, type Rng } from './mulberry32.js';

/** Noise colours: white (flat), pink (−3 dB/octave), brown (−6 dB/octave), hum (50 Hz mains and harmonics). */
export type NoiseColor = 'white' | 'pink' | 'brown' | 'hum';

export const NOISE_COLORS: readonly NoiseColor[] = ['white', 'pink', 'brown', 'hum'];

/** Root mean square of `x` (0 for an empty array). */
export function rms(x: ArrayLike<number>): number {
  if (x.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / x.length);
}

/** Decibels to a linear amplitude factor. */
export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

/**
 * `n` samples of noise of a colour, scaled to an RMS of `rmsLevel` (linear, e.g. 0.01 ≈ −40 dBFS).
 */
export function coloredNoise(color: NoiseColor, n: number, rand: Rng, rmsLevel: number, sampleRateHz = 16000): Float32Array {
  const out = new Float32Array(n);
  if (color === 'white') {
    for (let i = 0; i < n; i++) out[i] = gaussian(rand);
  } else if (color === 'pink') {
    // Paul Kellet's economy pink filter: accurate to ±0.05 dB above 9.2 Hz at 44.1 kHz, good enough here.
    let b0 = 0,
      b1 = 0,
      b2 = 0;
    for (let i = 0; i < n; i++) {
      const w = gaussian(rand);
      b0 = 0.99765 * b0 + w * 0.099046;
      b1 = 0.963 * b1 + w * 0.2965164;
      b2 = 0.57 * b2 + w * 1.0526913;
      out[i] = b0 + b1 + b2 + w * 0.1848;
    }
  } else if (color === 'brown') {
    // Leaky integrator: a pure integrator would drift without bound.
    let y = 0;
    for (let i = 0; i < n; i++) {
      y = 0.995 * y + gaussian(rand) * 0.1;
      out[i] = y;
    }
  } else {
    const f0 = rand() < 0.5 ? 50 : 60;
    const phases = [rand(), rand(), rand()].map((p) => p * 2 * Math.PI);
    for (let i = 0; i < n; i++) {
      const t = (2 * Math.PI * f0 * i) / sampleRateHz;
      out[i] = Math.sin(t + phases[0]) + 0.5 * Math.sin(2 * t + phases[1]) + 0.25 * Math.sin(3 * t + phases[2]) + 0.05 * gaussian(rand);
    }
  }
  const r = rms(out);
  if (r > 0) for (let i = 0; i < n; i++) out[i] *= rmsLevel / r;
  return out;
}

/**
 * Adds `noise` to `signal` in place so that 20·log10(rms(signalRef)/rms(noise)) = snrDb.
 * @param signalRef - the part of the signal that defines its power (e.g. the spoken word
 *   only, so long silences do not lower the measured speech level). Defaults to `signal`.
 * @returns the gain applied to the noise (0 when the signal or the noise is silent).
 */
export function mixAtSnr(signal: Float32Array, noise: ArrayLike<number>, snrDb: number, signalRef: ArrayLike<number> = signal): number {
  const s = rms(signalRef);
  const nz = rms(noise);
  if (s === 0 || nz === 0) return 0;
  const g = s / (nz * dbToGain(snrDb));
  const n = Math.min(signal.length, noise.length);
  for (let i = 0; i < n; i++) signal[i] += g * noise[i];
  return g;
}

/** Clips values to [−1, 1] in place (after mixing, before 16-bit encoding). @returns number of clipped samples */
export function hardClip(x: Float32Array): number {
  let clipped = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] > 1) {
      x[i] = 1;
      clipped++;
    } else if (x[i] < -1) {
      x[i] = -1;
      clipped++;
    }
  }
  return clipped;
}
