/**
 * Training-time augmentation of raw clips: time shift, gain, and background noise mixed at a
 * random SNR. Everything is drawn from a caller-given seeded generator, so an augmented
 * variant is a pure function of (clip, seed), which is what lets the feature cache store it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isAudioFileName } from '@nwave/runtime/node';
import { loadAudio, type LoadFailure } from './dataset-folder.js';
import { byCodePoint } from './splits.js';
import { randInt, uniform, type Rng } from './mulberry32.js';
import { dbToGain, hardClip, mixAtSnr } from './noise.js';

export interface AugmentConfig {
  /** Largest shift, seconds, either direction; uniform; the gap is zero-filled (not circular, so a word never wraps around). @defaultValue 0.1 */
  timeShiftS: number;
  /** Gain range, dB. @defaultValue [-6, 6] */
  gainDb: [number, number];
  /** Share of clips that get background noise (needs a non-empty noise bank). @defaultValue 0.8 */
  noiseProbability: number;
  /** SNR range of the noise, dB (clip RMS over noise RMS). @defaultValue [0, 20] */
  snrDb: [number, number];
}

export const DEFAULT_AUGMENT: AugmentConfig = { timeShiftS: 0.1, gainDb: [-6, 6], noiseProbability: 0.8, snrDb: [0, 20] };

/** Noise recordings at the training rate; each may be longer than a clip (a random segment is used). */
export interface NoiseBank {
  clips: { file: string; samples: Float32Array }[];
}

/** What was applied to one clip, for logs and tests. */
export interface AugmentRecord {
  shiftSamples: number;
  gainDb: number;
  noiseFile?: string;
  noiseOffset?: number;
  snrDb?: number;
}

/** Shifts right (positive) or left (negative) by `shift` samples, zero-filling; same length. */
export function timeShift(x: Float32Array, shift: number): Float32Array {
  const out = new Float32Array(x.length);
  if (shift >= 0) out.set(x.subarray(0, Math.max(0, x.length - shift)), Math.min(shift, x.length));
  else out.set(x.subarray(Math.min(-shift, x.length)), 0);
  return out;
}

/**
 * Returns an augmented copy of `clip` (the input is not modified). Order: shift, gain, noise
 * (noise last, so the SNR is measured against the shifted, scaled clip), then clip to [−1, 1].
 */
export function augmentClip(
  clip: Float32Array,
  rand: Rng,
  sampleRateHz: number,
  config: AugmentConfig = DEFAULT_AUGMENT,
  noise?: NoiseBank,
): { samples: Float32Array; record: AugmentRecord } {
  const maxShift = Math.round(config.timeShiftS * sampleRateHz);
  const shiftSamples = maxShift > 0 ? randInt(rand, -maxShift, maxShift) : 0;
  const out = timeShift(clip, shiftSamples);
  const gainDb = uniform(rand, config.gainDb[0], config.gainDb[1]);
  const g = dbToGain(gainDb);
  for (let i = 0; i < out.length; i++) out[i] *= g;
  const record: AugmentRecord = { shiftSamples, gainDb };
  if (noise && noise.clips.length > 0 && rand() < config.noiseProbability) {
    const src = noise.clips[Math.floor(rand() * noise.clips.length)];
    const offset = src.samples.length > out.length ? Math.floor(rand() * (src.samples.length - out.length + 1)) : 0;
    const segment = src.samples.subarray(offset, offset + out.length);
    const snrDb = uniform(rand, config.snrDb[0], config.snrDb[1]);
    // A silent clip has no level to measure an SNR against: use the noise at its own level instead.
    if (mixAtSnr(out, segment, snrDb) === 0) for (let i = 0; i < segment.length; i++) out[i] += segment[i];
    Object.assign(record, { noiseFile: src.file, noiseOffset: offset, snrDb });
  }
  hardClip(out);
  return { samples: out, record };
}

/**
 * Loads the noise bank from `root`: every WAV in the given folders that exist (default
 * `_background_noise_` and `_silence_`), resampled to `sampleRateHz`. Digitally silent files are
 * skipped (they cannot set an SNR); unreadable ones are returned in `failures`.
 */
export function loadNoiseBank(
  root: string,
  sampleRateHz: number,
  folders: readonly string[] = ['_background_noise_', '_silence_'],
): NoiseBank & { failures: LoadFailure[] } {
  const clips: NoiseBank['clips'] = [];
  const failures: LoadFailure[] = [];
  for (const folder of folders) {
    if (!existsSync(join(root, folder))) continue;
    for (const name of readdirSync(join(root, folder))
      .filter((n) => isAudioFileName(n))
      .sort(byCodePoint)) {
      const file = `${folder}/${name}`;
      try {
        const samples = loadAudio(join(root, file), sampleRateHz);
        if (samples.some((v) => v !== 0)) clips.push({ file, samples });
      } catch (err) {
        failures.push({ file, reason: (err as Error).message });
      }
    }
  }
  return { clips, failures };
}
