import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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

  it('runs a comparison model on the same input', () => {
    const { events, clock, core } = setup();
    core.setSampleRate(RATE);
    core.setModel('a', TONES, 'a');
    core.setModel('b', TONES, 'b');
    run(core, toneLoop(400), clock);
    const det = events.filter((e) => e.type === 'detection');
    expect(det.map((d) => `${d.slot}:${d.event.label}`).sort()).toEqual(['a:low', 'b:low']);
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
