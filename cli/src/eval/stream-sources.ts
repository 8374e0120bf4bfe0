/**
 * Sources of the streaming test on real recordings (`nwave eval --stream-negatives DIR...
 * --stream-keywords DIR`): long non-keyword recordings (e.g. spoken sentences) back to back, with
 * keyword clips of a separate folder inserted between them.
 *
 * - Negatives: every audio file under each `--stream-negatives` folder (recursive), whatever
 *   its folder name: all of it is "other speech".
 * - Keywords: `--stream-keywords DIR/<label>/*` for every folder named like a keyword of the
 *   model; other folders are left out (they are not keywords of this model).
 * - Split (`--stream-split`, default `eval`): the project's held-out rule
 *   (data/src/holdout-split.ts): files with a speaker id go by speaker (`eval` = the
 *   val and test speakers), others by an md5 hash of `<source>/<folder>/<name>` (`eval` half vs
 *   `train` half); `all` keeps every file. Keyword clips are never split (their own folder).
 *
 * Paths are absolute; durations are read once to plan the stream (WAV headers; compressed files
 * decoded through as streams, memory flat in their length).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type NwaveModel } from '@nwave/runtime';
import { audioSamplesAtRateSync, isAudioFileName } from '@nwave/runtime/node';
import type { LoadFailure } from '@nwave/data/dataset-folder';
import { holdoutOf } from '@nwave/data/holdout-split';
import { byCodePoint } from '@nwave/data/splits';
import { isKeyword } from './dataset.js';
import type { StreamSource } from './stream-builder.js';

export type StreamSplit = 'eval' | 'train' | 'all';
export const STREAM_SPLITS: readonly StreamSplit[] = ['eval', 'train', 'all'];

/** True when `file` is in the `split` half of the stream data. */
export function inStreamSplit(file: string, split: StreamSplit): boolean {
  if (split === 'all') return true;
  return (holdoutOf(file) === 'train') === (split === 'train');
}

/** Audio files under `dir`, recursive, sorted, absolute. @throws InvalidArgumentError if unreadable */
export function listAudioTree(dir: string, field: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    entries = readdirSync(dir, { recursive: true }) as string[];
  } catch (err) {
    throw new InvalidArgumentError(`--${field}: cannot read folder ${dir} (${(err as Error).message})`, { file: dir, field });
  }
  return entries
    .filter((e) => isAudioFileName(e))
    .map((e) => e.split(path.sep).join('/'))
    .sort(byCodePoint)
    .map((e) => path.join(dir, e));
}

export interface StreamSourceSet {
  sources: StreamSource[];
  negatives: number;
  keywords: number;
  negativeS: number;
  failures: LoadFailure[];
}

/** Reads the negatives and keyword folders into stream sources (durations decoded once). */
export function loadStreamSources(
  model: NwaveModel,
  opts: { negatives: readonly string[]; keywords?: string; split?: StreamSplit },
): StreamSourceSet {
  const rate = model.filterbank.sampleRateHz;
  const split = opts.split ?? 'eval';
  const failures: LoadFailure[] = [];
  const sources: StreamSource[] = [];
  const add = (file: string, label: number, keyword: boolean) => {
    try {
      const durationS = audioSamplesAtRateSync(file, rate) / rate;
      if (durationS > 0) sources.push({ file, label, keyword, durationS });
    } catch (err) {
      failures.push({ file, reason: (err as Error).message });
    }
  };
  for (const dir of opts.negatives) for (const f of listAudioTree(dir, 'stream-negatives')) if (inStreamSplit(f, split)) add(f, -1, false);
  if (opts.keywords) {
    let folders: string[];
    try {
      folders = readdirSync(opts.keywords).sort(byCodePoint);
    } catch (err) {
      throw new InvalidArgumentError(`--stream-keywords: cannot read folder ${opts.keywords} (${(err as Error).message})`, {
        file: opts.keywords,
        field: 'stream-keywords',
      });
    }
    for (const folder of folders) {
      const label = model.labels.indexOf(folder);
      if (!isKeyword(model, label)) continue;
      for (const f of listAudioTree(path.join(opts.keywords, folder), 'stream-keywords')) add(f, label, true);
    }
  }
  const neg = sources.filter((s) => !s.keyword);
  return {
    sources,
    negatives: neg.length,
    keywords: sources.length - neg.length,
    negativeS: neg.reduce((a, s) => a + s.durationS, 0),
    failures,
  };
}
