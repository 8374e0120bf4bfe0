/**
 * Synthetic test fixtures, built once per test run (vitest global setup) or by hand with
 * `node --conditions=source --import tsx scripts/build-fixtures.ts`, into `test/.fixtures/` (git-ignored):
 *
 * - `speech/yes.wav`, `speech/no.wav`: espeak-ng (en-us+m3), 16 kHz, word centred in 1.5 s
 * - `speech/yes-48k.wav`: the same "yes" at 48 kHz
 * - `speech/other-word.wav`: "house", 16 kHz, 1.5 s
 * - `speech/silence.wav`: 1.5 s of white noise at −70 dBFS RMS (seeded)
 * - `speech/sentence-16k.wav` + `sentence-16k.json`: ~6 s, "yes" and "no" among other words,
 *   with each word's start/end time (words spoken separately and concatenated)
 * - `speech/manifest.json`: word start/end times of every file above
 * - `formats/`: one committed Speech Commands "yes" clip re-encoded by sox as FLAC (16-bit
 *   16 kHz mono; 24-bit 44.1 kHz stereo), MP3 (16 kHz mono; 44.1 kHz stereo; needs
 *   libsox-fmt-mp3) and OGG/Vorbis (16 kHz mono; 48 kHz stereo), plus the same clip as 16 kHz WAV
 *   for comparison (`yes.wav`)
 *
 * Idempotent: a file that exists is kept (delete `test/.fixtures/` to rebuild). Writes are
 * atomic, so concurrent test runs cannot see half files. Without espeak-ng or sox the speech
 * fixtures are skipped with a message; tests that need them skip too.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav16 } from '../runtime/src/dsp/wav.js';
import type { VoiceParams } from '../data/src/espeak.js';
import { writeFileAtomicSync } from '../runtime/src/node/atomic-file.js';
import { mulberry32 } from '../data/src/mulberry32.js';
import { coloredNoise, dbToGain } from '../data/src/noise.js';
import { runTool, toolsAvailable } from '../data/src/run-process.js';
import { renderSentence, type WordTiming } from '../data/src/synthetic-speech.js';

/** Folder of the generated fixtures. */
export const SYNTH_FIXTURES_DIR = fileURLToPath(new URL('../test/.fixtures/', import.meta.url));
/** Folder of the generated speech fixtures. */
export const SPEECH_FIXTURES_DIR = join(SYNTH_FIXTURES_DIR, 'speech');

const VOICE: VoiceParams = { voice: 'en-us', variant: 'm3', speedWpm: 150, pitch: 50, levelDb: -3 };
const SENTENCE = ['please', 'say', 'yes', 'to', 'the', 'house', 'and', 'no', 'to', 'me'];

interface ManifestEntry {
  sampleRateHz: number;
  durationS: number;
  words: WordTiming[];
}

/** A single word centred in a `durationS` clip. */
async function centredWord(word: string, rate: number, durationS: number): Promise<ManifestEntry & { samples: Float32Array }> {
  const probe = await renderSentence([word], VOICE, { sampleRateHz: rate, leadS: 0 });
  const n = Math.round(durationS * rate);
  const len = probe.samples.length;
  const lead = Math.max(0, Math.floor((n - len) / 2));
  const samples = new Float32Array(n);
  samples.set(probe.samples.subarray(0, n - lead), lead);
  return { samples, sampleRateHz: rate, durationS, words: [{ word, startS: lead / rate, endS: Math.min(n, lead + len) / rate }] };
}

/** Folder of the sox-encoded format fixtures. */
export const FORMAT_FIXTURES_DIR = join(SYNTH_FIXTURES_DIR, 'formats');

/** sox arguments (after the input) of each format fixture. */
export const FORMAT_FIXTURES: Record<string, string[]> = {
  'yes.wav': ['-b', '16'],
  'yes.flac': ['-b', '16'],
  'yes-24bit-44k-stereo.flac': ['-b', '24', '-r', '44100', '-c', '2'],
  'yes.mp3': [],
  'yes-44k-stereo.mp3': ['-r', '44100', '-c', '2'],
  'yes.ogg': [],
  'yes-48k-stereo.ogg': ['-r', '48000', '-c', '2'],
};

/** The format fixtures (sox; throws when sox cannot write one, e.g. MP3 without libsox-fmt-mp3). */
export async function buildFormatFixtures(): Promise<void> {
  const scYes = fileURLToPath(new URL('../test/fixtures/audio/speech-commands/yes/', import.meta.url));
  const source = join(
    scYes,
    readdirSync(scYes)
      .filter((n) => n.endsWith('.wav'))
      .sort()[0],
  );
  mkdirSync(FORMAT_FIXTURES_DIR, { recursive: true });
  for (const [name, args] of Object.entries(FORMAT_FIXTURES)) {
    const out = join(FORMAT_FIXTURES_DIR, name);
    if (existsSync(out)) continue;
    // Same folder and extension (sox picks the encoder by it), then a rename: never a half file.
    const tmp = join(FORMAT_FIXTURES_DIR, `tmp-${process.pid}-${name}`);
    try {
      await runTool('sox', [source, ...args, tmp]).catch((err: Error) => {
        throw new Error(`sox could not write ${name}: ${err.message} (MP3 needs libsox-fmt-mp3: scripts/setup-system.sh)`);
      });
      renameSync(tmp, out);
    } finally {
      rmSync(tmp, { force: true });
    }
  }
}

/** Writes every missing fixture; logs and returns when espeak-ng or sox is missing. */
export async function buildFixtures(): Promise<void> {
  if (await toolsAvailable(['sox'])) await buildFormatFixtures();
  if (!(await toolsAvailable(['espeak-ng', 'sox']))) {
    console.warn(
      '[build-fixtures] espeak-ng or sox not found: synthetic speech fixtures skipped (install: apt-get install espeak-ng sox); tests that need them will skip.',
    );
    return;
  }
  const manifestPath = join(SPEECH_FIXTURES_DIR, 'manifest.json');
  const manifest: Record<string, ManifestEntry> = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : {};
  const jobs: Record<string, () => Promise<ManifestEntry & { samples: Float32Array }>> = {
    'yes.wav': () => centredWord('yes', 16000, 1.5),
    'no.wav': () => centredWord('no', 16000, 1.5),
    'yes-48k.wav': () => centredWord('yes', 48000, 1.5),
    'other-word.wav': () => centredWord('house', 16000, 1.5),
    'silence.wav': async () => ({
      samples: coloredNoise('white', 24000, mulberry32(7), dbToGain(-70)),
      sampleRateHz: 16000,
      durationS: 1.5,
      words: [],
    }),
    'sentence-16k.wav': async () => {
      const s = await renderSentence(SENTENCE, VOICE, { sampleRateHz: 16000, leadS: 0.4, gapS: 0.12, durationS: 6 });
      return { samples: s.samples, sampleRateHz: 16000, durationS: s.samples.length / 16000, words: s.words };
    },
  };
  let built = 0;
  for (const [name, make] of Object.entries(jobs)) {
    const path = join(SPEECH_FIXTURES_DIR, name);
    const sidecar = path.replace(/\.wav$/, '.json');
    const needsSidecar = name === 'sentence-16k.wav';
    if (existsSync(path) && manifest[name] && (!needsSidecar || existsSync(sidecar))) continue;
    const { samples, ...entry } = await make();
    if (needsSidecar) writeFileAtomicSync(sidecar, `${JSON.stringify(entry, null, 2)}\n`);
    writeFileAtomicSync(path, encodeWav16(samples, entry.sampleRateHz));
    manifest[name] = entry;
    built++;
  }
  if (built > 0) {
    writeFileAtomicSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`[build-fixtures] wrote ${built} speech fixture(s) to ${SPEECH_FIXTURES_DIR}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildFixtures();
}
