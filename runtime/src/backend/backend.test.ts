import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, NwaveError, StateError } from '../errors.js';
import { NwaveModel } from '../engine/nwave-model.js';
import { FixedPointNetwork } from '../snn/fixed-point-network.js';
import { runClip } from '../snn/run-clip.js';
import { StreamingDetector } from '../detect/keyword-detector.js';
import {
  classifyClips,
  detectStream,
  jsBackend,
  listBackends,
  packClips,
  quantizeFeatures,
  registerBackend,
  resolveBackend,
  type SnnBackend,
} from './index.js';

const fixture = (p: string) => new URL(`../../../test/fixtures/${p}`, import.meta.url).pathname;
const model = NwaveModel.fromJSON(readFileSync(fixture('models/tones.nwave.json'), 'utf8'), 'tones');
const C = model.fixedPoint.layers[0].size;

/** Float features [T][C] with silence, loud bursts, zeros, NaN and negatives (quantizer edge cases). */
function features(seed: number, T: number): Float32Array {
  let s = seed;
  const rnd = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  return Float32Array.from({ length: T * C }, () => {
    const r = rnd();
    return r < 0.02 ? NaN : r < 0.05 ? -1 : r < 0.3 ? 0 : rnd() ** 2 * 40;
  });
}

describe('backend registry', () => {
  const failing = (msg: string): SnnBackend & { init: ReturnType<typeof vi.fn> } => ({
    init: vi.fn(async () => Promise.reject(new Error(msg))),
    createSession: async () => Promise.reject(new Error('unused')),
  });

  it('has the js backend by default and resolves it', async () => {
    expect(listBackends().map((b) => b.name)).toContain('js');
    expect((await resolveBackend()).name).toBe('js');
    expect((await resolveBackend(['js'])).backend).toBe(jsBackend);
  });

  it('falls back in the order asked, initialises lazily once, and lists every failure', async () => {
    const broken = failing('no WebAssembly here');
    registerBackend('test-broken', broken, -1);
    expect(broken.init).not.toHaveBeenCalled();
    expect((await resolveBackend(['test-missing', 'test-broken', 'js'])).name).toBe('js');
    expect((await resolveBackend(['test-broken', 'js'])).name).toBe('js');
    expect(broken.init).toHaveBeenCalledTimes(1); // a failure is remembered, not retried
    const err = await resolveBackend(['test-missing', 'test-broken']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NwaveError);
    expect((err as Error).message).toMatch(/test-missing: not registered.*test-broken: no WebAssembly here/);
    // Negative priority: never picked without being named.
    expect((await resolveBackend()).name).toBe('js');
  });

  it('refuses a second backend under the same name and priority, ignores a weaker one', () => {
    const other = failing('x');
    expect(() => registerBackend('js', other, 10)).toThrow(InvalidArgumentError);
    registerBackend('js', other, 1);
    expect(listBackends().find((b) => b.name === 'js')?.priority).toBe(10);
  });
});

describe('js backend', () => {
  it('gives, per clip, exactly the counts of runClip on the same float features', async () => {
    const T = 125;
    const clips = [1, 2, 3, 4, 5].map((seed) => ({ data: features(seed, T), frames: T }));
    const { batch } = packClips(model, clips);
    const session = await jsBackend.createSession(model);
    const res = await session.runClips(batch, { outputSpikes: true });
    const net = new FixedPointNetwork(model.fixedPoint);
    clips.forEach((clip, b) => {
      const run = runClip(net, clip.data, T, true);
      expect(Array.from(res.outputCounts.subarray(b * 3, b * 3 + 3))).toEqual(Array.from(run.counts[2]));
      expect(Array.from(res.layerSpikes.subarray(b * 3, b * 3 + 3))).toEqual(run.totals);
      expect(Array.from(res.outputSpikes!.subarray(b * T * 3, (b + 1) * T * 3))).toEqual(Array.from(run.rasters![2]));
    });
  });

  it('quantizes with the runtime quantizer (x_int fed back is the identity)', () => {
    const f = features(9, 50);
    const net = new FixedPointNetwork(model.fixedPoint);
    const q = quantizeFeatures(model, f);
    expect(Array.from(q)).toEqual(Array.from(f, (x) => net.quantizeInput(x)));
    const inv = 2 ** -model.fixedPoint.inputFracBits;
    expect(Array.from(q, (x) => net.quantizeInput(x * inv))).toEqual(Array.from(q));
    expect(net.quantizeInput(2 ** 31)).toBe(2 ** 30);
  });

  it('classifyClips equals NwaveModel.classifyFeatures (decision, counts, layer spikes, power)', async () => {
    const T = 125;
    const clips = [11, 12, 13].map((seed) => ({ data: features(seed, T), frames: T }));
    const session = await jsBackend.createSession(model);
    const got = await classifyClips(session, model, clips);
    clips.forEach((c, i) => expect(got[i]).toEqual(model.classifyFeatures(c.data, T)));
  });

  it('detectStream equals FixedPointNetwork + StreamingDetector over the same frames', async () => {
    const T = 600;
    const clip = { data: features(21, T), frames: T };
    const events = await detectStream(await jsBackend.createSession(model), model, clip);
    const net = new FixedPointNetwork(model.fixedPoint);
    const ck = model.checkpoint;
    const det = new StreamingDetector(ck.labels, ck.backgroundLabels, ck.detector, model.dtS);
    const want = [];
    for (let t = 0; t < T; t++) {
      const frame = Float64Array.from(clip.data.subarray(t * C, (t + 1) * C));
      const e = det.update(net.step(frame), frame.reduce((a, b) => a + b, 0) / C);
      if (e) want.push(e);
    }
    expect(events).toEqual(want);
    expect(want.length).toBeGreaterThan(0); // the stream does produce a detection
  });

  it('sums population readouts per label like classifyFeatures and the streaming detector', async () => {
    const ck = structuredClone(model.checkpoint);
    const out = ck.network.layers[2];
    out.size = 6; // 3 labels x 2 neurons: each code duplicated, neighbours differ a little
    out.weights.codes = out.weights.codes.flatMap((c) => [c, c > 0 ? c - 1 : c + 1]);
    (ck.network as { outputPopulation?: number }).outputPopulation = 2;
    const pop = new NwaveModel(ck);
    expect(pop.outputPopulation).toBe(2);
    const T = 400;
    const clips = [31, 32].map((seed) => ({ data: features(seed, T), frames: T }));
    const session = await jsBackend.createSession(pop);
    expect(session.outputs).toBe(6);
    const got = await classifyClips(session, pop, clips);
    clips.forEach((c, i) => expect(got[i]).toEqual(pop.classifyFeatures(c.data, T)));
    expect(got[0].spikeCounts).toHaveLength(3);
    const det = new StreamingDetector(ck.labels, ck.backgroundLabels, ck.detector, pop.dtS, 2);
    const net = new FixedPointNetwork(pop.fixedPoint);
    const want = [];
    for (let t = 0; t < T; t++) {
      const frame = Float64Array.from(clips[0].data.subarray(t * C, (t + 1) * C));
      const e = det.update(net.step(frame), frame.reduce((a, b) => a + b, 0) / C);
      if (e) want.push(e);
    }
    expect(await detectStream(session, pop, clips[0])).toEqual(want);
  });

  it('rejects malformed batches and use after dispose', async () => {
    const session = await jsBackend.createSession(model);
    await expect(session.runClips({ features: new Int32Array(10), batch: 1, steps: 1, channels: C })).rejects.toThrow(InvalidArgumentError);
    await expect(session.runClips({ features: new Int32Array(2 * 5), batch: 1, steps: 5, channels: 2 })).rejects.toThrow(/13 channels/);
    expect(() =>
      packClips(model, [
        { data: new Float32Array(C * 2), frames: 2 },
        { data: new Float32Array(C * 3), frames: 3 },
      ]),
    ).toThrow(InvalidArgumentError);
    const empty = await session.runClips({ features: new Int32Array(0), batch: 0, steps: 125, channels: C });
    expect(empty.outputCounts.length).toBe(0);
    await session.dispose();
    await expect(session.runClips({ features: new Int32Array(C), batch: 1, steps: 1, channels: C })).rejects.toThrow(StateError);
  });
});
