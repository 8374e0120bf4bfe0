/**
 * The input-contrast gate (`minInputContrast`) on real features: steady noise, made by a seeded
 * generator and run through the runtime filterbank, is accepted by the tones fixture model (its
 * "low" / "high" outputs fire on any broadband sound) until the gate is on; real spoken keywords
 * (committed Speech Commands clips) still fire with the gate on, in the stream and whole-clip.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWavFile } from '../node/wav-file.js';
import { classifyClips, jsBackend } from '../backend/index.js';
import type { KeywordEvent } from '../detect/keyword-detector.js';
import { withDetectorSettings } from '../model/detector-overrides.js';
import { KeywordSpotter } from './keyword-spotter.js';
import { NwaveModel } from './nwave-model.js';

const root = new URL('../../../', import.meta.url).pathname;
const load = (p: string) => NwaveModel.fromJSON(readFileSync(path.join(root, p), 'utf8'), p);
const tones = load('test/fixtures/models/tones.nwave.json');
const rate = 16000;

/** Seeded white noise in [-a, a). */
function white(n: number, seed: number, a: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => a * (((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1));
}

/** Seeded pink noise (Paul Kellet's filter over white noise), peak about a. */
function pink(n: number, seed: number, a: number): Float32Array {
  const w = white(n, seed, 1);
  const b = [0, 0, 0, 0, 0, 0, 0];
  return w.map((x) => {
    b[0] = 0.99886 * b[0] + x * 0.0555179;
    b[1] = 0.99332 * b[1] + x * 0.0750759;
    b[2] = 0.969 * b[2] + x * 0.153852;
    b[3] = 0.8665 * b[3] + x * 0.3104856;
    b[4] = 0.55 * b[4] + x * 0.5329522;
    b[5] = -0.7616 * b[5] - x * 0.016898;
    const y = 0.11 * (b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + x * 0.5362);
    b[6] = x * 0.115926;
    return a * y;
  });
}

const noises: [string, Float32Array][] = [
  ['white 0.05', white(3 * rate, 1, 0.05)],
  ['white 0.2', white(3 * rate, 2, 0.2)],
  ['pink 0.3', pink(3 * rate, 3, 0.3)],
  ['pink 0.6', pink(3 * rate, 4, 0.6)],
];

const clipsDir = path.join(root, 'test/fixtures/audio/speech-commands');
const keywordClips = ['yes', 'no'].flatMap((w) =>
  readdirSync(path.join(clipsDir, w))
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => ({ ...readWavFile(path.join(clipsDir, w, f)), word: w, name: `${w}/${f}` })),
);

/** Every event of a whole stream (flushed at the end). */
function stream(model: NwaveModel, samples: Float32Array | Int16Array, inRate: number): KeywordEvent[] {
  const spot = new KeywordSpotter(model, { inputSampleRateHz: inRate });
  const events: KeywordEvent[] = [];
  for (let i = 0; i < samples.length; i += 512) events.push(...spot.process(samples.subarray(i, i + 512)));
  return [...events, ...spot.flush()];
}

const gated = (model: NwaveModel, minInputContrast: number) => new NwaveModel(withDetectorSettings(model.checkpoint, { minInputContrast }));

describe('input-contrast gate on steady noise (tones model)', () => {
  const on = gated(tones, 2);

  it.each(noises)('%s: accepted as a keyword without the gate, rejected as steady-input with it', (_, audio) => {
    const clip = audio.subarray(0, rate);
    const off = tones.classify(clip, rate);
    expect(off).toMatchObject({ accepted: true });
    // Steady: the loudest step is barely above the mean.
    expect(off.peakInputLevel / off.meanInputLevel).toBeGreaterThan(1);
    expect(off.peakInputLevel / off.meanInputLevel).toBeLessThan(1.5);
    const r = on.classify(clip, rate);
    expect(r).toMatchObject({ accepted: false, rejectedBy: 'steady-input', index: off.index, confidence: off.confidence });
    expect(r.spikeCounts).toEqual(off.spikeCounts);

    // Streaming over 3 s: events without the gate, none with it (from the first step: the start of
    // a stream is not taken for silence before the noise).
    expect(stream(tones, audio, rate).length).toBeGreaterThan(0);
    expect(stream(on, audio, rate)).toEqual([]);
  });

  it('a real steady-noise clip (Speech Commands _silence_/1037.wav) is rejected as steady-input', () => {
    const a = readWavFile(path.join(clipsDir, '_silence_', '1037.wav'));
    const off = tones.classify(a.samples, a.sampleRateHz);
    expect(off.accepted).toBe(true);
    expect(off.peakInputLevel / off.meanInputLevel).toBeLessThan(1.5);
    expect(on.classify(a.samples, a.sampleRateHz)).toMatchObject({ accepted: false, rejectedBy: 'steady-input' });
    // The bundled yes/no model, whatever it says without the gate, does not take it for a word with it.
    expect(gated(load('models/default.nwave.json'), 2).classify(a.samples, a.sampleRateHz).accepted).toBe(false);
  });

  it('with the gate absent or 0, the detector behaves exactly as before', () => {
    const zero = gated(tones, 0);
    for (const [, audio] of noises) {
      expect(stream(zero, audio, rate)).toEqual(stream(tones, audio, rate));
      expect(zero.classify(audio, rate)).toEqual(tones.classify(audio, rate));
    }
  });
});

describe('input-contrast gate on real keywords', () => {
  const defaultModel = load('models/default.nwave.json');

  it.each([2, 3])('minInputContrast %d: the default model still detects every committed yes/no clip it detects without the gate', (c) => {
    const on = gated(defaultModel, c);
    let detected = 0;
    for (const k of keywordClips) {
      const off = defaultModel.classify(k.samples, k.sampleRateHz);
      const r = on.classify(k.samples, k.sampleRateHz);
      expect(r.peakInputLevel / r.meanInputLevel, k.name).toBeGreaterThan(3);
      expect(r, k.name).toEqual(off);
      const events = stream(defaultModel, k.samples, k.sampleRateHz);
      expect(stream(on, k.samples, k.sampleRateHz), k.name).toEqual(events);
      if (events.some((e) => e.label === k.word)) detected++;
    }
    expect(detected).toBeGreaterThanOrEqual(4); // of 6: the gate is tested on real detections
  });

  it('classifyClips (js backend) agrees with classifyFeatures on peakInputLevel and the decision', async () => {
    const model = gated(tones, 2);
    const clips = [
      ...noises.map(([, a]) => a.subarray(0, rate)),
      ...keywordClips.map((k) => model.prepareClip(k.samples, k.sampleRateHz)),
    ].map((a) => {
      const f = model.features(a, rate);
      return { data: f.data, frames: f.frames };
    });
    const got = await classifyClips(await jsBackend.createSession(model), model, clips);
    clips.forEach((c, i) => expect(got[i]).toEqual(model.classifyFeatures(c.data, c.frames)));
    expect(got.map((r) => r.rejectedBy)).toEqual([...noises.map(() => 'steady-input'), ...keywordClips.map(() => undefined)]);
  });
});
