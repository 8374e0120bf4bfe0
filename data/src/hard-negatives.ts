/**
 * Hard-negative mining (issue 11): the runtime's own streaming detector (`KeywordSpotter`, the
 * deployed path: streaming filterbank, fixed-point network, detector) runs over long streams of
 * negative recordings played back to back; every detection there is a false accept, and the 1 s
 * of audio that ended with it becomes a new training negative. Called between training rounds
 * (`runTraining`'s `hardNegativeRounds`, `nwave train --hard-negative-rounds N`).
 */
import { KeywordSpotter, computeFeatures, type NwaveModel, type ResolvedFilterbankConfig } from '@nwave/runtime';
import type { LoaderItem } from './data-loader.js';
import { loadAudio } from './dataset-folder.js';
import { deriveSeed, mulberry32, shuffleInPlace } from './mulberry32.js';

export interface MineOptions {
  /** Training window, seconds. */
  durationS: number;
  filterbank: ResolvedFilterbankConfig;
  frames: number;
  /** Label of the mined windows (background class, or -1 in uniform mode). */
  label: number;
  /** Stop after this many windows. @defaultValue 2000 */
  maxWindows?: number;
  /** Stop after this much stream, seconds. @defaultValue 3600 */
  maxStreamS?: number;
  seed: number;
  /** Round number (names the items, seeds the order). */
  round?: number;
}

export interface MineResult {
  items: LoaderItem[];
  /** Stream played, seconds. */
  streamS: number;
  falseAccepts: number;
  /** False accepts per hour of the mined stream (the model's rate before this round). */
  falseAcceptsPerHour: number;
  unreadable: number;
}

/** Runs the spotter over the negatives (seeded order) and returns its false accepts as training windows. */
export function mineHardNegatives(model: NwaveModel, negatives: readonly string[], o: MineOptions): MineResult {
  const rate = model.filterbank.sampleRateHz;
  const n = Math.round(o.durationS * rate);
  const maxWindows = o.maxWindows ?? 2000;
  const maxSamples = Math.round((o.maxStreamS ?? 3600) * rate);
  const round = o.round ?? 0;
  const order = shuffleInPlace([...negatives], mulberry32(deriveSeed(o.seed, 'mine', round)));
  // Ring of the last 2 windows of stream audio: a detection's window ended at most a chunk ago.
  const ringLen = 2 * n + 4096;
  const ring = new Float32Array(ringLen);
  let pos = 0;
  let unreadable = 0;
  let falseAccepts = 0;
  const items: LoaderItem[] = [];
  const C = o.filterbank.centerFrequenciesHz.length;
  const spotter = new KeywordSpotter(model, { inputSampleRateHz: rate });
  for (const file of order) {
    if (items.length >= maxWindows || pos >= maxSamples) break;
    let audio: Float32Array;
    try {
      audio = loadAudio(file, rate);
    } catch {
      unreadable++;
      continue;
    }
    for (let i = 0; i < audio.length && items.length < maxWindows; i += 1024) {
      const chunk = audio.subarray(i, i + 1024);
      for (let j = 0; j < chunk.length; j++) ring[(pos + j) % ringLen] = chunk[j];
      pos += chunk.length;
      for (const e of spotter.process(chunk)) {
        falseAccepts++;
        const end = Math.min(pos, Math.round(e.endTime * rate));
        if (end - n < pos - ringLen) continue; // too old for the ring (cannot happen with 1 k chunks)
        const w = new Float32Array(n);
        for (let k = 0; k < n; k++) w[k] = end - n + k >= 0 ? ring[(end - n + k) % ringLen] : 0;
        const f = computeFeatures(w, o.filterbank);
        const feats = new Float32Array(o.frames * C);
        feats.set(f.data.subarray(0, feats.length));
        items.push({ file: `hard-negative/r${round}/${items.length}@${e.endTime.toFixed(3)}s`, label: o.label, features: () => feats });
      }
    }
  }
  const streamS = pos / rate;
  return { items, streamS, falseAccepts, falseAcceptsPerHour: streamS > 0 ? (falseAccepts * 3600) / streamS : 0, unreadable };
}
