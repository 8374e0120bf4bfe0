/**
 * Augmentation for unseen speakers and rooms (issue 11): speed perturbation, room reverberation,
 * band limits, gain and background noise at a random SNR. Every draw comes from the caller's
 * seeded generator, so an augmented window is a pure function of (audio, seed): cacheable.
 *
 * - Speed 0.85–1.15: resampling by the factor changes tempo and pitch together (Kaldi-style speed
 *   perturbation, Ko et al. 2015); an extra pitch-only draw is not made (it needs a vocoder).
 * - Reverberation: a Schroeder reverberator (4 parallel feedback combs, 2 all-passes) with a
 *   random RT60 and wet share: a synthetic room impulse response at O(n) cost per sample, so
 *   thousands of windows per epoch stay cheap.
 * - Band limits: a random high-pass (telephone / small-speaker low cut) and low-pass (muffled
 *   or narrow-band microphones), second-order biquads.
 */
import { resample } from '@nwave/runtime';
import { uniform, type Rng } from './mulberry32.js';
import { dbToGain, hardClip, mixAtSnr } from './noise.js';
import type { NoiseBank } from './augment.js';

export interface StreamAugmentConfig {
  /** Speed factor range (1 = unchanged). @defaultValue [0.85, 1.15] */
  speed: [number, number];
  /** Share of windows with reverberation. @defaultValue 0.5 */
  reverbProbability: number;
  /** RT60 range, seconds. @defaultValue [0.15, 0.7] */
  rt60S: [number, number];
  /** Share of windows band-limited. @defaultValue 0.5 */
  bandProbability: number;
  /** High-pass corner range, Hz. @defaultValue [80, 400] */
  highPassHz: [number, number];
  /** Low-pass corner range, Hz. @defaultValue [2500, 7500] */
  lowPassHz: [number, number];
  /** Gain range, dB. @defaultValue [-10, 6] */
  gainDb: [number, number];
  /** Share of windows with background noise (needs a noise bank). @defaultValue 0.8 */
  noiseProbability: number;
  /** SNR range, dB. @defaultValue [0, 20] */
  snrDb: [number, number];
}

export const DEFAULT_STREAM_AUGMENT: StreamAugmentConfig = {
  speed: [0.85, 1.15],
  reverbProbability: 0.5,
  rt60S: [0.15, 0.7],
  bandProbability: 0.5,
  highPassHz: [80, 400],
  lowPassHz: [2500, 7500],
  gainDb: [-10, 6],
  noiseProbability: 0.8,
  snrDb: [0, 20],
};

/** What was applied (logs, tests). */
export interface StreamAugmentRecord {
  speed: number;
  rt60S?: number;
  highPassHz?: number;
  lowPassHz?: number;
  gainDb: number;
  noiseFile?: string;
  snrDb?: number;
}

/** Plays `x` `factor` times faster (length / factor samples): tempo and pitch scale together. */
export function changeSpeed(x: Float32Array, factor: number, sampleRateHz: number): Float32Array {
  // Read as if recorded at rate·factor, resampled back to rate: shorter and higher for factor > 1.
  // The factor is rounded to 1 % steps: the polyphase resampler then has at most 100 phases
  // (an arbitrary rate ratio costs 100x more).
  const from = Math.round((Math.round(factor * 100) * sampleRateHz) / 100);
  if (from === sampleRateHz) return x.slice();
  return Float32Array.from(resample(x, from, sampleRateHz));
}

/** Schroeder reverberation with the given RT60 and wet share, in place. */
export function reverberate(x: Float32Array, sampleRateHz: number, rt60S: number, wet: number, rand: Rng): void {
  const combMs = [29.7, 37.1, 41.1, 43.7].map((ms) => ms * uniform(rand, 0.85, 1.15));
  const combs = combMs.map((ms) => {
    const d = Math.max(1, Math.round((ms / 1000) * sampleRateHz));
    // Feedback gain for a 60 dB decay in rt60S: g^(rt60·fs/d) = 10^-3.
    return { buf: new Float32Array(d), i: 0, g: 10 ** ((-3 * d) / (rt60S * sampleRateHz)) };
  });
  const allpass = [5.0, 1.7].map((ms) => ({ buf: new Float32Array(Math.max(1, Math.round((ms / 1000) * sampleRateHz))), i: 0, g: 0.7 }));
  for (let n = 0; n < x.length; n++) {
    const dry = x[n];
    let y = 0;
    for (const c of combs) {
      const out = c.buf[c.i];
      c.buf[c.i] = dry + out * c.g;
      c.i = (c.i + 1) % c.buf.length;
      y += out;
    }
    y /= combs.length;
    for (const a of allpass) {
      const b = a.buf[a.i];
      const v = y + a.g * b;
      a.buf[a.i] = v;
      a.i = (a.i + 1) % a.buf.length;
      y = b - a.g * v;
    }
    x[n] = (1 - wet) * dry + wet * y;
  }
}

/** RBJ biquad (high-pass or low-pass, Q = 1/√2), in place. */
export function biquad(x: Float32Array, kind: 'highpass' | 'lowpass', cornerHz: number, sampleRateHz: number): void {
  const w = (2 * Math.PI * Math.min(cornerHz, sampleRateHz * 0.45)) / sampleRateHz;
  const alpha = Math.sin(w) / Math.SQRT2;
  const cos = Math.cos(w);
  const b1 = kind === 'lowpass' ? 1 - cos : -(1 + cos);
  const b0 = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
  const a0 = 1 + alpha;
  const [nb0, nb1, nb2, na1, na2] = [b0 / a0, b1 / a0, b0 / a0, (-2 * cos) / a0, (1 - alpha) / a0];
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let n = 0; n < x.length; n++) {
    const y = nb0 * x[n] + nb1 * x1 + nb2 * x2 - na1 * y1 - na2 * y2;
    x2 = x1;
    x1 = x[n];
    y2 = y1;
    y1 = y;
    x[n] = y;
  }
}

/**
 * Speed-perturbs `x` (call before cutting a window: the length changes), returning the new audio.
 * Separate from {@link augmentWindow} so windows can be cut at exact positions after it.
 */
export function perturbSpeed(
  x: Float32Array,
  rand: Rng,
  sampleRateHz: number,
  cfg: StreamAugmentConfig,
): { samples: Float32Array; speed: number } {
  const speed = uniform(rand, cfg.speed[0], cfg.speed[1]);
  return { samples: changeSpeed(x, speed, sampleRateHz), speed };
}

/** The room and band part of {@link StreamAugmentConfig}. */
export type RoomBandConfig = Pick<StreamAugmentConfig, 'reverbProbability' | 'rt60S' | 'bandProbability' | 'highPassHz' | 'lowPassHz'>;

/**
 * Room reverberation and band limits on `x` (in place), each drawn with its probability; returns
 * what was applied. Shared by the stream windows and the training clips' `speaker` preset.
 */
export function roomAndBand(
  x: Float32Array,
  rand: Rng,
  sampleRateHz: number,
  cfg: RoomBandConfig,
): Pick<StreamAugmentRecord, 'rt60S' | 'highPassHz' | 'lowPassHz'> {
  const rec: Pick<StreamAugmentRecord, 'rt60S' | 'highPassHz' | 'lowPassHz'> = {};
  if (rand() < cfg.reverbProbability) {
    rec.rt60S = uniform(rand, cfg.rt60S[0], cfg.rt60S[1]);
    reverberate(x, sampleRateHz, rec.rt60S, uniform(rand, 0.2, 0.6), rand);
  }
  if (rand() < cfg.bandProbability) {
    rec.highPassHz = uniform(rand, cfg.highPassHz[0], cfg.highPassHz[1]);
    rec.lowPassHz = uniform(rand, cfg.lowPassHz[0], cfg.lowPassHz[1]);
    biquad(x, 'highpass', rec.highPassHz, sampleRateHz);
    biquad(x, 'lowpass', rec.lowPassHz, sampleRateHz);
  }
  return rec;
}

/** Room, band, gain and noise on a window (in place), then clipping to [-1, 1]. */
export function augmentWindow(
  x: Float32Array,
  rand: Rng,
  sampleRateHz: number,
  cfg: StreamAugmentConfig,
  noise?: NoiseBank,
): Omit<StreamAugmentRecord, 'speed'> {
  const rec: Omit<StreamAugmentRecord, 'speed'> = { gainDb: 0, ...roomAndBand(x, rand, sampleRateHz, cfg) };
  rec.gainDb = uniform(rand, cfg.gainDb[0], cfg.gainDb[1]);
  const g = dbToGain(rec.gainDb);
  for (let i = 0; i < x.length; i++) x[i] *= g;
  if (noise && noise.clips.length > 0 && rand() < cfg.noiseProbability) {
    const src = noise.clips[Math.floor(rand() * noise.clips.length)];
    const offset = src.samples.length > x.length ? Math.floor(rand() * (src.samples.length - x.length + 1)) : 0;
    const segment = src.samples.subarray(offset, offset + x.length);
    rec.snrDb = uniform(rand, cfg.snrDb[0], cfg.snrDb[1]);
    rec.noiseFile = src.file;
    if (mixAtSnr(x, segment, rec.snrDb) === 0) for (let i = 0; i < segment.length; i++) x[i] += segment[i];
  }
  hardClip(x);
  return rec;
}
