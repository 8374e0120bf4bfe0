/**
 * Training-time augmentation of raw clips: time shift, gain, and background noise mixed at a
 * random SNR; optionally speaker and room variation (speed, reverberation, band limits, the
 * transforms the stream windows get in `stream-augment.ts`). Everything is drawn from a caller-given seeded generator, so an augmented
 * variant is a pure function of (clip, seed), which is what lets the feature cache store it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '@nwave/runtime';
import { isAudioFileName } from '@nwave/runtime/node';
import { loadAudio, type LoadFailure } from './dataset-folder.js';
import { byCodePoint } from './splits.js';
import { randInt, uniform, type Rng } from './mulberry32.js';
import { dbToGain, hardClip, mixAtSnr } from './noise.js';
import { changeSpeed, DEFAULT_STREAM_AUGMENT, roomAndBand } from './stream-augment.js';

export interface AugmentConfig {
  /** Largest shift, seconds, either direction; uniform; the gap is zero-filled (not circular, so a word never wraps around). @defaultValue 0.1 */
  timeShiftS: number;
  /** Gain range, dB. @defaultValue [-6, 6] */
  gainDb: [number, number];
  /** Share of clips that get background noise (needs a non-empty noise bank). @defaultValue 0.8 */
  noiseProbability: number;
  /** SNR range of the noise, dB (clip RMS over noise RMS). @defaultValue [0, 20] */
  snrDb: [number, number];
  /** Speed factor range (tempo and pitch together, by resampling; the clip keeps its length, centred). Absent: off. */
  speed?: [number, number];
  /** Share of clips given room reverberation. @defaultValue 0 */
  reverbProbability?: number;
  /** RT60 range of the reverberation, seconds. @defaultValue [0.15, 0.7] */
  rt60S?: [number, number];
  /** Share of clips band-limited (a high-pass and a low-pass). @defaultValue 0 */
  bandProbability?: number;
  /** High-pass corner range, Hz. @defaultValue [80, 400] */
  highPassHz?: [number, number];
  /** Low-pass corner range, Hz. @defaultValue [2500, 7500] */
  lowPassHz?: [number, number];
}

export const DEFAULT_AUGMENT: AugmentConfig = { timeShiftS: 0.1, gainDb: [-6, 6], noiseProbability: 0.8, snrDb: [0, 20] };

/**
 * {@link DEFAULT_AUGMENT} plus speaker and room variation, at the stream windows' ranges
 * (`DEFAULT_STREAM_AUGMENT`): speed 0.85-1.15, reverberation and band limits on half the clips.
 */
export const SPEAKER_AUGMENT: AugmentConfig = {
  ...DEFAULT_AUGMENT,
  speed: DEFAULT_STREAM_AUGMENT.speed,
  reverbProbability: DEFAULT_STREAM_AUGMENT.reverbProbability,
  rt60S: DEFAULT_STREAM_AUGMENT.rt60S,
  bandProbability: DEFAULT_STREAM_AUGMENT.bandProbability,
  highPassHz: DEFAULT_STREAM_AUGMENT.highPassHz,
  lowPassHz: DEFAULT_STREAM_AUGMENT.lowPassHz,
};

/** Augmentation presets by the name `--augment-preset` takes. */
export const AUGMENT_PRESETS = { basic: DEFAULT_AUGMENT, speaker: SPEAKER_AUGMENT } as const satisfies Record<string, AugmentConfig>;

export type AugmentPresetName = keyof typeof AUGMENT_PRESETS;

/** True when `name` names an augmentation preset (own keys only). */
export function isAugmentPresetName(name: string): name is AugmentPresetName {
  return Object.prototype.hasOwnProperty.call(AUGMENT_PRESETS, name);
}

/**
 * `name` as a preset name.
 * @param flag - what the user typed it as, for the message (`--augment-preset`)
 * @throws InvalidArgumentError naming the known presets
 */
export function resolveAugmentPreset(name: string, flag = 'augmentPreset'): AugmentPresetName {
  if (isAugmentPresetName(name)) return name;
  throw new InvalidArgumentError(`${flag}: expected one of ${Object.keys(AUGMENT_PRESETS).join(', ')}, got "${name}"`, {
    field: flag,
    value: name,
  });
}

/** Noise recordings at the training rate; each may be longer than a clip (a random segment is used). */
export interface NoiseBank {
  clips: { file: string; samples: Float32Array }[];
}

/** What was applied to one clip, for logs and tests. */
export interface AugmentRecord {
  shiftSamples: number;
  gainDb: number;
  speed?: number;
  rt60S?: number;
  highPassHz?: number;
  lowPassHz?: number;
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

/** `x` centred in `length` samples: cut evenly from both ends, or zero-padded evenly. */
function centred(x: Float32Array, length: number): Float32Array {
  if (x.length === length) return x;
  const out = new Float32Array(length);
  if (x.length > length) out.set(x.subarray((x.length - length) >> 1, ((x.length - length) >> 1) + length));
  else out.set(x, (length - x.length) >> 1);
  return out;
}

/**
 * Returns an augmented copy of `clip` (the input is not modified). Order: speed (when
 * configured), shift, room and band (when configured), gain, noise (noise last, so the SNR is
 * measured against the clip as heard), then clip to [−1, 1]. A config without the optional
 * speaker/room fields draws exactly what it always drew.
 */
export function augmentClip(
  clip: Float32Array,
  rand: Rng,
  sampleRateHz: number,
  config: AugmentConfig = DEFAULT_AUGMENT,
  noise?: NoiseBank,
): { samples: Float32Array; record: AugmentRecord } {
  const speed = config.speed ? uniform(rand, config.speed[0], config.speed[1]) : undefined;
  const source = speed === undefined ? clip : centred(changeSpeed(clip, speed, sampleRateHz), clip.length);
  const maxShift = Math.round(config.timeShiftS * sampleRateHz);
  const shiftSamples = maxShift > 0 ? randInt(rand, -maxShift, maxShift) : 0;
  const out = timeShift(source, shiftSamples);
  // Room and band only when configured: a config without them draws exactly what it always drew.
  const room =
    config.reverbProbability !== undefined || config.bandProbability !== undefined
      ? roomAndBand(out, rand, sampleRateHz, {
          reverbProbability: config.reverbProbability ?? 0,
          rt60S: config.rt60S ?? DEFAULT_STREAM_AUGMENT.rt60S,
          bandProbability: config.bandProbability ?? 0,
          highPassHz: config.highPassHz ?? DEFAULT_STREAM_AUGMENT.highPassHz,
          lowPassHz: config.lowPassHz ?? DEFAULT_STREAM_AUGMENT.lowPassHz,
        })
      : {};
  const gainDb = uniform(rand, config.gainDb[0], config.gainDb[1]);
  const g = dbToGain(gainDb);
  for (let i = 0; i < out.length; i++) out[i] *= g;
  const record: AugmentRecord = { shiftSamples, gainDb, ...(speed === undefined ? {} : { speed }), ...room };
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
