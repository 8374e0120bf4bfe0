/**
 * Synthetic keyword clips from espeak-ng, flite and festival voices, in the Speech Commands layout:
 * `OUT/<word>/<speaker>_nohash_<n>.wav`, where `<speaker>` = `syn-<voice>-<variant>`.
 *
 * Why that naming: the speaker split (splits.ts) then keeps each voice+variant on one side,
 * exactly as it keeps a human speaker on one side. Every clip's parameters are drawn from
 * `deriveSeed(seed, word, index)`, so a clip does not depend on concurrency or on how many
 * clips are requested, and a rerun skips files that exist (idempotent).
 */
import { deriveSeed, mulberry32, pick, uniform, type Rng } from './mulberry32.js';
import { coloredNoise, hardClip, mixAtSnr, NOISE_COLORS, type NoiseColor } from './noise.js';
import { checkTools } from './run-process.js';
import { runClipJobs, type GenerateResult } from './clip-writer.js';
import { generateBackgroundClips, type BackgroundOptions } from './synthetic-background.js';
import { listEnglishVoices, listOtherVoices, listVariants, speak, type VoiceParams } from './espeak.js';
import { InvalidArgumentError } from '@nwave/runtime';

export type { GenerateResult };

/** Ranges the per-clip parameters are drawn from (uniformly). */
export interface SynthRanges {
  /** @defaultValue [120, 220] words per minute */
  speedWpm: [number, number];
  /** @defaultValue [20, 80] (espeak 0..99) */
  pitch: [number, number];
  /** Peak level, dBFS. @defaultValue [-20, -1] */
  levelDb: [number, number];
  /** SNR of the added noise, dB. @defaultValue [5, 40] */
  snrDb: [number, number];
  /** Share of clips that get noise. @defaultValue 0.8 */
  noiseProbability: number;
}

export const DEFAULT_SYNTH_RANGES: SynthRanges = {
  speedWpm: [120, 220],
  pitch: [20, 80],
  levelDb: [-20, -1],
  snrDb: [5, 40],
  noiseProbability: 0.8,
};

/** Everything that defines one synthetic clip. */
export interface SynthClipParams extends VoiceParams {
  word: string;
  /** Where the word sits in the clip: 0 = at the start, 1 = ending at the end. */
  position: number;
  /** `null` = no noise. */
  snrDb: number | null;
  noiseColor: NoiseColor;
  /** Seed of the noise samples. */
  noiseSeed: number;
}

export interface VoiceCatalog {
  voices: readonly string[];
  variants: readonly string[];
}

/**
 * Every installed English voice: espeak-ng's (MBROLA voices excluded) with its variants, plus
 * flite's and festival's (`flite:slt`, `festival:kal_diphone`...; see scripts/setup-system.sh),
 * whose "variant" only names the speaker id (their pitch and speed come from sox).
 */
export async function defaultCatalog(): Promise<VoiceCatalog> {
  return { voices: [...(await listEnglishVoices()), ...(await listOtherVoices())], variants: await listVariants() };
}

/** Speaker id of a voice+variant, safe in a file name (no `_`, which the split parser uses). */
export function syntheticSpeakerId(voice: string, variant: string): string {
  return `syn-${`${voice}-${variant}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}

/** Draws the parameters of clip `index` of `word`, deterministically from `seed`. */
export function drawClipParams(
  word: string,
  index: number,
  seed: number,
  catalog: VoiceCatalog,
  ranges: SynthRanges = DEFAULT_SYNTH_RANGES,
): SynthClipParams {
  const rand: Rng = mulberry32(deriveSeed(seed, 'clip', word, index));
  const noisy = rand() < ranges.noiseProbability;
  return {
    word,
    voice: pick(rand, catalog.voices),
    variant: pick(rand, catalog.variants),
    speedWpm: uniform(rand, ...ranges.speedWpm),
    pitch: uniform(rand, ...ranges.pitch),
    levelDb: uniform(rand, ...ranges.levelDb),
    position: rand(),
    snrDb: noisy ? uniform(rand, ...ranges.snrDb) : null,
    noiseColor: pick(
      rand,
      NOISE_COLORS.filter((c) => c !== 'hum'),
    ),
    noiseSeed: Math.floor(rand() * 2 ** 32),
  };
}

export interface RenderedClip {
  samples: Float32Array;
  /** Word boundaries inside the clip, seconds. */
  wordStartS: number;
  wordEndS: number;
}

/**
 * Renders one clip: espeak-ng + sox (rate, mono, trim, level), then the word is placed at
 * `position` inside a `durationS` clip (a word longer than the clip is cut at the end) and
 * seeded noise is added at `snrDb`, measured against the word's own samples.
 */
export async function renderClip(p: SynthClipParams, sampleRateHz = 16000, durationS = 1): Promise<RenderedClip> {
  const word = await speak(p.word, p, sampleRateHz);
  const n = Math.round(durationS * sampleRateHz);
  const samples = new Float32Array(n);
  const start = Math.round(p.position * Math.max(0, n - word.length));
  const used = word.subarray(0, Math.min(word.length, n - start));
  samples.set(used, start);
  if (p.snrDb !== null) {
    const noise = coloredNoise(p.noiseColor, n, mulberry32(p.noiseSeed), 0.1, sampleRateHz);
    mixAtSnr(samples, noise, p.snrDb, used);
  }
  hardClip(samples);
  return { samples, wordStartS: start / sampleRateHz, wordEndS: (start + used.length) / sampleRateHz };
}

export interface GenerateOptions {
  outDir: string;
  words: readonly string[];
  clipsPerWord: number;
  /** @defaultValue 1234 */
  seed?: number;
  /** @defaultValue 16000 */
  sampleRateHz?: number;
  /** @defaultValue 1 */
  durationS?: number;
  /** @defaultValue all installed English voices and variants ({@link defaultCatalog}) */
  catalog?: VoiceCatalog;
  ranges?: Partial<SynthRanges>;
  /** Processes in flight. @defaultValue 2 */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** Also write background clips (see {@link generateBackgroundClips}). */
  background?: Omit<BackgroundOptions, 'outDir' | 'sampleRateHz' | 'durationS' | 'concurrency'>;
}

/**
 * Writes `clipsPerWord` clips of each word into `OUT/<word>/` (atomic writes, existing files skipped).
 * A clip that fails to render is reported in `failures`; a missing tool is fatal.
 * @throws ToolMissingError when espeak-ng or sox is not installed.
 */
export async function generateSyntheticSpeech(options: GenerateOptions): Promise<GenerateResult> {
  const t0 = performance.now();
  await checkTools();
  const catalog = options.catalog ?? (await defaultCatalog());
  const ranges = { ...DEFAULT_SYNTH_RANGES, ...options.ranges };
  const seed = options.seed ?? 1234;
  for (const w of options.words) {
    // The word becomes a folder name: refuse anything that could escape OUT, hide the folder, or
    // clash with the reserved `_silence_` / `_unknown_` / `_background_` names.
    if (!w.trim() || /[/\\]/.test(w) || w.startsWith('.') || w.startsWith('_')) {
      throw new InvalidArgumentError(`"${w}" cannot be a class folder name`, { field: 'words', value: w });
    }
  }
  if (catalog.voices.length === 0 || catalog.variants.length === 0) {
    throw new InvalidArgumentError('no espeak-ng voices or variants to choose from', { field: 'catalog', value: catalog });
  }
  const jobs: { file: string; params: SynthClipParams }[] = [];
  for (const word of options.words) {
    const perSpeaker = new Map<string, number>();
    for (let i = 0; i < options.clipsPerWord; i++) {
      const params = drawClipParams(word, i, seed, catalog, ranges);
      const speaker = syntheticSpeakerId(params.voice, params.variant);
      const k = perSpeaker.get(speaker) ?? 0;
      perSpeaker.set(speaker, k + 1);
      jobs.push({ file: `${word}/${speaker}_nohash_${k}.wav`, params });
    }
  }
  const speech = await runClipJobs(jobs, options, async (job) => {
    const clip = await renderClip(job.params, options.sampleRateHz ?? 16000, options.durationS ?? 1);
    return clip.samples;
  });
  if (options.background) {
    const bg = await generateBackgroundClips({
      ...options.background,
      outDir: options.outDir,
      sampleRateHz: options.sampleRateHz,
      durationS: options.durationS,
      concurrency: options.concurrency,
    });
    speech.written.push(...bg.written);
    speech.skipped += bg.skipped;
    speech.failures.push(...bg.failures);
  }
  speech.elapsedS = (performance.now() - t0) / 1000;
  return speech;
}

/** A word's position in a rendered utterance, seconds. */
export interface WordTiming {
  word: string;
  startS: number;
  endS: number;
}

export interface SentenceOptions {
  /** @defaultValue 16000 */
  sampleRateHz?: number;
  /** Silence before the first word, s. @defaultValue 0.5 */
  leadS?: number;
  /** Silence between words, s (a number, or one value per gap). @defaultValue 0.15 */
  gapS?: number | readonly number[];
  /** Total length, s (zero-padded at the end; never cuts a word). @defaultValue just long enough */
  durationS?: number;
}

/**
 * Speaks each word separately with the same voice and concatenates them with silent gaps, so
 * every word's start and end time is known exactly (espeak-ng does not report word times).
 */
export async function renderSentence(
  words: readonly string[],
  voice: VoiceParams,
  options: SentenceOptions = {},
): Promise<{ samples: Float32Array; words: WordTiming[] }> {
  const rate = options.sampleRateHz ?? 16000;
  const rendered: Float32Array[] = [];
  for (const w of words) rendered.push(await speak(w, voice, rate));
  const gap = (i: number): number =>
    Math.round(
      rate * (typeof options.gapS === 'number' || options.gapS === undefined ? (options.gapS ?? 0.15) : (options.gapS[i] ?? 0.15)),
    );
  let pos = Math.round((options.leadS ?? 0.5) * rate);
  const timings: WordTiming[] = [];
  const placed: number[] = [];
  rendered.forEach((r, i) => {
    placed.push(pos);
    timings.push({ word: words[i], startS: pos / rate, endS: (pos + r.length) / rate });
    pos += r.length + (i < rendered.length - 1 ? gap(i) : 0);
  });
  const n = Math.max(pos, Math.round((options.durationS ?? 0) * rate));
  const samples = new Float32Array(n);
  rendered.forEach((r, i) => samples.set(r, placed[i]));
  return { samples, words: timings };
}
