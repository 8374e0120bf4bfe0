import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AUGMENT_PRESETS,
  augmentClip,
  DEFAULT_AUGMENT,
  isAugmentPresetName,
  loadNoiseBank,
  SPEAKER_AUGMENT,
  timeShift,
} from './augment.js';
import { mulberry32 } from './mulberry32.js';
import { coloredNoise, mixAtSnr, rms } from './noise.js';
import { tone, writeTestWav } from './test-wav.js';

/** Power spectrum slope estimate: energy in a low band over energy in a high band. */
function lowHighRatio(x: Float32Array): number {
  // First difference is a high-pass; its energy relative to the signal's tells the colour.
  let d = 0;
  for (let i = 1; i < x.length; i++) d += (x[i] - x[i - 1]) ** 2;
  return (rms(x) ** 2 * x.length) / d;
}

describe('noise', () => {
  it('makes noise of the requested RMS and colour, deterministically', () => {
    for (const c of ['white', 'pink', 'brown', 'hum'] as const) {
      const x = coloredNoise(c, 16000, mulberry32(1), 0.05);
      expect(rms(x), c).toBeCloseTo(0.05, 6);
      expect(Array.from(coloredNoise(c, 10, mulberry32(1), 0.05))).toEqual(Array.from(coloredNoise(c, 10, mulberry32(1), 0.05)));
    }
    const white = lowHighRatio(coloredNoise('white', 32000, mulberry32(2), 0.1));
    const pink = lowHighRatio(coloredNoise('pink', 32000, mulberry32(2), 0.1));
    const brown = lowHighRatio(coloredNoise('brown', 32000, mulberry32(2), 0.1));
    expect(white).toBeCloseTo(0.5, 1); // white: E[(x_i - x_{i-1})^2] = 2 σ²
    expect(pink).toBeGreaterThan(2 * white);
    expect(brown).toBeGreaterThan(2 * pink);
  });

  it('mixes at the requested SNR', () => {
    const sig = tone(440, 1, 16000, 0.3);
    const noise = coloredNoise('white', 16000, mulberry32(3), 0.2);
    const mixed = Float32Array.from(sig);
    mixAtSnr(mixed, noise, 12);
    const added = mixed.map((v, i) => v - sig[i]);
    expect(20 * Math.log10(rms(sig) / rms(added))).toBeCloseTo(12, 3);
  });
});

describe('augment', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'nwave-aug-'));
    writeTestWav(join(root, '_background_noise_', 'long.wav'), [coloredNoise('pink', 48000 * 3, mulberry32(9), 0.1)], 48000);
    writeTestWav(join(root, '_silence_', 'quiet.wav'), [coloredNoise('white', 16000, mulberry32(8), 0.01)], 16000);
    writeTestWav(join(root, '_silence_', 'digital.wav'), [new Float32Array(16000)], 16000);
    writeFileSync(join(root, '_silence_', 'bad.wav'), 'nope');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('shifts with zero fill, never wrapping around', () => {
    const x = Float32Array.from([1, 2, 3, 4]);
    expect(Array.from(timeShift(x, 1))).toEqual([0, 1, 2, 3]);
    expect(Array.from(timeShift(x, -2))).toEqual([3, 4, 0, 0]);
    expect(Array.from(timeShift(x, 9))).toEqual([0, 0, 0, 0]);
  });

  it('loads a noise bank (resampled, silent files skipped, unreadable ones reported)', () => {
    const bank = loadNoiseBank(root, 16000);
    expect(bank.clips.map((c) => c.file)).toEqual(['_background_noise_/long.wav', '_silence_/quiet.wav']);
    expect(bank.clips[0].samples.length).toBe(48000);
    expect(bank.failures.map((f) => f.file)).toEqual(['_silence_/bad.wav']);
  });

  it('is a pure function of the seed, and applies shift, gain and noise as recorded', () => {
    const bank = loadNoiseBank(root, 16000);
    const clip = tone(440, 1, 16000, 0.2);
    const cfg = { ...DEFAULT_AUGMENT, noiseProbability: 1, snrDb: [10, 10] as [number, number] };
    const a = augmentClip(clip, mulberry32(5), 16000, cfg, bank);
    const b = augmentClip(clip, mulberry32(5), 16000, cfg, bank);
    const c = augmentClip(clip, mulberry32(6), 16000, cfg, bank);
    expect(a.samples).toEqual(b.samples);
    expect(a.samples).not.toEqual(c.samples);
    expect(clip).toEqual(tone(440, 1, 16000, 0.2)); // input untouched
    const r = a.record;
    expect(Math.abs(r.shiftSamples)).toBeLessThanOrEqual(1600);
    expect(r.gainDb).toBeGreaterThanOrEqual(-6);
    expect(r.gainDb).toBeLessThanOrEqual(6);
    // Rebuild the clean part and check the noise sits 10 dB below it.
    const clean = timeShift(clip, r.shiftSamples).map((v) => v * 10 ** (r.gainDb / 20));
    const noise = a.samples.map((v, i) => v - clean[i]);
    expect(20 * Math.log10(rms(clean) / rms(noise))).toBeCloseTo(10, 2);
    const src = bank.clips.find((k) => k.file === r.noiseFile)!;
    const k = noise[5000] / src.samples[r.noiseOffset! + 5000];
    expect(noise[9000]).toBeCloseTo(k * src.samples[r.noiseOffset! + 9000], 5);
  });

  it('speaker preset: speed, room and band on top, deterministic, length kept, all recorded', () => {
    const bank = loadNoiseBank(root, 16000);
    const clip = tone(440, 1, 16000, 0.2);
    const cfg = { ...SPEAKER_AUGMENT, reverbProbability: 1, bandProbability: 1 };
    const a = augmentClip(clip, mulberry32(5), 16000, cfg, bank);
    expect(a.samples).toEqual(augmentClip(clip, mulberry32(5), 16000, cfg, bank).samples);
    expect(a.samples.length).toBe(clip.length);
    const r = a.record;
    expect(r.speed).toBeGreaterThanOrEqual(0.85);
    expect(r.speed).toBeLessThanOrEqual(1.15);
    expect(r.rt60S).toBeGreaterThanOrEqual(0.15);
    expect(r.rt60S).toBeLessThanOrEqual(0.7);
    expect(r.highPassHz).toBeGreaterThanOrEqual(80);
    expect(r.lowPassHz).toBeLessThanOrEqual(7500);
    // The basic preset draws none of these.
    const b = augmentClip(clip, mulberry32(5), 16000, AUGMENT_PRESETS.basic, bank).record;
    expect([b.speed, b.rt60S, b.highPassHz, b.lowPassHz]).toEqual([undefined, undefined, undefined, undefined]);
    expect(isAugmentPresetName('speaker') && isAugmentPresetName('basic')).toBe(true);
    expect(isAugmentPresetName('constructor')).toBe(false);
  });

  it('speed keeps a word centred and scales its pitch and length', () => {
    // A 0.3 s 500 Hz burst in the middle of a 1 s clip, everything but speed off.
    const clip = new Float32Array(16000);
    for (let i = 5600; i < 10400; i++) clip[i] = 0.3 * Math.sin((2 * Math.PI * 500 * i) / 16000);
    const cfg = {
      ...DEFAULT_AUGMENT,
      timeShiftS: 0,
      gainDb: [0, 0] as [number, number],
      noiseProbability: 0,
      speed: [1.15, 1.15] as [number, number],
    };
    const { samples, record } = augmentClip(clip, mulberry32(1), 16000, cfg);
    expect(record.speed).toBeCloseTo(1.15, 10);
    const on = [...samples.keys()].filter((i) => Math.abs(samples[i]) > 0.05);
    const centre = (on[0] + on.at(-1)!) / 2;
    expect(Math.abs(centre - 8000)).toBeLessThan(40); // still centred (2.5 ms)
    expect((on.at(-1)! - on[0]) / 16000).toBeCloseTo(0.3 / 1.15, 2); // shorter by the factor
    let crossings = 0;
    for (let i = on[0] + 1; i <= on.at(-1)!; i++) if (samples[i - 1] < 0 !== samples[i] < 0) crossings++;
    expect(crossings / 2 / ((on.at(-1)! - on[0]) / 16000)).toBeCloseTo(575, -1); // 500 Hz x 1.15
  });

  it('without a noise bank only shifts and scales', () => {
    const clip = tone(440, 1, 16000, 0.2);
    const { samples, record } = augmentClip(clip, mulberry32(1), 16000, { ...DEFAULT_AUGMENT, timeShiftS: 0 });
    expect(record.noiseFile).toBeUndefined();
    expect(samples[123]).toBeCloseTo(clip[123] * 10 ** (record.gainDb / 20), 6);
  });
});
