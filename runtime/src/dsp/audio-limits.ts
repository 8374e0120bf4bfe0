/**
 * Input limits checked before any work: a header declaring 1 Hz or 2.6 GHz, or 60,000 channels,
 * is refused with a clear message instead of being "resampled" into hours of audio or a hang.
 */
import { AudioFormatError } from '../errors.js';

/** Lowest sample rate accepted, Hz (telephone audio is 8 kHz; below 4 kHz speech is gone). */
export const MIN_SAMPLE_RATE_HZ = 4000;
/** Highest sample rate accepted, Hz (the highest rate of studio converters). */
export const MAX_SAMPLE_RATE_HZ = 384000;
/** Most channels accepted (WAVE_FORMAT_EXTENSIBLE names at most 18 speaker positions). */
export const MAX_CHANNELS = 32;
/** Longest audio accepted, seconds (24 h): longer files are refused, not streamed for days. */
export const MAX_AUDIO_DURATION_S = 24 * 3600;
/** Most samples one whole-clip buffer may hold after resampling (~17 min at 16 kHz, 64 MB float32). */
export const MAX_WHOLE_CLIP_SAMPLES = 2 ** 24;

/**
 * Checks a declared format against the limits above.
 * @throws AudioFormatError `<source>: sample rate ... outside 4000–384000 Hz` (and the like), context `{ file }`
 */
export function checkAudioFormat(source: string, sampleRateHz: number, channels: number, durationS?: number): void {
  const fail = (problem: string, field: string, value: number): never => {
    throw new AudioFormatError(`${source}: ${problem}`, { file: source, field, value });
  };
  if (!(sampleRateHz >= MIN_SAMPLE_RATE_HZ && sampleRateHz <= MAX_SAMPLE_RATE_HZ) || !Number.isInteger(sampleRateHz))
    fail(
      `sample rate ${sampleRateHz} Hz is outside the supported ${MIN_SAMPLE_RATE_HZ}–${MAX_SAMPLE_RATE_HZ} Hz`,
      'sampleRateHz',
      sampleRateHz,
    );
  if (!(Number.isInteger(channels) && channels >= 1 && channels <= MAX_CHANNELS))
    fail(`${channels} channels is outside the supported 1–${MAX_CHANNELS}`, 'channels', channels);
  if (durationS !== undefined && !(durationS <= MAX_AUDIO_DURATION_S))
    fail(
      `duration ${(durationS / 3600).toFixed(1)} h is longer than the supported ${MAX_AUDIO_DURATION_S / 3600} h`,
      'durationS',
      durationS,
    );
}
