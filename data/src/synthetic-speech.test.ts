import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWavFile } from '@nwave/runtime/node';
// Relative: the repo-level fixture builder (scripts/, run by test/global-setup.ts) is not a workspace package.
import { SPEECH_FIXTURES_DIR } from '../../scripts/build-fixtures.js';
import { listEnglishVoices, listOtherVoices, listVariants, speak } from './espeak.js';
import { checkTools, mapWithConcurrency, runTool, ToolMissingError, toolsAvailable } from './run-process.js';
import { speakerOf, splitFiles } from './splits.js';
import { drawClipParams, generateSyntheticSpeech, renderClip, syntheticSpeakerId, type VoiceCatalog } from './synthetic-speech.js';
import { rms } from './noise.js';

const haveTools = await toolsAvailable();

/** RMS of x over [fromS, toS). */
function rmsIn(x: Float32Array, rate: number, fromS: number, toS: number): number {
  return rms(x.subarray(Math.max(0, Math.round(fromS * rate)), Math.round(toS * rate)));
}

describe('run-process', () => {
  it('reports a missing tool clearly', async () => {
    const err = await runTool('nwave-no-such-tool', ['--version']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolMissingError);
    expect((err as Error).message).toMatch(/nwave-no-such-tool is not installed.*apt-get install/);
    await expect(checkTools([process.execPath, 'nwave-no-such-tool'])).rejects.toBeInstanceOf(ToolMissingError);
  });

  it('runs at most `limit` jobs at once and keeps the order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3, 1], 2, async (ms, i) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, ms * 5));
      inFlight--;
      return i * 10;
    });
    expect(out).toEqual([0, 10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
  });
});

describe.skipIf(!haveTools)('synthetic speech (real espeak-ng + sox)', () => {
  let dir: string;
  let catalog: VoiceCatalog;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nwave-synth-'));
    catalog = { voices: await listEnglishVoices(), variants: await listVariants() };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists English voices without MBROLA ones, and the variants', () => {
    expect(catalog.voices).toContain('en-us');
    expect(catalog.voices).toContain('en-gb');
    expect(catalog.voices.some((v) => v.startsWith('mb'))).toBe(false);
    for (const v of ['m1', 'm7', 'f1', 'f5', 'klatt']) expect(catalog.variants).toContain(v);
  });

  it('places the word where asked and adds noise only when asked', async () => {
    const base = { ...drawClipParams('yes', 0, 1, catalog), voice: 'en-us', variant: 'm3', levelDb: -3, snrDb: null };
    const early = await renderClip({ ...base, position: 0 });
    const late = await renderClip({ ...base, position: 1 });
    expect(early.samples.length).toBe(16000);
    expect(early.wordStartS).toBe(0);
    expect(late.wordEndS).toBeCloseTo(1, 6);
    expect(late.wordEndS - late.wordStartS).toBeCloseTo(early.wordEndS - early.wordStartS, 6);
    expect(rmsIn(early.samples, 16000, 0, 0.15)).toBeGreaterThan(0.01);
    expect(early.samples.subarray(Math.ceil(early.wordEndS * 16000)).every((v) => v === 0)).toBe(true);
    expect(Math.max(...early.samples.map(Math.abs))).toBeCloseTo(10 ** (-3 / 20), 2);
    const noisy = await renderClip({ ...base, position: 0, snrDb: 10, noiseColor: 'white' });
    const tail = noisy.samples.subarray(Math.ceil(noisy.wordEndS * 16000));
    expect(rms(tail)).toBeGreaterThan(0);
    const word = early.samples.subarray(0, Math.round(early.wordEndS * 16000));
    expect(20 * Math.log10(rms(word) / rms(tail))).toBeCloseTo(10, 0);
  });

  it('writes a Speech-Commands-style tree, idempotently and reproducibly, with background clips', async () => {
    const opts = { words: ['yes', 'no'], clipsPerWord: 6, seed: 3, catalog, background: { count: 4, label: '_silence_' } };
    const progress: number[] = [];
    const r = await generateSyntheticSpeech({ ...opts, outDir: join(dir, 'a'), onProgress: (d) => progress.push(d) });
    expect(r.failures).toEqual([]);
    expect(r.written.length).toBe(16);
    expect(progress.at(-1)).toBe(12);
    for (const f of r.written) {
      const wav = readWavFile(join(dir, 'a', f));
      expect([wav.sampleRateHz, wav.channels, wav.samples.length], f).toEqual([16000, 1, 16000]);
      expect(rms(wav.samples), f).toBeGreaterThan(0);
      expect(speakerOf(f), f).toBeDefined();
    }
    const yes = readdirSync(join(dir, 'a', 'yes'));
    expect(yes.every((n) => /^syn-[a-z0-9-]+_nohash_\d+\.wav$/.test(n))).toBe(true);
    expect(readdirSync(join(dir, 'a', '_silence_')).length).toBe(4);
    // Idempotent rerun: nothing rewritten.
    const again = await generateSyntheticSpeech({ ...opts, outDir: join(dir, 'a') });
    expect([again.written.length, again.skipped]).toEqual([0, 16]);
    // Same seed elsewhere, with more clips and other concurrency: the first clips are identical.
    const b = await generateSyntheticSpeech({ ...opts, clipsPerWord: 7, concurrency: 1, outDir: join(dir, 'b'), background: undefined });
    expect(b.written.length).toBe(14);
    for (const f of r.written.filter((x) => !x.startsWith('_'))) {
      expect(readFileSync(join(dir, 'b', f)).equals(readFileSync(join(dir, 'a', f))), f).toBe(true);
    }
    // Each voice+variant is one speaker for the split.
    const s = splitFiles(r.written, { val_split: 0.3, test_split: 0 });
    expect(s.mode).toBe('speaker');
    expect(s.speakers!.train.some((x) => s.speakers!.val.includes(x))).toBe(false);
    expect(syntheticSpeakerId('en-gb-x-rp', 'Mr serious')).toBe('syn-en-gb-x-rp-mr-serious');
  });
});

describe.skipIf(!existsSync(join(SPEECH_FIXTURES_DIR, 'manifest.json')))('generated speech fixtures', () => {
  const manifest = () =>
    JSON.parse(readFileSync(join(SPEECH_FIXTURES_DIR, 'manifest.json'), 'utf8')) as Record<
      string,
      { sampleRateHz: number; durationS: number; words: { word: string; startS: number; endS: number }[] }
    >;

  it('have the promised rates and lengths, with the words where the manifest says', () => {
    const m = manifest();
    for (const [name, rate] of [
      ['yes.wav', 16000],
      ['no.wav', 16000],
      ['other-word.wav', 16000],
      ['yes-48k.wav', 48000],
      ['silence.wav', 16000],
    ] as const) {
      const wav = readWavFile(join(SPEECH_FIXTURES_DIR, name));
      expect([wav.sampleRateHz, wav.durationS], name).toEqual([rate, 1.5]);
      const words = m[name].words;
      if (words.length === 0) {
        expect(rms(wav.samples), name).toBeLessThan(0.001);
        continue;
      }
      const { startS, endS } = words[0];
      expect((startS + endS) / 2, name).toBeCloseTo(0.75, 1);
      expect(rmsIn(wav.samples, rate, startS, endS), name).toBeGreaterThan(0.03);
      expect(rmsIn(wav.samples, rate, 0, startS), name).toBe(0);
    }
  });

  it('the sentence has yes and no with known times and silent gaps', () => {
    const side = JSON.parse(readFileSync(join(SPEECH_FIXTURES_DIR, 'sentence-16k.json'), 'utf8')) as ReturnType<typeof manifest>[string];
    const wav = readWavFile(join(SPEECH_FIXTURES_DIR, 'sentence-16k.wav'));
    expect(wav.durationS).toBeCloseTo(6, 1);
    const words = side.words.map((w) => w.word);
    expect(words).toContain('yes');
    expect(words).toContain('no');
    expect(words.length).toBeGreaterThan(5);
    for (let i = 0; i < side.words.length; i++) {
      const w = side.words[i];
      expect(rmsIn(wav.samples, 16000, w.startS, w.endS), w.word).toBeGreaterThan(0.02);
      if (i > 0) expect(rmsIn(wav.samples, 16000, side.words[i - 1].endS + 0.001, w.startS - 0.001)).toBe(0);
    }
  });
});

describe('flite and festival voices (scripts/setup-system.sh installs them)', () => {
  it('lists them and speaks a word with each engine, prosody from sox', async () => {
    const voices = await listOtherVoices();
    expect(voices).toEqual(expect.arrayContaining(['flite:slt', 'flite:kal16', 'festival:kal_diphone']));
    const slow = await speak('yes', { voice: 'flite:slt', variant: '', speedWpm: 120, pitch: 50, levelDb: -3 });
    const fast = await speak('yes', { voice: 'flite:slt', variant: '', speedWpm: 220, pitch: 50, levelDb: -3 });
    const fest = await speak('yes', { voice: 'festival:kal_diphone', variant: '', speedWpm: 170, pitch: 70, levelDb: -6 });
    for (const x of [slow, fast, fest]) {
      expect(x.length / 16000).toBeGreaterThan(0.15);
      expect(x.length / 16000).toBeLessThan(1.5);
    }
    // tempo follows the requested speed; the peak is normalised to the level
    expect(slow.length / fast.length).toBeGreaterThan(1.4);
    expect(Math.abs(Math.max(...fest.map(Math.abs)) - 10 ** (-6 / 20))).toBeLessThan(0.02);
  }, 60_000);
});
