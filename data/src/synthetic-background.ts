/**
 * Synthetic background clips: coloured noise at random levels and near-silence (very low white
 * noise), written as `OUT/<label>/bg-<kind>-<i>_nohash_0.wav`.
 *
 * Why each clip gets its own "speaker" id: background clips are independent draws, so the
 * speaker split may put any of them on any side. Generated in-process (no external tools).
 */
import { deriveSeed, mulberry32, pick, uniform } from './mulberry32.js';
import { coloredNoise, dbToGain, NOISE_COLORS, type NoiseColor } from './noise.js';
import { runClipJobs, type GenerateResult } from './clip-writer.js';

/** A noise colour, or `silence` (white noise at −75..−55 dBFS RMS, like a quiet room and a mic). */
export type BackgroundKind = NoiseColor | 'silence';

export interface BackgroundOptions {
  outDir: string;
  /** Class folder. @defaultValue '_background_' */
  label?: string;
  count: number;
  /** @defaultValue 4321 */
  seed?: number;
  /** @defaultValue all colours and silence */
  kinds?: readonly BackgroundKind[];
  /** RMS level of the noise kinds, dBFS. @defaultValue [-50, -20] */
  levelDb?: [number, number];
  /** @defaultValue 16000 */
  sampleRateHz?: number;
  /** @defaultValue 1 */
  durationS?: number;
  /** @defaultValue 2 */
  concurrency?: number;
}

/** Renders one background clip deterministically from `seed` and `index`. */
export function renderBackgroundClip(
  kind: BackgroundKind,
  seed: number,
  index: number,
  options: Pick<BackgroundOptions, 'levelDb' | 'sampleRateHz' | 'durationS'> = {},
): Float32Array {
  const rate = options.sampleRateHz ?? 16000;
  const n = Math.round((options.durationS ?? 1) * rate);
  const rand = mulberry32(deriveSeed(seed, 'background', kind, index));
  const [lo, hi] = kind === 'silence' ? [-75, -55] : (options.levelDb ?? [-50, -20]);
  return coloredNoise(kind === 'silence' ? 'white' : kind, n, rand, dbToGain(uniform(rand, lo, hi)), rate);
}

/** Writes `count` background clips (existing files skipped, atomic writes). */
export async function generateBackgroundClips(options: BackgroundOptions): Promise<GenerateResult> {
  const kinds = options.kinds ?? [...NOISE_COLORS, 'silence'];
  const seed = options.seed ?? 4321;
  const label = options.label ?? '_background_';
  const pickRand = mulberry32(deriveSeed(seed, 'background-kinds'));
  const jobs = Array.from({ length: options.count }, (_, i) => {
    const kind = pick(pickRand, kinds);
    return { kind, index: i, file: `${label}/bg-${kind}-${i}_nohash_0.wav` };
  });
  return runClipJobs(jobs, options, async (job) => renderBackgroundClip(job.kind, seed, job.index, options));
}
