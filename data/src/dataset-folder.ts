/**
 * The classification folder layout `DATA/<class>/*.wav` and clip loading.
 *
 * Labels (documented NWAVE rule, reference §4.2): class folders sorted by code point get labels
 * 0..C−1; files that are not audio (`.wav`, `.flac`, `.mp3`, `.ogg`) are ignored. nwave-ts additions:
 * - hidden folders (`.cache`...) and `_background_noise_` are not classes: the latter holds the
 *   long Speech Commands noise recordings, used by augmentation, not 1 s clips.
 * - {@link selectClasses} picks keywords: the chosen words get labels 0..W−1 IN THE ORDER GIVEN
 *   (so `['yes', 'no']` makes yes = 0, the caller decides which output neuron is which word), and
 *   with `background` every other class folder (`_silence_`, `_unknown_`, other words) merges into
 *   ONE label named `_background_`, always the last (W). Adding or removing the background class
 *   therefore never renumbers the words.
 *
 * Loading: any rate (resampled to the target), any channel count (averaged), 8/16/24/32-bit PCM
 * and float WAV, FLAC, MP3, OGG/Vorbis (decoders in runtime/src/node/audio-file.ts), zero-padded at the end or trimmed keeping
 * the start. Unreadable files are collected as `{file, reason}`, never fatal, never silent.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AudioFormatError, InvalidArgumentError, MAX_WHOLE_CLIP_SAMPLES, resample } from '@nwave/runtime';
import { decodeAudioFileSync, isAudioFileName, openWavStream } from '@nwave/runtime/node';
import { byCodePoint } from './splits.js';

/** Label name of the merged background class. */
export const BACKGROUND_LABEL = '_background_';

/** Folders never treated as classes. @defaultValue ['_background_noise_'] */
export const DEFAULT_EXCLUDED_FOLDERS: readonly string[] = ['_background_noise_'];

export interface DatasetEntry {
  /** Path relative to the root, POSIX separators (`no/0c40e715_nohash_0.wav`), as NWAVE's filenames. */
  file: string;
  /** Class folder the file is in. */
  folder: string;
  label: number;
}

export interface DatasetIndex {
  root: string;
  /** `labels[i]` is the name of label i. */
  labels: string[];
  /** Every selected clip, sorted by `file`. */
  entries: DatasetEntry[];
  /** Label of each used folder. */
  folderLabels: Record<string, number>;
}

export interface ClassSelection {
  /** Keywords, each a class folder; labels 0..W−1 in this order. Omitted: every folder, sorted. */
  words?: readonly string[];
  /** Merge every other folder into one label (`true` → `_background_`, a string → that name). */
  background?: boolean | string;
  /** Folders that are never classes. @defaultValue {@link DEFAULT_EXCLUDED_FOLDERS} */
  exclude?: readonly string[];
}

/** Class folders of `root`, sorted by code point (hidden and excluded folders left out). */
export function listClassFolders(root: string, exclude: readonly string[] = DEFAULT_EXCLUDED_FOLDERS): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch (err) {
    throw new InvalidArgumentError(`cannot read dataset folder ${root}: ${(err as Error).message}`, { file: root, field: 'data_parent' });
  }
  return names.filter((n) => !n.startsWith('.') && !exclude.includes(n) && statSync(join(root, n)).isDirectory()).sort(byCodePoint);
}

/** Audio files (WAV, FLAC, MP3, OGG; any case) directly inside `root/folder`, sorted. */
export function listAudioFilesIn(root: string, folder: string): string[] {
  return readdirSync(join(root, folder))
    .filter((n) => isAudioFileName(n) && statSync(join(root, folder, n)).isFile())
    .sort(byCodePoint);
}

function buildIndex(root: string, folderLabels: Record<string, number>, labels: string[]): DatasetIndex {
  const entries: DatasetEntry[] = [];
  for (const folder of Object.keys(folderLabels)) {
    for (const name of listAudioFilesIn(root, folder)) entries.push({ file: `${folder}/${name}`, folder, label: folderLabels[folder] });
  }
  entries.sort((a, b) => byCodePoint(a.file, b.file));
  return { root, labels, entries, folderLabels };
}

/**
 * The plain NWAVE layout: every class folder, labels in code-point order.
 * @throws InvalidArgumentError if the root cannot be read or holds no class folder.
 */
export function scanDatasetFolder(root: string, options: { exclude?: readonly string[] } = {}): DatasetIndex {
  const folders = listClassFolders(root, options.exclude);
  if (folders.length === 0)
    throw new InvalidArgumentError(`no class folders in ${root}`, { file: root, field: 'data_parent', expected: '<root>/<class>/*.wav' });
  const folderLabels = Object.fromEntries(folders.map((f, i) => [f, i]));
  return buildIndex(root, folderLabels, folders);
}

/**
 * Keyword selection with an optional merged background class (see the module comment).
 * Without `words` this is {@link scanDatasetFolder}.
 * @throws InvalidArgumentError for a missing or repeated word folder.
 */
export function selectClasses(root: string, selection: ClassSelection = {}): DatasetIndex {
  if (!selection.words) return scanDatasetFolder(root, { exclude: selection.exclude });
  const folders = listClassFolders(root, selection.exclude);
  const words = [...selection.words];
  const missing = words.filter((w) => !folders.includes(w));
  if (missing.length > 0) {
    throw new InvalidArgumentError(`word folder(s) not found in ${root}: ${missing.join(', ')} (available: ${folders.join(', ')})`, {
      file: root,
      field: 'words',
      value: missing,
      expected: folders,
    });
  }
  if (new Set(words).size !== words.length)
    throw new InvalidArgumentError(`repeated word in ${words.join(', ')}`, { field: 'words', value: words });
  // Entries, then fromEntries: own properties, so a folder named __proto__ is a folder like any other.
  const folderEntries: [string, number][] = words.map((w, i) => [w, i]);
  const labels = [...words];
  if (selection.background) {
    const name = typeof selection.background === 'string' ? selection.background : BACKGROUND_LABEL;
    if (words.includes(name))
      throw new InvalidArgumentError(`background label "${name}" is also a word`, { field: 'background', value: name });
    const others = folders.filter((f) => !words.includes(f));
    for (const f of others) folderEntries.push([f, words.length]);
    if (others.length > 0) labels.push(name);
  }
  return buildIndex(root, Object.fromEntries(folderEntries), labels);
}

/** Target format of loaded clips. */
export interface ClipFormat {
  sampleRateHz: number;
  /** Clip length, seconds; `round(durationS · sampleRateHz)` samples. */
  durationS: number;
}

/** Copies `x` into exactly `n` samples: zero-pad at the end, or trim keeping the start. */
export function padOrTrim(x: ArrayLike<number>, n: number): Float32Array {
  const out = new Float32Array(n);
  const m = Math.min(n, x.length);
  for (let i = 0; i < m; i++) out[i] = x[i];
  return out;
}

/** Full mono audio of a file at `sampleRateHz` (no pad/trim). @throws AudioFormatError naming the file */
export function loadAudio(path: string, sampleRateHz: number): Float32Array {
  checkWholeClipSize(path, sampleRateHz);
  const wav = decodeAudioFileSync(path);
  if (wav.sampleRateHz === sampleRateHz) return wav.samples;
  return Float32Array.from(resample(wav.samples, wav.sampleRateHz, sampleRateHz));
}

/**
 * Refuses, from the header alone, a file whose samples after resampling would not fit one
 * whole-clip buffer (a 10-hour recording, or 32 KB declaring 4 kHz upsampled to 384 kHz...).
 */
function checkWholeClipSize(path: string, sampleRateHz: number): void {
  // WAV headers only: compressed files carry no reliable length before decoding (the decoder's
  // own file-size limit bounds them), and their decoded length is checked by the caller's pad/trim.
  if (!/\.wave?$/i.test(path)) return;
  const s = openWavStream(path);
  s.close();
  const n = Math.round((s.frames * sampleRateHz) / s.sampleRateHz);
  if (n > MAX_WHOLE_CLIP_SAMPLES)
    throw new AudioFormatError(
      `${path}: ${(s.durationS / 60).toFixed(1)} min of audio is too long to load whole (${n} samples at ${sampleRateHz} Hz, at most ${MAX_WHOLE_CLIP_SAMPLES})`,
      { file: path, field: 'durationS', value: s.durationS },
    );
}

/** One clip, resampled, mono, padded/trimmed. @throws AudioFormatError naming the file */
export function loadClip(path: string, format: ClipFormat): Float32Array {
  return padOrTrim(loadAudio(path, format.sampleRateHz), Math.round(format.durationS * format.sampleRateHz));
}

/** A file that could not be used, and why. */
export interface LoadFailure {
  file: string;
  reason: string;
}

/** {@link loadClip} that returns the failure instead of throwing. */
export function tryLoadClip(root: string, file: string, format: ClipFormat): { samples: Float32Array } | { failure: LoadFailure } {
  try {
    return { samples: loadClip(join(root, file), format) };
  } catch (err) {
    return { failure: { file, reason: (err as Error).message } };
  }
}

/** Logs a count and the first few failures (never silent). */
export function reportFailures(failures: readonly LoadFailure[], log: (msg: string) => void = (m) => console.warn(m), show = 5): void {
  if (failures.length === 0) return;
  const lines = failures.slice(0, show).map((f) => `  ${f.file}: ${f.reason}`);
  if (failures.length > show) lines.push(`  ... and ${failures.length - show} more`);
  log(`skipped ${failures.length} unreadable audio file(s):\n${lines.join('\n')}`);
}
