/**
 * The project's fixed held-out rule for real speech (issue 11), shared by the trainer's data
 * feeding, `nwave eval`'s streaming test and `scripts/bar-table.ts`, so a model is never
 * judged on a voice or a recording it trained on, however it was trained:
 *
 * - Files with a Speech Commands speaker id (`<speaker>_nohash_<n>`): by speaker,
 *   `h = int(md5(speaker)[0:8], 16) % 5`: h ∈ {0, 1, 2} train, 3 val, 4 test.
 * - Other files (sentences, wake words, digits...): by recording,
 *   `int(md5(key)[0:8], 16) % 2`: 0 train half, 1 eval half, where key is the file's last three
 *   path parts `<source>/<folder>/<name>` (e.g. `picovoice-sentences/_sentences_/x.flac`,
 *   the path relative to extra-speech/), so the rule does not depend on where the data lives.
 *
 * (The same rule as the PyTorch exploration's, /work/ml-findings.md "Splits".)
 */
import { createHash } from 'node:crypto';
import { speakerOf } from './splits.js';

export type SpeakerSet = 'train' | 'val' | 'test';
export type RecordingHalf = 'train' | 'eval';

const md5mod = (text: string, m: number) => parseInt(createHash('md5').update(text).digest('hex').slice(0, 8), 16) % m;

/** Set of a speaker id. */
export function speakerSet(speaker: string): SpeakerSet {
  const h = md5mod(speaker, 5);
  return h <= 2 ? 'train' : h === 3 ? 'val' : 'test';
}

/** `<source>/<folder>/<name>` of a path (fewer parts when the path is shorter). */
export function recordingKey(file: string): string {
  return file.split(/[/\\]/).filter(Boolean).slice(-3).join('/');
}

/** Half of a recording without speaker id. */
export function recordingHalf(file: string): RecordingHalf {
  return md5mod(recordingKey(file), 2) === 0 ? 'train' : 'eval';
}

/**
 * Where a file goes: its speaker's set, or for files without speaker id `train` (train half) or
 * `eval` (eval half, used for both validation and test streams).
 */
export function holdoutOf(file: string): SpeakerSet | 'eval' {
  const speaker = speakerOf(file);
  return speaker ? speakerSet(speaker) : recordingHalf(file);
}

/** True when a file may be used for training under the rule. */
export function isTrainFile(file: string): boolean {
  return holdoutOf(file) === 'train';
}
