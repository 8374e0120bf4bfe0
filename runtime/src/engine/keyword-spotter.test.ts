import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readWavFile } from '../node/wav-file.js';
import { FloatReferenceNetwork, referenceFeatures } from '../reference/float-reference.js';
import { resample } from '../dsp/resample.js';
import { detectStream, jsBackend } from '../backend/index.js';
import { computeFeatures } from '../dsp/filterbank.js';
import type { KeywordEvent } from '../detect/keyword-detector.js';
import { KeywordSpotter } from './keyword-spotter.js';
import { NwaveModel } from './nwave-model.js';
import { withDetectorSettings } from '../model/detector-overrides.js';

const fixture = (p: string) => new URL(`../../../test/fixtures/${p}`, import.meta.url).pathname;
const model = NwaveModel.fromJSON(readFileSync(fixture('models/tones.nwave.json'), 'utf8'), 'tones');
const rate = 16000;
const tone = (f: number, s: number, r = rate, a = 0.3) =>
  Float32Array.from({ length: Math.round(s * r) }, (_, i) => a * Math.sin((2 * Math.PI * f * i) / r));
const concat = (...parts: Float32Array[]) => {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

function streamAll(samples: Float32Array | Int16Array, inRate: number, chunk: (i: number) => number) {
  const spikes: number[] = [];
  const spot = new KeywordSpotter(model, {
    inputSampleRateHz: inRate,
    onStep: (v) => spikes.push(...v.spikes.map((s) => s.reduce((a, b) => a * 2 + b, 0))),
  });
  const events = [];
  for (let i = 0, k = 0; i < samples.length; k++) {
    const n = Math.max(1, chunk(k));
    events.push(...spot.process(samples.subarray(i, i + n)));
    i += n;
  }
  return { events, spikes, power: spot.power() };
}

describe('KeywordSpotter (streaming)', () => {
  const stream = concat(new Float32Array(rate), tone(400, 1), new Float32Array(rate), tone(4000, 1), new Float32Array(rate / 2));

  it('detects each tone once, at the right time, and nothing in silence', () => {
    const { events, power } = streamAll(stream, rate, () => 4096);
    expect(events.map((e) => e.label)).toEqual(['low', 'high']);
    // A 1 s tone is one long "word": decided at the latest one window (0.5 s) after it opened.
    const windowS = model.checkpoint.detector.windowS;
    expect(events[0].startTime).toBeGreaterThanOrEqual(1.0);
    expect(events[0].startTime).toBeLessThan(1.1);
    expect(events[0].endTime).toBeGreaterThan(1.0 + windowS);
    expect(events[0].endTime).toBeLessThan(1.1 + windowS);
    expect(events[1].startTime).toBeGreaterThanOrEqual(3.0);
    expect(events[1].endTime).toBeLessThan(3.1 + windowS);
    expect(power.estimate).toBe(true);
    expect(power.totalW).toBeGreaterThan(0);
  });

  it('gives bit-identical spikes and events for 1-sample chunks, random chunks and whole buffers', () => {
    const whole = streamAll(stream, rate, () => stream.length);
    const ones = streamAll(stream, rate, () => 1);
    let s = 7;
    const random = streamAll(stream, rate, () => (s = (s * 1103515245 + 12345) % 2 ** 31) % 1000);
    expect(ones.spikes).toEqual(whole.spikes);
    expect(random.spikes).toEqual(whole.spikes);
    expect(ones.events).toEqual(whole.events);
    const int16 = Int16Array.from(stream, (x) => Math.round(x * 32767));
    expect(streamAll(int16, rate, () => 333).events.map((e) => e.label)).toEqual(['low', 'high']);
  });

  it('finds the same events in the same sound at 44.1 kHz and 48 kHz', () => {
    const at16k = streamAll(stream, rate, () => 1024).events;
    for (const r of [44100, 48000]) {
      const hi = Float32Array.from(resample(stream, rate, r));
      const { events } = streamAll(hi, r, () => 1024);
      expect(events.map((e) => e.label)).toEqual(['low', 'high']);
      events.forEach((e, i) => expect(Math.abs(e.endTime - at16k[i].endTime)).toBeLessThan(0.05));
    }
  });

  it('throws a StateError after release()', () => {
    const spot = new KeywordSpotter(model, { inputSampleRateHz: rate });
    spot.release();
    expect(() => spot.process(new Float32Array(10))).toThrow(/after release/);
  });
});

describe('one event per spoken word (bundled model, real Speech Commands clips)', () => {
  const root = new URL('../../../', import.meta.url).pathname;
  // The bundled model at threshold 0.5 (its shipped threshold accepts only one of these clips):
  // the one-event rule needs several accepted words to be exercised.
  const bundled = NwaveModel.fromJSON(readFileSync(`${root}models/default.nwave.json`, 'utf8'), 'default');
  const def = new NwaveModel(withDetectorSettings(bundled.checkpoint, { threshold: 0.5 }), 'default');
  const dir = `${root}models/examples`;
  const clips = readdirSync(dir)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => ({ name: f, ...readWavFile(`${dir}/${f}`) }));
  // Silence between the words: longer than the window plus the refractory period, so each word
  // is decided on its own (as a clip from rest is), and whole 8 ms bins, so each clip meets the
  // filterbank's bin grid as it does from rest (a half-bin shift can change a marginal decision).
  const d = def.checkpoint.detector;
  const bin = Math.round(def.filterbank.binS * rate);
  const gap = Math.ceil(((d.windowS + d.refractoryS + 0.5) * rate) / bin) * bin;
  const starts: number[] = [];
  const speech = concat(
    ...clips.flatMap((c) => {
      if (c.sampleRateHz !== rate || c.samples.length % bin) throw new Error(`${c.name}: not whole bins at 16 kHz`);
      starts.push((starts.length ? starts.at(-1)! : 0) + (starts.length ? clips[starts.length - 1].samples.length + gap : 0));
      return [Float32Array.from(c.samples), new Float32Array(gap)];
    }),
  );
  const spot = new KeywordSpotter(def, { inputSampleRateHz: rate });
  const events: KeywordEvent[] = [];
  for (let i = 0; i < speech.length; i += 512) events.push(...spot.process(speech.subarray(i, i + 512)));
  events.push(...spot.flush());

  it('each word gives at most one event, with the label of whole-clip classification when it accepts', () => {
    let keywords = 0;
    clips.forEach((c, i) => {
      const from = starts[i] / rate;
      const to = i + 1 < clips.length ? starts[i + 1] / rate : Infinity;
      const mine = events.filter((e) => e.endTime > from && e.endTime <= to);
      const whole = def.classify(c.samples, c.sampleRateHz);
      expect(mine.length, c.name).toBeLessThanOrEqual(1);
      if (whole.accepted) {
        keywords++;
        expect(
          mine.map((e) => e.label),
          c.name,
        ).toEqual([whole.label]);
        expect(mine[0].startTime).toBeGreaterThanOrEqual(from);
      }
    });
    expect(keywords).toBeGreaterThanOrEqual(3); // several accepted words, so the rule is exercised
    expect(events.length).toBeLessThanOrEqual(clips.length);
  });

  it('the backend path (network over the whole stream, then the detector) gives the same events', async () => {
    // The whole stream's features (`features()` would pad or trim to the model's clip length).
    const all = computeFeatures(Float64Array.from(speech), def.filterbank);
    expect(all.frames).toBe(speech.length / bin);
    const got = await detectStream(await jsBackend.createSession(def), def, { data: all.data, frames: all.frames });
    expect(got).toEqual(events);
  });
});

describe('whole-clip classification and float parity', () => {
  it('classifies tones and rejects quiet clips', () => {
    expect(model.classify(tone(400, 1), rate).label).toBe('low');
    expect(model.classify(tone(4000, 1, 48000), 48000).label).toBe('high');
    const q = model.classify(tone(400, 1, rate, 1e-5), rate);
    expect(q.accepted).toBe(false);
  });

  it('fixed-point spike counts stay close to the float64 reference on real speech', () => {
    const dir = fixture('audio/speech-commands');
    let agree = 0;
    let total = 0;
    for (const f of ['yes', 'no', '_unknown_']) {
      for (const file of readdirSync(`${dir}/${f}`).filter((x: string) => x.endsWith('.wav'))) {
        const a = readWavFile(`${dir}/${f}/${file}`);
        const clip = model.prepareClip(a.samples, a.sampleRateHz);
        const fx = model.classifyFeatures(model.features(a.samples, a.sampleRateHz).data, 125, { record: true });
        const ref = new FloatReferenceNetwork(model.checkpoint).runClip(referenceFeatures(clip, model.checkpoint));
        fx.layerSpikes.forEach((l, li) => {
          const r = ref[li].reduce((x, y) => x + y, 0);
          total += Math.max(l.spikes, r);
          agree += Math.min(l.spikes, r);
        });
      }
    }
    expect(total).toBeGreaterThan(100);
    expect(agree / total).toBeGreaterThan(0.97);
  });
});
