import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KeywordSpotter, NwaveModel, resample, simulatedChip, withCountGains, withDetectorSettings } from '@nwave/runtime';
import { eventKeys, examplesStream, offlineEvents } from '../../../test/e2e/helpers/offline-events.js';
import type { EngineEvent } from './engine-messages.js';
import { EngineCore } from './engine-core.js';

const TONES = readFileSync('test/fixtures/models/tones.nwave.json', 'utf8');
const RATE = 48000;

/** 0.5 s silence, 0.4 s tone, 0.6 s silence (the e2e fixture's shape). */
function toneLoop(freqHz: number): Float32Array {
  const x = new Float32Array(1.5 * RATE);
  for (let i = 0.5 * RATE; i < 0.9 * RATE; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * freqHz * i) / RATE);
  return x;
}

function run(core: EngineCore, audio: Float32Array, clock: { t: number }, chunk = 512): void {
  for (let i = 0; i < audio.length; i += chunk) {
    clock.t += (chunk / RATE) * 1000;
    core.process(audio.slice(i, i + chunk), clock.t);
  }
}

function setup() {
  const events: EngineEvent[] = [];
  const clock = { t: 1_000_000 };
  const core = new EngineCore({ post: (e) => events.push(e), now: () => clock.t });
  return { events, clock, core };
}

describe('EngineCore (what the engine worker runs)', () => {
  it('detects per loop at the device rate, with chunk timing for latency measurement', () => {
    const { events, clock, core } = setup();
    core.setModel('a', TONES, 'tones');
    core.setSampleRate(RATE);
    run(core, toneLoop(4000), clock);
    run(core, toneLoop(4000), clock);
    const det = events.filter((e) => e.type === 'detection');
    expect(det.map((d) => d.event.label)).toEqual(['high', 'high']);
    for (const d of det) {
      expect(d.chunkEndS).toBeGreaterThanOrEqual(d.event.endTime - 0.05);
      expect(d.arrivedAtMs).toBeGreaterThan(1_000_000);
    }
    expect(events[0]).toMatchObject({ type: 'model-ready', slot: 'a', labels: ['high', 'low', '_background_'] });
  });

  it('batches every step into frames at display rate, with level and power', () => {
    const { events, clock, core } = setup();
    core.setModel('a', TONES, 'tones');
    core.setSampleRate(RATE);
    run(core, toneLoop(400), clock);
    core.flushFrame();
    const frames = events.filter((e) => e.type === 'frame');
    const steps = frames.reduce((n, f) => n + (f.steps?.count ?? 0), 0);
    expect(steps).toBe(Math.floor((1.5 - 0.002) / 0.008)); // all whole steps, minus the resampler's look-ahead
    expect(frames.length).toBeLessThan(1.5 * 70); // ~60 per second of audio, not one per step
    const first = frames.find((f) => f.steps)!.steps!;
    expect(first.layerSizes).toEqual([13, 10, 3]);
    expect(first.spikes.length).toBe(first.count * 26);
    expect(first.features.length).toBe(first.count * 13);
    const spikes = frames.reduce((n, f) => n + (f.steps ? f.steps.spikes.reduce((a, b) => a + b, 0) : 0), 0);
    expect(spikes).toBeGreaterThan(0);
    const power = frames.flatMap((f) => f.power);
    expect(power.length).toBeGreaterThan(5);
    expect(power.at(-1)!.totalUw).toBeGreaterThan(0);
    expect(power.at(-1)!.energyPerInferenceNj).toBeCloseTo(power.at(-1)!.totalUw * 1e3, 6); // 1 s clip: µW -> nJ
    expect(power.at(-1)!.layers.map((l) => l.frontend)).toEqual([true, false, false]);
    expect(Math.max(...frames.map((f) => f.level.peakDb))).toBeCloseTo(20 * Math.log10(0.3), 0);
  });

  it('runs a version-2 model with recurrent layers (4 x 64): rasters of every layer, and the runtime events', () => {
    const REC = readFileSync('test/fixtures/models/recurrent-deep.nwave.json', 'utf8');
    const { events, clock, core } = setup();
    core.setModel('a', REC, 'recurrent-deep');
    core.setSampleRate(RATE);
    const audio = toneLoop(700);
    run(core, audio, clock);
    core.flushFrame();
    expect(events.find((e) => e.type === 'model-ready')).toMatchObject({ labels: ['high', 'low', 'mid', '_background_'] });
    const frames = events.filter((e) => e.type === 'frame');
    const first = frames.find((f) => f.steps)!.steps!;
    expect(first.layerSizes).toEqual([13, 64, 64, 64, 64]);
    const perLayer = [0, 0, 0, 0, 0];
    for (const f of frames) {
      if (!f.steps) continue;
      for (let t = 0; t < f.steps.count; t++) {
        let o = t * 269;
        first.layerSizes.forEach((n, l) => {
          for (let j = 0; j < n; j++) perLayer[l] += f.steps!.spikes[o + j];
          o += n;
        });
      }
    }
    for (const n of perLayer) expect(n).toBeGreaterThan(0);
    // The same detections as the runtime's own KeywordSpotter on the same audio.
    const spot = new KeywordSpotter(NwaveModel.fromJSON(REC), { inputSampleRateHz: RATE });
    const want = [];
    for (let i = 0; i < audio.length; i += 512) want.push(...spot.process(audio.slice(i, i + 512)));
    expect(events.filter((e) => e.type === 'detection').map((d) => d.event)).toEqual(want);
  });

  it('runs a comparison model on the same input', () => {
    const { events, clock, core } = setup();
    core.setSampleRate(RATE);
    core.setModel('a', TONES, 'a');
    core.setModel('b', TONES, 'b');
    run(core, toneLoop(400), clock);
    const det = events.filter((e) => e.type === 'detection');
    expect(det.map((d) => `${d.slot}:${d.event.label}`).sort()).toEqual(['a:low', 'b:low']);
    // Both models' steps reach the UI (side-by-side rasters), the same ones for the same network.
    const frames = events.flatMap((e) => (e.type === 'frame' ? [e] : []));
    const total = (k: 'steps' | 'compareSteps'): number => frames.reduce((n, f) => n + (f[k]?.count ?? 0), 0);
    expect(total('compareSteps')).toBeGreaterThan(0);
    expect(total('compareSteps')).toBe(total('steps'));
    // Per-keyword confidence for each slot: the softmax of the window counts (sums to 1), "low" on top while it plays.
    const conf = frames.flatMap((f) => f.confidence.filter((c) => c.slot === 'b'));
    expect(conf.length).toBe(frames.length);
    const lowIndex = 1; // tones fixture labels: high, low, _background_
    const active = conf.filter((c) => c.counts.some((n) => n > 0));
    expect(active.length).toBeGreaterThan(0);
    for (const c of active) expect(c.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    for (const c of conf.filter((x) => !x.counts.some((n) => n > 0))) expect(c.probs).toEqual([0, 0, 0]);
    expect(Math.max(...conf.map((c) => c.probs[lowIndex]))).toBeGreaterThanOrEqual(
      det.find((d) => d.slot === 'b')!.event.confidence - 1e-9,
    );
    core.setModel('b', null, '');
    expect(events.at(-1)).toEqual({ type: 'model-cleared', slot: 'b' });
  });

  it('reports a broken model without throwing', () => {
    const { events, core } = setup();
    core.setModel('a', '{"format": "nope"}', 'broken.nwave.json');
    expect(events[0]).toMatchObject({ type: 'model-error', slot: 'a', error: { code: 'CHECKPOINT_FORMAT' } });
  });

  it('records the next seconds of input, and taps the stream from its start', () => {
    const { events, clock, core } = setup();
    core.setSampleRate(RATE);
    core.debugTap(0.5);
    core.reset();
    core.record(7, 0.25);
    const audio = toneLoop(400);
    run(core, audio, clock);
    const rec = events.find((e) => e.type === 'recorded');
    expect(rec).toMatchObject({ id: 7, sampleRateHz: RATE });
    expect((rec as { samples: Float32Array }).samples.length).toBe(0.25 * RATE);
    const tap = events.find((e) => e.type === 'debug-tap') as { samples: Float32Array };
    expect(tap.samples).toEqual(audio.subarray(0, 0.5 * RATE));
  });
});

describe('EngineCore detector settings (the live threshold)', () => {
  // Real speech: the committed Speech Commands examples at the device rate, twice (12 s), through
  // the bundled model with its threshold lowered to 0.35 so that the threshold visibly matters
  // (offline, measured on the examples twice: 0.35 gives "no" at 0.83, "yes" at 1.00 and "no" at 0.81; 0.99 keeps the "yes",
  // while at 0.95 both "no" words come back later from surer windows, at 0.951).
  const ck = withDetectorSettings(NwaveModel.fromJSON(readFileSync('models/default.nwave.json', 'utf8')).checkpoint, { threshold: 0.35 });
  const DEFAULT = JSON.stringify(ck);
  const once = examplesStream();
  const at48k = Float32Array.from(resample(once.samples, once.sampleRateHz, RATE));
  const speech = new Float32Array(at48k.length * 2);
  speech.set(at48k);
  speech.set(at48k, at48k.length);
  const STRICT = 0.99;
  const detections = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'detection' && e.slot === 'a' ? [e.event] : []));

  it('the offline reference (one whole-buffer KeywordSpotter, settings changed from onStep) is the runtime when nothing changes', () => {
    const model = new NwaveModel(ck);
    const plain = new KeywordSpotter(model, { inputSampleRateHz: RATE }).process(speech);
    expect(offlineEvents(model, speech, RATE)).toEqual(plain);
    const strict = new KeywordSpotter(new NwaveModel(withDetectorSettings(ck, { threshold: STRICT })), { inputSampleRateHz: RATE }).process(
      speech,
    );
    expect(offlineEvents(model, speech, RATE, [{ fromStep: 0, overrides: { threshold: STRICT } }])).toEqual(strict);
    // The fixture is one where the threshold matters: fewer events, and none below it.
    expect(strict.length).toBeGreaterThan(0);
    expect(strict.length).toBeLessThan(plain.length);
    expect(plain.some((e) => e.confidence < STRICT)).toBe(true);
    expect(strict.every((e) => e.confidence >= STRICT)).toBe(true);
  });

  it('runs a model with overrides from its first step: the runtime with withDetectorSettings', () => {
    const { events, clock, core } = setup();
    core.setModel('a', DEFAULT, 'default', { threshold: STRICT });
    core.setSampleRate(RATE);
    run(core, speech, clock);
    const expected = new KeywordSpotter(new NwaveModel(withDetectorSettings(ck, { threshold: STRICT })), { inputSampleRateHz: RATE });
    expect(eventKeys(detections(events))).toEqual(eventKeys(expected.process(speech)));
    expect(events.find((e) => e.type === 'detector')).toMatchObject({
      slot: 'a',
      source: 'default',
      overridden: true,
      fromStep: 0,
      settings: { threshold: STRICT },
    });
  });

  it('changes the threshold mid-stream without touching the stream: same steps, spikes and window, new decision from then on', () => {
    const plain = setup();
    plain.core.setModel('a', DEFAULT, 'default');
    plain.core.setSampleRate(RATE);
    run(plain.core, speech, plain.clock);
    plain.core.flushFrame();

    const live = setup();
    live.core.setModel('a', DEFAULT, 'default');
    live.core.setSampleRate(RATE);
    const half = 512 * Math.round(speech.length / 2 / 512);
    run(live.core, speech.subarray(0, half), live.clock);
    live.core.setDetector('a', { threshold: STRICT });
    const change = live.events.at(-1);
    expect(change).toMatchObject({ type: 'detector', slot: 'a', overridden: true, settings: { threshold: STRICT } });
    const fromStep = (change as { fromStep: number }).fromStep;
    expect(Math.abs(fromStep - half / RATE / ck.filterbank.binS)).toBeLessThan(2); // the stream went on: not step 0
    run(live.core, speech.subarray(half), live.clock);
    live.core.flushFrame();

    // The rasters see exactly the same steps and spikes (the network and filterbank were not reset).
    const steps = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'frame' && e.steps ? [e.steps] : []));
    const flat = (events: EngineEvent[]) => steps(events).flatMap((b) => [...b.spikes]);
    expect(steps(live.events).map((b) => b.firstStep)).toEqual(steps(plain.events).map((b) => b.firstStep));
    expect(flat(live.events)).toEqual(flat(plain.events));

    const got = detections(live.events);
    const model = new NwaveModel(ck);
    const expected = offlineEvents(model, speech, RATE, [{ fromStep, overrides: { threshold: STRICT } }]);
    expect(eventKeys(got)).toEqual(eventKeys(expected));
    for (const e of got) expect(e.endTime).toBe(Math.round(e.endTime / model.dtS) * model.dtS); // whole steps, as the runtime computes them
    // Before the change: the default events; after it: only confident ones (decided over the whole
    // window, which may begin before the change), and fewer than at the default threshold.
    const before = detections(plain.events).filter((e) => e.endTime <= fromStep * model.dtS);
    expect(eventKeys(got.filter((e) => e.endTime <= fromStep * model.dtS))).toEqual(eventKeys(before));
    const after = got.filter((e) => e.endTime > fromStep * model.dtS);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((e) => e.confidence >= STRICT)).toBe(true);
    expect(after.length).toBeLessThan(detections(plain.events).filter((e) => e.endTime > fromStep * model.dtS).length);

    // Back to the model's own settings ({}), and a new stream: overrides gone, clock from 0.
    live.core.setDetector('a', {});
    expect(live.events.at(-1)).toMatchObject({ type: 'detector', overridden: false, settings: { threshold: ck.detector.threshold } });
    live.events.length = 0;
    live.core.reset();
    run(live.core, speech, live.clock);
    expect(eventKeys(detections(live.events))).toEqual(eventKeys(detections(plain.events)));
  });

  it("runs a simulated chip of a model beside its nominal network: the runtime's simulatedChip, its own spikes", () => {
    const { events, clock, core } = setup();
    const chip = { index: 3, seed: 1 };
    core.setModel('a', DEFAULT, 'default');
    core.setModel('b', DEFAULT, 'default', {}, chip);
    expect(events.filter((e) => e.type === 'model-ready').map((e) => (e.type === 'model-ready' ? [e.slot, e.chip] : null))).toEqual([
      ['a', null],
      ['b', chip],
    ]);
    core.setSampleRate(RATE);
    run(core, speech, clock);
    core.flushFrame();
    const nominal = new NwaveModel(ck);
    const onChip = simulatedChip(nominal, chip);
    const slotEvents = (slot: 'a' | 'b') => events.flatMap((e) => (e.type === 'detection' && e.slot === slot ? [e.event] : []));
    expect(eventKeys(slotEvents('a'))).toEqual(eventKeys(new KeywordSpotter(nominal, { inputSampleRateHz: RATE }).process(speech)));
    expect(eventKeys(slotEvents('b'))).toEqual(eventKeys(new KeywordSpotter(onChip, { inputSampleRateHz: RATE }).process(speech)));
    expect(slotEvents('b').length).toBeGreaterThan(0);
    expect(eventKeys(slotEvents('b'))).not.toEqual(eventKeys(slotEvents('a')));
    // The chip is another network: same steps and shapes, other spikes (slot b's rasters are its own).
    const flat = (key: 'steps' | 'compareSteps') => events.flatMap((e) => (e.type === 'frame' && e[key] ? [...e[key].spikes] : []));
    expect(flat('compareSteps').length).toBe(flat('steps').length);
    expect(flat('compareSteps')).not.toEqual(flat('steps'));
    // An invalid chip is refused, naming the field; the slot keeps nothing half-loaded.
    events.length = 0;
    core.setModel('b', DEFAULT, 'default', {}, { index: 1.5, seed: 1 });
    expect(events.at(-1)).toMatchObject({
      type: 'model-error',
      slot: 'b',
      error: { code: 'INVALID_ARGUMENT', context: { field: 'index' } },
    });
  });

  it("runs a calibrated simulated chip: the chip deciding with its count gains, as the runtime's withCountGains", () => {
    const { events, clock, core } = setup();
    const countGains = { _background_: 1, yes: 1.6, no: 0.6 };
    core.setModel('a', DEFAULT, 'default', {}, { index: 3, seed: 1 });
    core.setModel('b', DEFAULT, 'default', {}, { index: 3, seed: 1, countGains });
    expect(events.filter((e) => e.type === 'model-ready').map((e) => (e.type === 'model-ready' ? e.chip : null))).toEqual([
      { index: 3, seed: 1 },
      { index: 3, seed: 1, countGains },
    ]);
    core.setSampleRate(RATE);
    run(core, speech, clock);
    core.flushFrame();
    const onChip = simulatedChip(new NwaveModel(ck), { index: 3, seed: 1 });
    const slotEvents = (slot: 'a' | 'b') => events.flatMap((e) => (e.type === 'detection' && e.slot === slot ? [e.event] : []));
    const offline = (m: NwaveModel) => eventKeys(new KeywordSpotter(m, { inputSampleRateHz: RATE }).process(speech));
    expect(eventKeys(slotEvents('a'))).toEqual(offline(onChip));
    expect(eventKeys(slotEvents('b'))).toEqual(offline(withCountGains(onChip, countGains)));
    expect(slotEvents('b').length).toBeGreaterThan(0);
    // The gains change what the chip decides, while its spikes stay the chip's own.
    expect(eventKeys(slotEvents('b'))).not.toEqual(eventKeys(slotEvents('a')));
    const flat = (key: 'steps' | 'compareSteps') => events.flatMap((e) => (e.type === 'frame' && e[key] ? [...e[key].spikes] : []));
    expect(flat('compareSteps')).toEqual(flat('steps'));
  });

  it('keeps an override across a new stream (reset) and a device rate change', () => {
    const { events, clock, core } = setup();
    core.setModel('a', DEFAULT, 'default');
    core.setSampleRate(44100);
    core.setDetector('a', { threshold: STRICT });
    core.setSampleRate(RATE); // rebuilds the spotter
    core.reset();
    run(core, speech, clock);
    expect(eventKeys(detections(events))).toEqual(
      eventKeys(offlineEvents(new NwaveModel(ck), speech, RATE, [{ fromStep: 0, overrides: { threshold: STRICT } }])),
    );
  });

  it('refuses invalid overrides and changes without a model, keeping the settings in effect', () => {
    const { events, clock, core } = setup();
    core.setDetector('b', { threshold: 0.7 });
    expect(events.at(-1)).toMatchObject({ type: 'detector-error', slot: 'b', error: { code: 'STATE' } });
    core.setModel('a', DEFAULT, 'default', { threshold: STRICT });
    core.setSampleRate(RATE);
    for (const bad of [{ threshold: 1.5 }, { threshold: Number.NaN }, { minSpikes: -1 }, { labelThresholds: { maybe: 0.5 } }]) {
      core.setDetector('a', bad);
      expect(events.at(-1)).toMatchObject({ type: 'detector-error', slot: 'a', error: { code: 'INVALID_ARGUMENT' } });
    }
    core.setDetector('a', { windowS: 0.5, bogus: 1 } as never);
    expect(events.at(-1)?.type).toBe('detector-error');
    // A running detector keeps its window (its ring is sized by it): another windowS is refused.
    core.setDetector('a', { windowS: 0.5 });
    expect(events.at(-1)).toMatchObject({
      type: 'detector-error',
      slot: 'a',
      error: { code: 'INVALID_ARGUMENT', context: { field: 'windowS' } },
    });
    events.length = 0;
    run(core, speech, clock);
    expect(eventKeys(detections(events))).toEqual(
      eventKeys(offlineEvents(new NwaveModel(ck), speech, RATE, [{ fromStep: 0, overrides: { threshold: STRICT } }])),
    );
  });

  it('loads a model with refused overrides on its own settings, saying why', () => {
    const { events, core } = setup();
    core.setModel('a', DEFAULT, 'default', { threshold: 2 });
    expect(events.map((e) => e.type)).toEqual(['detector-error', 'model-ready', 'detector']);
    expect(events.at(-1)).toMatchObject({ overridden: false, settings: ck.detector });
    // No spotter yet (no audio): the window is checked all the same, as the spotter would.
    events.length = 0;
    core.setModel('a', DEFAULT, 'default', { threshold: STRICT, windowS: 0.5 });
    expect(events[0]).toMatchObject({ type: 'detector-error', error: { code: 'INVALID_ARGUMENT', context: { field: 'windowS' } } });
    expect(events.at(-1)).toMatchObject({ type: 'detector', overridden: false, settings: ck.detector });
    core.setDetector('a', { windowS: 2 });
    expect(events.at(-1)).toMatchObject({ type: 'detector-error', error: { context: { field: 'windowS' } } });
    core.setDetector('a', { threshold: STRICT });
    expect(events.at(-1)).toMatchObject({
      type: 'detector',
      overridden: true,
      fromStep: 0,
      settings: { ...ck.detector, threshold: STRICT },
    });
  });
});
