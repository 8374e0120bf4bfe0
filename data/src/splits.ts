/**
 * Train / validation / test splits.
 *
 * Three modes, chosen by {@link splitFiles}:
 * - `official`: the Speech Commands `validation_list.txt` / `testing_list.txt` decide; every
 *   other file is train. `val_split` and `test_split` are ignored.
 * - `speaker`: files named like Speech Commands (`<speaker>_nohash_<n>.wav`, optionally with a
 *   word prefix as in `_unknown_/backward_0cb74144_nohash_2.wav`) are grouped by speaker, so no
 *   speaker is on both sides (a model must not be validated on voices it trained on). Files
 *   without a speaker each form their own group.
 * - `file`: the nwave-ts reference rule (docs §4.1): sort, one seeded shuffle,
 *   `n_test = ceil(n·test_split)`, `n_val = ceil(n·val_split)`, the rest is train.
 *
 * One algorithm serves `speaker` and `file`: sort the group keys, shuffle them once with
 * mulberry32(random_state), then walk the shuffled groups and put each into test while test is
 * below its target, else into val while val is below its target, else train. "Below target"
 * means the set is empty or adding the group keeps its count within half a group of the target,
 * so clip counts approximate the fractions. With one file per group this is exactly the
 * reference rule (the first n_test shuffled files are test, the next n_val are val).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '@nwave/runtime';
import { mulberry32, shuffleInPlace } from './mulberry32.js';

/** The split fields of `NWaveDataloaderConfig`. */
export interface SplitConfig {
  /** Validation share, 0..1. */
  val_split: number;
  /** Test share, 0..1. */
  test_split: number;
  /** Seed of the shuffle. @defaultValue 42 */
  random_state?: number;
}

export type SplitMode = 'official' | 'speaker' | 'file';

/** Official list files of Speech Commands, as sets of root-relative POSIX paths. */
export interface OfficialLists {
  validation: Set<string>;
  testing: Set<string>;
}

export interface SplitOptions {
  /** `auto` (default): official lists if given, else speaker if any file has a speaker, else file. */
  mode?: SplitMode | 'auto';
  /** Needed for `official` (and used by `auto` when present). */
  officialLists?: OfficialLists;
}

export interface SplitResult {
  mode: SplitMode;
  train: string[];
  val: string[];
  test: string[];
  /** Speaker ids per set (speaker mode only), to prove the sets are disjoint. */
  speakers?: { train: string[]; val: string[]; test: string[] };
}

const SPEAKER_RE = /(?:^|_)([^_/\\]+)_nohash_\d+\.(?:wav|wave|flac|mp3|ogg|oga)$/i;

/**
 * Speaker id of a Speech Commands file name, or `undefined`.
 * @example speakerOf('no/0c40e715_nohash_0.wav') === '0c40e715'
 * @example speakerOf('_unknown_/backward_0cb74144_nohash_2.wav') === '0cb74144'
 */
export function speakerOf(file: string): string | undefined {
  const base = file.split(/[/\\]/).pop() ?? file;
  return SPEAKER_RE.exec(base)?.[1];
}

/**
 * Reads `validation_list.txt` and `testing_list.txt` from a dataset root.
 * @returns the lists, or `undefined` when neither file exists.
 */
export function readOfficialLists(root: string): OfficialLists | undefined {
  const read = (name: string): Set<string> => {
    const path = join(root, name);
    if (!existsSync(path)) return new Set();
    const lines = readFileSync(path, 'utf8').split(/\r?\n/);
    return new Set(lines.map((l) => l.trim().replace(/^\.\//, '')).filter((l) => l.length > 0));
  };
  const validation = read('validation_list.txt');
  const testing = read('testing_list.txt');
  if (validation.size === 0 && testing.size === 0) return undefined;
  return { validation, testing };
}

function checkFraction(name: string, v: number): void {
  if (!Number.isFinite(v) || v < 0 || v > 1) {
    throw new InvalidArgumentError(`${name} must be in [0, 1], got ${v}`, { field: name, value: v, expected: '[0, 1]' });
  }
}

/**
 * Splits root-relative file paths into train / val / test (see the module comment for the rule).
 * The output lists are sorted by code point, whatever the shuffle order.
 * @throws InvalidArgumentError for fractions outside [0, 1], a sum above 1, or `official` without lists.
 */
export function splitFiles(files: readonly string[], config: SplitConfig, options: SplitOptions = {}): SplitResult {
  checkFraction('val_split', config.val_split);
  checkFraction('test_split', config.test_split);
  if (config.val_split + config.test_split > 1) {
    throw new InvalidArgumentError('val_split + test_split must not exceed 1', {
      field: 'val_split+test_split',
      value: config.val_split + config.test_split,
    });
  }
  const sorted = [...files].sort(byCodePoint);
  const requested = options.mode ?? 'auto';
  let mode: SplitMode;
  if (requested === 'auto') {
    mode = options.officialLists ? 'official' : sorted.some((f) => speakerOf(f) !== undefined) ? 'speaker' : 'file';
  } else {
    mode = requested;
  }

  if (mode === 'official') {
    const lists = options.officialLists;
    if (!lists) throw new InvalidArgumentError('split mode "official" needs validation_list.txt / testing_list.txt', { field: 'mode' });
    const out: SplitResult = { mode, train: [], val: [], test: [] };
    for (const f of sorted) {
      if (lists.testing.has(f)) out.test.push(f);
      else if (lists.validation.has(f)) out.val.push(f);
      else out.train.push(f);
    }
    return out;
  }

  // Group files: by speaker (speaker mode) or one group per file (file mode).
  const groups = new Map<string, string[]>();
  for (const f of sorted) {
    const key = mode === 'speaker' ? (speakerOf(f) ?? `\u0000file:${f}`) : f;
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  const keys = shuffleInPlace([...groups.keys()].sort(byCodePoint), mulberry32(config.random_state ?? 42));

  const n = sorted.length;
  const targetTest = Math.ceil(n * config.test_split);
  const targetVal = Math.ceil(n * config.val_split);
  const sets = { train: [] as string[], val: [] as string[], test: [] as string[] };
  const keysOf = { train: [] as string[], val: [] as string[], test: [] as string[] };
  const fits = (count: number, size: number, target: number): boolean => target > 0 && (count === 0 || count + size / 2 <= target);
  for (const key of keys) {
    const g = groups.get(key)!;
    const set = fits(sets.test.length, g.length, targetTest) ? 'test' : fits(sets.val.length, g.length, targetVal) ? 'val' : 'train';
    sets[set].push(...g);
    keysOf[set].push(key);
  }
  const result: SplitResult = {
    mode,
    train: sets.train.sort(byCodePoint),
    val: sets.val.sort(byCodePoint),
    test: sets.test.sort(byCodePoint),
  };
  if (mode === 'speaker') {
    const real = (ks: string[]) => ks.filter((k) => !k.startsWith('\u0000')).sort(byCodePoint);
    result.speakers = { train: real(keysOf.train), val: real(keysOf.val), test: real(keysOf.test) };
  }
  return result;
}

/** Code-point order (not locale order), as NWAVE's sorted folder listing. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
