/**
 * Fuzz target over the compressed-audio readers (FLAC, MP3, OGG/Vorbis): real files from the
 * repository (a committed FLAC; MP3 and OGG made from a committed WAV by sox when it is
 * installed), damaged by byte flips, truncation, spliced garbage or a repeated span. The whole-file
 * decoder (`decodeAudioFileSync`) and the streaming reader (`openAudioStreamSync`, 64 KB chunks,
 * odd block sizes) must each either succeed with consistent samples or refuse with an
 * AudioFormatError naming the file; when both succeed they give the same samples.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { AudioFormatError, MAX_CHANNELS, MAX_SAMPLE_RATE_HZ, MIN_SAMPLE_RATE_HZ } from '@nwave/runtime';
import { decodeAudioFileSync, openAudioStreamSync } from '@nwave/runtime/node';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FLAC_SEED = path.join(ROOT, 'test/fixtures/audio/extra-speech/sc-toy/yes/7c75a504_nohash_0.flac');
const WAV_SEED = path.join(ROOT, 'test/fixtures/audio/speech-commands/yes/0cb74144_nohash_0.wav');

let dir: string | null = null;
const work = () => (dir ??= mkdtempSync(path.join(os.tmpdir(), 'nwave-fuzz-compressed-')));

let seeds: Record<string, Uint8Array> | null = null;
/** The seed files by extension (MP3/OGG only where sox can write them). */
function seedFiles(): Record<string, Uint8Array> {
  if (seeds) return seeds;
  seeds = { flac: readFileSync(FLAC_SEED) };
  for (const ext of ['mp3', 'ogg']) {
    try {
      const out = path.join(work(), `seed.${ext}`);
      execFileSync('sox', [WAV_SEED, out], { stdio: 'ignore' });
      seeds[ext] = readFileSync(out);
    } catch {
      // no sox (or no MP3 support): that format is not fuzzed here
    }
  }
  return seeds;
}

export interface CompressedInput {
  format: 'flac' | 'mp3' | 'ogg';
  flips: [number, number][];
  truncate: number | null;
  splice: { at: number; bytes: number[] } | null;
  repeat: { from: number; length: number } | null;
}

export function buildCompressed(x: CompressedInput): Uint8Array {
  const all = seedFiles();
  let b = Uint8Array.from(all[x.format] ?? all.flac);
  const at = (i: number) => i % Math.max(1, b.length);
  for (const [i, v] of x.flips) b[at(i)] = v;
  if (x.repeat) {
    const from = at(x.repeat.from);
    const span = b.subarray(from, from + x.repeat.length);
    b = Uint8Array.from([...b.subarray(0, from + span.length), ...span, ...b.subarray(from + span.length)]);
  }
  if (x.splice) {
    const p = at(x.splice.at);
    b = Uint8Array.from([...b.subarray(0, p), ...x.splice.bytes, ...b.subarray(p)]);
  }
  return x.truncate === null ? b : b.subarray(0, Math.min(b.length, x.truncate));
}

function fail(message: string): never {
  throw new Error(`property broken: ${message}`);
}

function checkAudio(what: string, rate: number, channels: number, samples: Float32Array): void {
  if (!(rate >= MIN_SAMPLE_RATE_HZ && rate <= MAX_SAMPLE_RATE_HZ)) fail(`${what}: rate ${rate} accepted`);
  if (!(channels >= 1 && channels <= MAX_CHANNELS)) fail(`${what}: ${channels} channels accepted`);
  if (samples.length === 0) fail(`${what}: no samples, no error`);
  for (const s of samples) if (!Number.isFinite(s)) fail(`${what}: non-finite sample`);
}

/** Runs `fn`: an AudioFormatError naming `file` is a refusal (null); anything else breaks the property. */
function refusalOr<T>(what: string, file: string, fn: () => T): T | null {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('property')) throw e;
    if (!(e instanceof AudioFormatError)) fail(`${what} threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    if (!e.message.startsWith(`${file}: `)) fail(`${what}: error does not name the file: ${e.message}`);
    return null;
  }
}

export const compressedTarget = {
  name: 'compressed-reader',
  arbitrary: fc.record({
    format: fc.constantFrom('flac' as const, 'mp3' as const, 'ogg' as const),
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    truncate: fc.oneof(fc.constant(null), fc.constant(null), fc.nat({ max: 40_000 })),
    splice: fc.oneof(
      fc.constant(null),
      fc.record({ at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 300 }) }),
    ),
    repeat: fc.oneof(fc.constant(null), fc.record({ from: fc.nat(), length: fc.integer({ min: 1, max: 5000 }) })),
  }) as fc.Arbitrary<CompressedInput>,
  property(x: CompressedInput): void {
    const bytes = buildCompressed(x);
    const file = path.join(work(), `f.${x.format}`);
    writeFileSync(file, bytes);
    const whole = refusalOr('decodeAudioFileSync', file, () => decodeAudioFileSync(file));
    if (whole) checkAudio('whole', whole.sampleRateHz, whole.channels, whole.samples);
    const streamed = refusalOr('openAudioStreamSync', file, () => {
      const s = openAudioStreamSync(file);
      try {
        const blocks: Float32Array[] = [];
        for (let b = s.read(1021); b.length > 0; b = s.read(1021)) blocks.push(b.slice());
        const out = new Float32Array(blocks.reduce((n, b) => n + b.length, 0));
        blocks.reduce((n, b) => (out.set(b, n), n + b.length), 0);
        return { rate: s.sampleRateHz, channels: s.channels, samples: out };
      } finally {
        s.close();
      }
    });
    if (streamed) checkAudio('stream', streamed.rate, streamed.channels, streamed.samples);
    if (whole && streamed) {
      if (whole.samples.length !== streamed.samples.length) fail(`${whole.samples.length} vs ${streamed.samples.length} samples`);
      for (let i = 0; i < whole.samples.length; i++)
        if (!Object.is(whole.samples[i], streamed.samples[i])) fail(`sample ${i}: ${whole.samples[i]} vs ${streamed.samples[i]}`);
    }
  },
  toJSON: (x: CompressedInput) => x,
  fromJSON: (j: unknown) => j as CompressedInput,
};

export function cleanupCompressedFuzzFiles(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
  seeds = null;
}
