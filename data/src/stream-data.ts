/**
 * Training data for the stream (issue 11): what the streaming detector really sees, as 1 s
 * training windows (loader items with precomputed features, one per epoch variant).
 *
 * Sources: folders of other people's speech (`--negatives DIR...`, e.g. extra-speech): every
 * audio file is a negative unless one of its folders is named like a keyword (then it is a
 * positive of that keyword); `_background_noise_` / `background-noise` folders are noise for the
 * augmentation, not negatives. Only files the held-out rule puts in `train`
 * (holdout-split.ts) are used, so validation and the bar table stay speaker-disjoint.
 *
 * Windows (one per file and epoch variant, seeded by (seed, file, variant)):
 * - negatives at every alignment: a random 1 s window of the (speed-perturbed) recording, or the
 *   whole clip at a random offset when it is shorter; with some probability the window straddles
 *   the junction with the previous recording ("words glued to other words");
 * - keyword fragments: the first or last 25–60 % of a keyword clip ("ye-", "-es", "n-") as negatives;
 * - positives where the detector sees them: the keyword clip ending anywhere in the last 45 % of
 *   the window, preceded (and sometimes followed) by other speech at a random level.
 * Each window then gets the room/band/gain/noise augmentation of stream-augment.ts.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { computeFeatures, type ResolvedFilterbankConfig } from '@nwave/runtime';
import { isAudioFileName } from '@nwave/runtime/node';
import type { NoiseBank } from './augment.js';
import type { LoaderItem } from './data-loader.js';
import { loadAudio, type LoadFailure } from './dataset-folder.js';
import { holdoutOf, recordingKey } from './holdout-split.js';
import { deriveSeed, mulberry32, randInt, uniform, type Rng } from './mulberry32.js';
import { dbToGain, rms } from './noise.js';
import { byCodePoint } from './splits.js';
import { augmentWindow, perturbSpeed, type StreamAugmentConfig } from './stream-augment.js';

/** Folder names that hold noise recordings rather than speech. */
export const NOISE_FOLDERS: readonly string[] = ['_background_noise_', 'background-noise'];

export interface NegativeFolderScan {
  /** Negative files (absolute), train half only. */
  negatives: string[];
  /** Keyword clips found in the folders (absolute), train speakers only. */
  positives: { file: string; label: number }[];
  /** Noise recordings (absolute), all of them (noise has no speakers to keep apart). */
  noise: string[];
  /** Files left out by the held-out rule. */
  heldOut: number;
}

/**
 * Scans negative folders (see the module comment).
 * @param keywords keyword names; index = label of their positives
 */
export function scanNegativeFolders(dirs: readonly string[], keywords: readonly string[]): NegativeFolderScan {
  const out: NegativeFolderScan = { negatives: [], positives: [], noise: [], heldOut: 0 };
  for (const dir of dirs) {
    const files = (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => isAudioFileName(f) && !f.split(/[/\\]/).some((p) => p.startsWith('.')))
      .sort(byCodePoint);
    for (const rel of files) {
      const abs = join(dir, rel);
      if (!statSync(abs).isFile()) continue;
      const parts = rel.split(/[/\\]/).slice(0, -1);
      if (parts.some((p) => NOISE_FOLDERS.includes(p))) {
        out.noise.push(abs);
        continue;
      }
      if (holdoutOf(abs) !== 'train') {
        out.heldOut++;
        continue;
      }
      const kw = parts.map((p) => keywords.indexOf(p)).find((i) => i >= 0);
      if (kw !== undefined) out.positives.push({ file: abs, label: kw });
      else out.negatives.push(abs);
    }
  }
  return out;
}

export interface StreamWindowOptions {
  sampleRateHz: number;
  /** Window length, seconds (the training clip length). */
  durationS: number;
  filterbank: ResolvedFilterbankConfig;
  /** Frames per window (features are cut or zero-padded to it). */
  frames: number;
  seed: number;
  /** Windows per file: one per epoch, cycling (epoch mod variants). @defaultValue 4 */
  variants?: number;
  /** Augmentation; null = none (windows and alignment only). */
  augment: StreamAugmentConfig | null;
  noise?: NoiseBank;
  /** Share of negative windows glued to the previous recording. @defaultValue 0.3 */
  glueProbability?: number;
  /** Label given to negatives and fragments (background class, or -1 for uniform mode). */
  negativeLabel: number;
  log?: (msg: string) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface StreamItems {
  negatives: LoaderItem[];
  fragments: LoaderItem[];
  positives: LoaderItem[];
  failures: LoadFailure[];
}

/** `n` samples of `src` from `start` (zero outside). */
function cut(src: Float32Array, start: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = Math.max(0, -start); i < n && start + i < src.length; i++) out[i] = src[start + i];
  return out;
}

/** Frames [T][C] of a window, exactly `frames` long. */
function windowFeatures(x: Float32Array, o: StreamWindowOptions): Float32Array {
  const f = computeFeatures(x, o.filterbank);
  const C = o.filterbank.centerFrequenciesHz.length;
  const out = new Float32Array(o.frames * C);
  out.set(f.data.subarray(0, Math.min(f.data.length, out.length)));
  return out;
}

/** A random negative window of `audio` (every alignment), optionally glued to `prev`. */
function negativeWindow(audio: Float32Array, prev: Float32Array | null, n: number, rand: Rng, glue: number): Float32Array {
  if (prev && prev.length > 0 && rand() < glue) {
    // The junction anywhere in the window: tail of the previous recording, head of this one.
    const split = randInt(rand, Math.round(n * 0.2), Math.round(n * 0.8));
    const w = new Float32Array(n);
    w.set(cut(prev, prev.length - split, split), 0);
    w.set(cut(audio, 0, n - split), split);
    return w;
  }
  if (audio.length >= n) return cut(audio, randInt(rand, 0, audio.length - n), n);
  return cut(audio, -randInt(rand, 0, n - audio.length), n);
}

/**
 * The voiced part of a clip: 10 ms frames whose RMS is at least 10 % of the loudest frame's,
 * first to last, plus 50 ms either side (Speech Commands clips pad the word with silence).
 */
export function trimSilence(x: Float32Array, sampleRateHz: number): Float32Array {
  const hop = Math.max(1, Math.round(sampleRateHz * 0.01));
  const frames = Math.floor(x.length / hop);
  const e = Array.from({ length: frames }, (_, f) => rms(x.subarray(f * hop, (f + 1) * hop)));
  const peak = Math.max(0, ...e);
  if (peak === 0) return x;
  const on = e.findIndex((v) => v >= 0.1 * peak);
  const off = frames - 1 - [...e].reverse().findIndex((v) => v >= 0.1 * peak);
  const margin = Math.round(sampleRateHz * 0.05);
  return x.subarray(Math.max(0, on * hop - margin), Math.min(x.length, (off + 1) * hop + margin));
}

/** A keyword clip's first or last 25–60 %, placed at a random offset: a negative. */
function fragmentWindow(kw: Float32Array, n: number, rand: Rng): Float32Array {
  const keep = Math.max(1, Math.round(kw.length * uniform(rand, 0.25, 0.6)));
  const part = rand() < 0.6 ? kw.subarray(0, keep) : kw.subarray(kw.length - keep);
  return cut(part, -randInt(rand, 0, Math.max(0, n - part.length)), n);
}

/** The keyword ending in the last 45 % of the window, other speech before (and maybe after). */
function positiveWindow(kw: Float32Array, other: Float32Array | null, n: number, rand: Rng): Float32Array {
  const w = new Float32Array(n);
  const end = Math.min(n, randInt(rand, Math.round(n * 0.55), n));
  const start = end - kw.length;
  for (let i = Math.max(0, start); i < end; i++) w[i] = kw[i - start];
  if (other && other.length > 0 && rand() < 0.7) {
    // Other speech up to a short gap before the keyword, at -12..0 dB relative to it.
    const gap = randInt(rand, 0, Math.round(n * 0.1));
    const before = Math.max(0, start - gap);
    const g = dbToGain(uniform(rand, -12, 0)) * (rms(kw) / Math.max(1e-6, rms(other)));
    const src = randInt(rand, 0, Math.max(0, other.length - before));
    for (let i = 0; i < before; i++) w[i] += g * (other[src + i] ?? 0);
    if (end < n && rand() < 0.5) {
      const after = randInt(rand, 0, Math.max(0, other.length - (n - end)));
      for (let i = end + Math.round(n * 0.05); i < n; i++) w[i] += g * (other[after + i - end] ?? 0);
    }
  }
  return w;
}

/**
 * Builds the stream-training items: features of every window are computed here (audio is not
 * kept), `variants` per file, served one per epoch by the loader (epoch mod variants).
 * @param negatives absolute paths of negative recordings
 * @param positives keyword clips (absolute) with their labels
 */
export function buildStreamItems(
  negatives: readonly string[],
  positives: readonly { file: string; label: number }[],
  o: StreamWindowOptions,
): StreamItems {
  const rate = o.sampleRateHz;
  const n = Math.round(o.durationS * rate);
  const V = Math.max(1, o.variants ?? 4);
  const glue = o.glueProbability ?? 0.3;
  const failures: LoadFailure[] = [];
  const total = negatives.length + positives.length;
  let done = 0;
  const item = (file: string, label: number, feats: Float32Array[]): LoaderItem => ({
    file,
    label,
    features: (epoch) => feats[epoch % feats.length],
  });
  /** One window per variant: speed perturbation of the source first, then the window, then the room. */
  const variants = (file: string, kind: string, audio: Float32Array, make: (a: Float32Array, rand: Rng) => Float32Array) =>
    Array.from({ length: V }, (_, v) => {
      const rand = mulberry32(deriveSeed(deriveSeed(o.seed, kind, recordingKey(file)), v));
      // mulberry32's first draws of seeds derived from neighbouring variant numbers were seen to
      // nearly coincide (same window twice): skip a few.
      for (let k = 0; k < 4; k++) rand();
      const a = o.augment ? perturbSpeed(audio, rand, rate, o.augment).samples : audio;
      const w = make(a, rand);
      if (o.augment) augmentWindow(w, rand, rate, o.augment, o.noise);
      return windowFeatures(w, o);
    });
  const read = (file: string): Float32Array | null => {
    try {
      return loadAudio(file, rate);
    } catch (err) {
      failures.push({ file, reason: (err as Error).message });
      return null;
    }
  };

  const out: StreamItems = { negatives: [], fragments: [], positives: [], failures };
  let prev: Float32Array | null = null;
  for (const file of negatives) {
    const audio = read(file);
    if (audio) {
      const before = prev;
      out.negatives.push(
        item(
          file,
          o.negativeLabel,
          variants(file, 'negative', audio, (a, r) => negativeWindow(a, before, n, r, glue)),
        ),
      );
      prev = audio;
    }
    o.onProgress?.(++done, total);
  }
  for (const p of positives) {
    const raw = read(p.file);
    if (raw) {
      const audio = trimSilence(raw, rate);
      const other = prev;
      out.positives.push(
        item(
          p.file,
          p.label,
          variants(p.file, 'positive', audio, (a, r) => positiveWindow(a, other, n, r)),
        ),
      );
      out.fragments.push(
        item(
          `${p.file}#fragment`,
          o.negativeLabel,
          variants(p.file, 'fragment', audio, (a, r) => fragmentWindow(a, n, r)),
        ),
      );
    }
    o.onProgress?.(++done, total);
  }
  return out;
}
