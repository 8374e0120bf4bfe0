/**
 * Stream-training data on real recordings (the committed extra-speech FLAC clips, attribution in
 * their folder): folder scan with the held-out rule, windows at every alignment, augmentation,
 * and hard-negative mining with the runtime's own spotter on the bundled default model.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KeywordSpotter, NwaveModel, chipFilterbankConfig, parseCheckpoint } from '@nwave/runtime';
import { loadAudio } from './dataset-folder.js';
import { mineHardNegatives } from './hard-negatives.js';
import { holdoutOf, recordingKey, speakerSet } from './holdout-split.js';
import { mulberry32 } from './mulberry32.js';
import { rms } from './noise.js';
import { DEFAULT_STREAM_AUGMENT, augmentWindow, biquad, changeSpeed, reverberate } from './stream-augment.js';
import { buildStreamItems, scanNegativeFolders, trimSilence } from './stream-data.js';

const EXTRA = fileURLToPath(new URL('../../test/fixtures/audio/extra-speech/', import.meta.url));
const DEFAULT_MODEL = fileURLToPath(new URL('../../models/default.nwave.json', import.meta.url));
const RATE = 16000;
const fb = chipFilterbankConfig(RATE, { binS: 0.008 });
const T = 125;
const C = fb.centerFrequenciesHz.length;

const tone = (hz: number, n: number, amp = 0.3) =>
  Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / RATE));

describe('holdout rule', () => {
  it('splits speakers 3:1:1 by md5 and recordings by their last three path parts', () => {
    expect(holdoutOf('/x/sc-toy/yes/31601aad_nohash_0.flac')).toBe(speakerSet('31601aad'));
    expect(holdoutOf('/a/b/sc-toy/yes/31601aad_nohash_3.wav')).toBe(holdoutOf('sc-toy/no/31601aad_nohash_0.flac'));
    expect(recordingKey('/data/extra-speech/picovoice-sentences/_sentences_/x.flac')).toBe('picovoice-sentences/_sentences_/x.flac');
    expect(holdoutOf('/data/extra-speech/picovoice-sentences/_sentences_/x.flac')).toBe(
      holdoutOf('/y/picovoice-sentences/_sentences_/x.flac'),
    );
    const sets = Array.from({ length: 2000 }, (_, i) => speakerSet(`spk${i}`));
    const share = (s: string) => sets.filter((x) => x === s).length / sets.length;
    expect(share('train')).toBeCloseTo(0.6, 1);
    expect(share('val')).toBeCloseTo(0.2, 1);
    expect(share('test')).toBeCloseTo(0.2, 1);
  });
});

describe('scanNegativeFolders', () => {
  it('finds negatives, keyword positives of train speakers and noise; leaves held-out files out', () => {
    const s = scanNegativeFolders([EXTRA], ['yes', 'no']);
    const rel = (f: string) => f.slice(EXTRA.length);
    expect(s.negatives.map(rel)).toEqual([
      'picovoice-sentences/_sentences_/08b22cb8-01d7-449a-923d-1597720742f0.flac',
      'picovoice-sentences/_sentences_/9944c8ee-55c1-419c-8188-e0ec9abd32aa.flac',
      'sc-toy/bed/02ade946_nohash_0.flac',
    ]);
    expect(s.positives.map((p) => [rel(p.file), p.label])).toEqual([
      ['sc-toy/no/122c5aa7_nohash_2.flac', 1],
      ['sc-toy/yes/31601aad_nohash_0.flac', 0],
    ]);
    expect(s.noise.map(rel)).toEqual(['background-noise/_background_noise_/mycroft-bg_noise.flac']);
    expect(s.heldOut).toBe(2); // the val speakers' yes and no
  });
});

describe('stream augmentation', () => {
  it('speed changes length by 1/factor and moves a tone by the factor', () => {
    const x = tone(1000, RATE);
    const fast = changeSpeed(x, 1.15, RATE);
    expect(fast.length).toBe(Math.round(RATE / 1.15));
    // Zero crossings per second scale with the speed.
    const crossings = (y: Float32Array) => y.reduce((a, v, i) => a + (i > 0 && Math.sign(v) !== Math.sign(y[i - 1]) ? 1 : 0), 0);
    expect(crossings(fast) / (fast.length / RATE)).toBeCloseTo(2 * 1150, -2);
  });

  it('reverberation decays by about 60 dB over the RT60; band limits cut the stop band', () => {
    const imp = new Float32Array(RATE);
    imp[0] = 1;
    reverberate(imp, RATE, 0.4, 1, mulberry32(1));
    const level = (from: number) => rms(imp.subarray(Math.round(from * RATE), Math.round((from + 0.05) * RATE)));
    const dropDb = 20 * Math.log10(level(0.05) / level(0.45));
    expect(dropDb).toBeGreaterThan(40);
    expect(dropDb).toBeLessThan(80);
    const hi = tone(7000, RATE);
    biquad(hi, 'lowpass', 2000, RATE);
    expect(rms(hi.subarray(1000))).toBeLessThan(0.3 * 0.707 * 0.1);
    const lo = tone(60, RATE);
    biquad(lo, 'highpass', 400, RATE);
    expect(rms(lo.subarray(2000))).toBeLessThan(0.3 * 0.707 * 0.1);
  });

  it('is a pure function of the seed and stays in [-1, 1]', () => {
    const noise = { clips: [{ file: 'n', samples: Float32Array.from({ length: 3 * RATE }, (_, i) => Math.sin(i * 12.9898) * 0.2) }] };
    const run = (seed: number) => {
      const x = tone(500, RATE, 0.9);
      const rec = augmentWindow(x, mulberry32(seed), RATE, DEFAULT_STREAM_AUGMENT, noise);
      return { x, rec };
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5).x).not.toEqual(run(6).x);
    expect(Math.max(...run(5).x.map(Math.abs))).toBeLessThanOrEqual(1);
  });
});

describe('buildStreamItems', () => {
  const scan = scanNegativeFolders([EXTRA], ['yes', 'no']);
  const opts = { sampleRateHz: RATE, durationS: 1, filterbank: fb, frames: T, seed: 3, variants: 3, negativeLabel: 2 };

  it('trims a clip to its voiced part', () => {
    const x = new Float32Array(RATE);
    x.set(tone(300, 3200), 6000);
    const t = trimSilence(x, RATE);
    expect(t.length).toBeGreaterThanOrEqual(3200);
    expect(t.length).toBeLessThanOrEqual(3200 + 2 * 800 + 320);
  });

  it('makes one window per variant for every file, seeded, with the right labels', () => {
    const a = buildStreamItems(scan.negatives, scan.positives, { ...opts, augment: DEFAULT_STREAM_AUGMENT });
    const b = buildStreamItems(scan.negatives, scan.positives, { ...opts, augment: DEFAULT_STREAM_AUGMENT });
    expect([a.negatives.length, a.fragments.length, a.positives.length, a.failures.length]).toEqual([3, 2, 2, 0]);
    expect(a.negatives.every((i) => i.label === 2) && a.fragments.every((i) => i.label === 2)).toBe(true);
    expect(a.positives.map((i) => i.label)).toEqual([1, 0]);
    for (const [x, y] of [
      [a.negatives[0], b.negatives[0]],
      [a.positives[1], b.positives[1]],
    ])
      for (let e = 0; e < 3; e++) expect(x.features(e)).toEqual(y.features(e));
    const f = a.negatives[0].features;
    expect(f(0).length).toBe(T * C);
    expect(f(0)).not.toEqual(f(1)); // another window of the sentence
    expect(f(3)).toEqual(f(0)); // variants cycle with the epoch
  });

  it('takes negative windows at different places of a long recording (every alignment)', () => {
    const sentence = scan.negatives[0];
    const items = buildStreamItems([sentence], [], { ...opts, variants: 8, augment: null, glueProbability: 0 });
    const windows = Array.from({ length: 8 }, (_, e) => items.negatives[0].features(e));
    // Windows in the recording's digitally silent lead-in or tail are all alike; the others differ.
    const voiced = windows.filter((w) => rms(w) > 0.05 * Math.max(...windows.map(rms)));
    expect(voiced.length).toBeGreaterThanOrEqual(5);
    expect(new Set(voiced.map((w) => w.join(','))).size).toBe(voiced.length);
    expect(loadAudio(sentence, RATE).length / RATE).toBeGreaterThan(5);
  });
});

describe('mineHardNegatives', () => {
  it("collects the spotter's false accepts on negative streams as training windows", () => {
    const model = new NwaveModel(parseCheckpoint(readFileSync(DEFAULT_MODEL, 'utf8'), DEFAULT_MODEL));
    const negatives = scanNegativeFolders([EXTRA], ['yes', 'no']).negatives;
    const r = mineHardNegatives(model, negatives, { durationS: 1, filterbank: fb, frames: T, label: 0, seed: 1 });
    // Mining is deterministic; a fresh spotter over the same recordings finds about as many detections.
    const spotter = new KeywordSpotter(model, { inputSampleRateHz: RATE });
    let events = 0;
    let samples = 0;
    const mined = mineHardNegatives(model, negatives, { durationS: 1, filterbank: fb, frames: T, label: 0, seed: 1 });
    expect(mined.items.map((i) => i.file)).toEqual(r.items.map((i) => i.file));
    for (const f of [...negatives].sort()) samples += loadAudio(f, RATE).length;
    expect(r.streamS).toBeCloseTo(samples / RATE, 3);
    for (const f of negatives) {
      const a = loadAudio(f, RATE);
      for (let i = 0; i < a.length; i += 1024) events += spotter.process(a.subarray(i, i + 1024)).length;
    }
    // The bundled model fires often on other speech (issue 11): there is something to mine.
    expect(r.falseAccepts).toBeGreaterThan(0);
    expect(r.items.length).toBe(r.falseAccepts);
    expect(r.falseAcceptsPerHour).toBeCloseTo((r.falseAccepts * 3600) / r.streamS, 6);
    expect(Math.abs(events - r.falseAccepts)).toBeLessThanOrEqual(2); // another file order, same speech
    for (const it of r.items) {
      expect(it.label).toBe(0);
      expect(it.features(0).length).toBe(T * C);
      expect(rms(it.features(0))).toBeGreaterThan(0);
    }
  });
});
