/** Shared helpers for benchmarks: timing (best of N), audio material, a tutorial-size model. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCheckpoint, CHIP_FILTER_CENTERS_HZ, validCenters, type Checkpoint } from '../runtime/src/index.js';
import { readWavFile } from '../runtime/src/node/index.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Best wall time of `runs` calls, milliseconds (best-of filters out noise from shared machines). */
export function bestOf(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** `seconds` of 16 kHz speech: the committed real clips, looped, with a little noise. */
export function speechMaterial(seconds: number, rate = 16000): Float32Array {
  const dir = path.join(ROOT, 'test', 'fixtures', 'audio', 'speech-commands');
  const clips: Float32Array[] = [];
  for (const cls of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const f of readdirSync(path.join(dir, cls.name)).filter((f) => f.endsWith('.wav')))
      clips.push(readWavFile(path.join(dir, cls.name, f)).samples);
  }
  const out = new Float32Array(Math.round(seconds * rate));
  let seed = 1;
  for (let i = 0, k = 0; i < out.length; k++) {
    const c = clips[k % clips.length];
    for (let j = 0; j < c.length && i < out.length; j++, i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      out[i] = c[j] + (seed / 2 ** 32 - 0.5) * 1e-3;
    }
  }
  return out;
}

/**
 * Tutorial 2 sized network (13-64-2), random weights aligned to sign groups of 5.
 * @param opts.recurrent also give the hidden layer in-core recurrent weights (drawn after every
 *   other weight, so the feed-forward weights are the same as without).
 */
export function tutorialSizeCheckpoint(seed = 42, opts: { recurrent?: boolean } = {}): Checkpoint {
  let s = seed;
  const rnd = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const normal = (m: number, sd: number) => m + sd * Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const dense = (nIn: number, nOut: number) => {
    const w = Array.from({ length: nIn * nOut }, () => normal(0.1, 0.3));
    for (let i = 0; i < nIn; i++) {
      for (let b = 0; b < nOut; b += 5) {
        const blk = w.slice(i * nOut + b, i * nOut + Math.min(nOut, b + 5));
        const sign = blk.reduce((a, x) => a + x, 0) >= 0 ? 1 : -1;
        for (let j = b; j < Math.min(nOut, b + 5); j++) w[i * nOut + j] = sign * Math.abs(w[i * nOut + j]);
      }
    }
    return w;
  };
  const centers = validCenters([...CHIP_FILTER_CENTERS_HZ], 16000, () => {});
  const frontend = Array.from({ length: 13 }, () => normal(0.1, 0.01));
  const hidden = dense(13, 64);
  const output = dense(64, 2);
  // Recurrent groups alternate excitatory and (stronger) inhibitory, so activity stays bounded.
  const recurrent = opts.recurrent
    ? { recurrentWeights: dense(64, 64).map((w, i) => (Math.floor((i % 64) / 5) % 2 ? -0.3 : 0.15) * Math.abs(w)) }
    : {};
  return buildCheckpoint({
    name: opts.recurrent ? 'bench-13-64r-2' : 'bench-13-64-2',
    labels: ['no', 'yes'],
    filterbank: { sampleRateHz: 16000, centerFrequenciesHz: centers, q: 4, binS: 0.008, gain: 1000, recordingDurationS: 1 },
    layers: [
      {
        name: 'frontend',
        type: 'frontend',
        size: 13,
        weights: frontend,
        bits: 8,
        wMax: 0.9,
        tausS: 0.01,
        dtS: 0.008,
      },
      { name: 'hidden', type: 'dense', inputs: 13, size: 64, weights: hidden, ...recurrent, bits: 5, wMax: 0.9, tausS: 0.064, dtS: 0.008 },
      { name: 'output', type: 'dense', inputs: 64, size: 2, weights: output, bits: 5, wMax: 0.9, tausS: 0.064, dtS: 0.008 },
    ],
  });
}

export function fmt(x: number, digits = 4): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(digits);
}
