/**
 * Sources of the streaming test on real recordings (`nwave eval --stream-negatives DIR...
 * --stream-keywords DIR`): long non-keyword recordings (e.g. spoken sentences) back to back, with
 * keyword clips of a separate folder inserted between them.
 *
 * - Negatives: every audio file under each `--stream-negatives` folder (recursive), whatever
 *   its folder name: all of it is "other speech".
 * - Keywords: `--stream-keywords DIR/<label>/*` for every folder named like a keyword of the
 *   model; other folders are left out (they are not keywords of this model).
 * - Split (`--stream-split`, default `dev`): a deterministic half of the negatives, so a model
 *   tuned on one half can be judged on the other. Files with a Speech Commands speaker id
 *   (`<speaker>_nohash_<n>`) are split by speaker, others by file name: a file (or speaker) is
 *   in `dev` when the FNV-1a hash of its key is even, else in `test`; `all` keeps every file.
 *   Keyword clips are never split (they come from their own folder).
 *
 * Paths are absolute; durations are read once (decoding) to plan the stream.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type NwaveModel } from '@nwave/runtime';
import { isAudioFileName } from '@nwave/runtime/node';
import { loadAudio, type LoadFailure } from '@nwave/training/dataset-folder';
import { byCodePoint, speakerOf } from '@nwave/training/splits';
import { isKeyword } from './dataset.js';
import type { StreamSource } from './stream-builder.js';

export type StreamSplit = 'dev' | 'test' | 'all';
export const STREAM_SPLITS: readonly StreamSplit[] = ['dev', 'test', 'all'];

/** 32-bit FNV-1a of a string (stable across platforms and runs). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Half of the split a file belongs to (see the module comment). */
export function streamHalf(file: string): 'dev' | 'test' {
  const key = speakerOf(file) ?? path.basename(file);
  return fnv1a(key) % 2 === 0 ? 'dev' : 'test';
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
  const split = opts.split ?? 'dev';
  const failures: LoadFailure[] = [];
  const sources: StreamSource[] = [];
  const add = (file: string, label: number, keyword: boolean) => {
    try {
      const durationS = loadAudio(file, rate).length / rate;
      if (durationS > 0) sources.push({ file, label, keyword, durationS });
    } catch (err) {
      failures.push({ file, reason: (err as Error).message });
    }
  };
  for (const dir of opts.negatives)
    for (const f of listAudioTree(dir, 'stream-negatives')) if (split === 'all' || streamHalf(f) === split) add(f, -1, false);
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
