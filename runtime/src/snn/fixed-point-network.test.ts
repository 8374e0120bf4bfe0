import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCheckpoint } from '../model/checkpoint-builder.js';
import { H1V2_ESTIMATE } from '../model/chip-profile.js';
import { NwaveModel } from '../engine/nwave-model.js';
import { sampleChipInstance } from '../mismatch/chip-instance.js';
import { parseCheckpoint } from '../model/checkpoint.js';
import { seededRandom } from '../mismatch/random.js';
import { FloatReferenceNetwork } from '../reference/float-reference.js';
import { compileFixedPoint } from './fixed-point-format.js';
import { FixedPointNetwork } from './fixed-point-network.js';
import { runClip } from './run-clip.js';
import { bigIntReference } from './bigint-reference.test-helper.js';

const fb = { sampleRateHz: 16000, centerFrequenciesHz: [500, 1000], q: 4, binS: 0.008, gain: 1000, recordingDurationS: 1 };

function tiny(frontW: number[], hidden: number[], taus = { f: 0.01, h: 0.064 }) {
  return buildCheckpoint({
    name: 'tiny',
    labels: ['a', 'b'],
    filterbank: fb,
    layers: [
      { name: 'frontend', type: 'frontend', size: 2, weights: frontW, bits: 8, wMax: 0.9, tausS: taus.f, dtS: 0.008 },
      { name: 'out', type: 'dense', inputs: 2, size: 2, weights: hidden, bits: 5, wMax: 0.9, tausS: taus.h, dtS: 0.008 },
    ],
  });
}

describe('fixed-point HWLayer simulation', () => {
  it('follows the hand-computed integer trace (x = 5, w = 14 codes of 0.9/127, tau 10 ms, dt 8 ms)', () => {
    const ck = tiny([(14 * 0.9) / 127, (14 * 0.9) / 127], [0.3, 0.3, 0.3, 0.3]);
    const model = compileFixedPoint(ck);
    expect(model.thresholdInt).toBe(65536);
    expect(model.layers[0].weights[0]).toBe(6502); // round(14 * 0.9/127 * 2^16)
    expect(model.layers[0].leak[0]).toBe(29447); // round(exp(-0.8) * 2^16)
    const net = new FixedPointNetwork(model);
    const trace: number[] = [];
    for (let t = 0; t < 4; t++) {
      net.step([5, 0]);
      trace.push(net.membranes[0][0]);
    }
    // I = floor((1280 * 6502 + 128) / 256) = 32510; then v = floor((v * 29447 + 32768) / 65536) + 32510
    expect(trace).toEqual([32510, 47118, 53681, 56630]);
    expect(net.spikes[0][0]).toBe(0);
  });

  it('spikes at v >= theta, resets to zero, clips negative membranes at 0', () => {
    const ck = tiny([0.9, 0.9], [0.9, -0.9, 0.9, -0.9]);
    const net = new FixedPointNetwork(compileFixedPoint(ck));
    net.step([2, 0]); // I = 2 * 0.9 = 1.8 threshold units -> spike
    expect(Array.from(net.spikes[0])).toEqual([1, 0]);
    expect(net.membranes[0][0]).toBe(0);
    expect(net.spikeCounts[0]).toBe(1);
    // out neuron 0 gets +0.9 (< 1, no spike), neuron 1 gets -0.9 -> clipped to 0
    expect(Array.from(net.spikes[1])).toEqual([0, 0]);
    expect(net.membranes[1][0]).toBe(Math.round(0.9 * 65536));
    expect(net.membranes[1][1]).toBe(0);
    net.step([2, 0]);
    // leaked 0.9 * exp(-0.125) + 0.9 >= 1 -> spike
    expect(Array.from(net.spikes[1])).toEqual([1, 0]);
  });

  it('equals an independent BigInt transcription of the rule on random input, bit for bit', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const ck = tiny([0.2, 0.35], [0.6, -0.4, 0.5, 0.3]);
    const model = compileFixedPoint(ck);
    const frames = Array.from({ length: 400 }, () => [rnd() * 20, rnd() * 12]);
    const ref = bigIntReference(model, frames);
    const net = new FixedPointNetwork(model);
    let spikes = 0;
    frames.forEach((x, t) => {
      net.step(x);
      expect([Array.from(net.spikes[0]), Array.from(net.spikes[1])]).toEqual(ref.spikes[t]);
      spikes += net.spikeCounts[1];
    });
    expect(Array.from(net.membranes[1])).toEqual(ref.membranes[1]);
    expect(spikes).toBeGreaterThan(10); // the comparison exercised real spiking
  });

  it('runClip counts spikes, records rasters, and starts every clip from rest', () => {
    const ck = tiny([0.3, 0.3], [0.5, 0.2, 0.5, 0.2]);
    const net = new FixedPointNetwork(compileFixedPoint(ck));
    const T = 50;
    const feats = new Float32Array(T * 2).map((_, i) => (i % 2 === 0 ? 8 : 1));
    const a = runClip(net, feats, T, true);
    const b = runClip(net, feats, T, true);
    expect(a.counts.map((c) => Array.from(c))).toEqual(b.counts.map((c) => Array.from(c)));
    expect(a.totals[0]).toBeGreaterThan(0);
    const rasterSum = a.rasters![1].reduce((s, v) => s + v, 0);
    expect(rasterSum).toBe(a.totals[1]);
  });
});

describe('in-core recurrence (I_t = x_t W + s_{t-1} W_rec)', () => {
  /** frontend 2 -> dense 2 with recurrent weights `rec` ([2][2], row = presynaptic) -> out 2. */
  function recurrentTiny(rec: number[], hidden = [0.9, 0, 0, 0], hiddenTaus: number | number[] = 0.064) {
    return buildCheckpoint({
      name: 'rec-tiny',
      labels: ['a', 'b'],
      filterbank: fb,
      layers: [
        { name: 'frontend', type: 'frontend', size: 2, weights: [0.9, 0.9], bits: 8, wMax: 0.9, tausS: 0.01, dtS: 0.008 },
        {
          name: 'hidden',
          type: 'dense',
          inputs: 2,
          size: 2,
          weights: hidden,
          recurrentWeights: rec,
          bits: 5,
          wMax: 0.9,
          tausS: hiddenTaus,
          dtS: 0.008,
        },
        { name: 'out', type: 'dense', inputs: 2, size: 2, weights: [0.9, 0, 0, 0.9], bits: 5, wMax: 0.9, tausS: 0.064, dtS: 0.008 },
      ],
    });
  }

  it('acts with a one-step delay: a spike of neuron 0 at t reaches neuron 1 at t+1 only', () => {
    const ck = recurrentTiny([0, 0.9, 0, 0]); // W_rec[0][1] = 0.9: neuron 0 excites neuron 1
    expect(ck.version).toBe(2);
    const model = compileFixedPoint(ck);
    expect(Array.from(model.layers[1].recurrentWeights!)).toEqual([0, Math.round(0.9 * 65536), 0, 0]);
    const net = new FixedPointNetwork(model);
    net.step([2, 0]); // frontend 0 spikes; hidden 0 gets 0.9 (< θ)
    net.step([2, 0]); // hidden 0: 0.9·β + 0.9 >= 1 -> spikes
    expect(Array.from(net.spikes[1])).toEqual([1, 0]);
    expect(net.membranes[1][1]).toBe(0); // nothing yet: recurrence is delayed one step
    net.step([0, 0]);
    expect(net.membranes[1][1]).toBe(Math.round(0.9 * 65536)); // W_rec[0][1] arrives now
    net.reset(); // s_{-1} = 0 after a reset
    net.step([0, 0]);
    expect(net.membranes[1][1]).toBe(0);
  });

  it('equals the BigInt transcription bit for bit (excitatory and inhibitory recurrence, per-neuron taus)', () => {
    let seed = 777;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const ck = recurrentTiny([0.12, 0.3, -0.42, -0.06], [0.6, 0.3, 0.5, 0.2], [0.02, 0.15]);
    const model = compileFixedPoint(ck);
    const frames = Array.from({ length: 500 }, () => [rnd() * 6, rnd() * 4]);
    const ref = bigIntReference(model, frames);
    const net = new FixedPointNetwork(model);
    let spikes = 0;
    frames.forEach((x, t) => {
      net.step(x);
      expect([0, 1, 2].map((l) => Array.from(net.spikes[l]))).toEqual(ref.spikes[t]);
      spikes += net.spikeCounts[1];
    });
    expect(model.layers[1].leak[0]).not.toBe(model.layers[1].leak[1]);
    expect(spikes).toBeGreaterThan(50);
  });

  const deep = parseCheckpoint(
    readFileSync(new URL('../../../test/fixtures/models/recurrent-deep.nwave.json', import.meta.url), 'utf8'),
    'recurrent-deep',
  );

  it('4 x 64 recurrent layers across cores: BigInt transcription and float64 reference agree, recurrence matters', () => {
    const model = compileFixedPoint(deep);
    expect(model.layers.slice(1).map((l) => [l.size, l.recurrentWeights?.length ?? 0])).toEqual([
      [64, 4096],
      [64, 4096],
      [64, 4096],
      [64, 0],
    ]);
    const rng = seededRandom(5);
    // Bursts of "speech" (features of a few units) with silences, 300 steps.
    const frames = Array.from({ length: 300 }, (_, t) => Array.from({ length: 13 }, () => (t % 100 < 60 ? rng() * 8 : 0)));
    const ref = bigIntReference(model, frames);
    const net = new FixedPointNetwork(model);
    const counts = model.layers.map(() => 0);
    frames.forEach((x, t) => {
      net.step(x);
      model.layers.forEach((_, li) => {
        expect(Array.from(net.spikes[li])).toEqual(ref.spikes[t][li]);
        counts[li] += net.spikeCounts[li];
      });
    });
    for (const c of counts) expect(c).toBeGreaterThan(100);
    // The float64 reference (no integer rounding) gives nearly the same spike counts per layer.
    const float = new FloatReferenceNetwork(deep).runClip(frames).map((l) => l.reduce((a, b) => a + b, 0));
    float.forEach((f, li) => expect(Math.abs(f - counts[li]) / counts[li]).toBeLessThan(0.05));
    // Without the recurrent weights the same input gives other counts.
    const ff = structuredClone(deep);
    for (const l of ff.network.layers) if (l.type === 'dense') delete l.recurrentWeights;
    const ffCounts = new FloatReferenceNetwork(ff).runClip(frames).map((l) => l.reduce((a, b) => a + b, 0));
    expect(ffCounts.slice(1)).not.toEqual(float.slice(1));
  });
});

describe('H1v2 arithmetic: subtractive reset, linear charge map, per-neuron thresholds', () => {
  const h1v2 = (frontCode: number, hidden: number[]) =>
    buildCheckpoint({
      name: 'tiny-h1v2',
      chipProfile: H1V2_ESTIMATE.id,
      labels: ['a', 'b'],
      filterbank: fb,
      layers: [
        {
          name: 'frontend',
          type: 'frontend',
          size: 2,
          weights: [(frontCode * 1.66) / 127, 0.5],
          bits: 8,
          wMax: 1.66,
          tausS: 0.01,
          dtS: 0.008,
        },
        { name: 'out', type: 'dense', inputs: 2, size: 2, weights: hidden, bits: 5, wMax: 1.66, tausS: 0.05, dtS: 0.008 },
      ],
    });

  it('follows the hand-computed trace: charge (0.9/1.66)·w, then v⁺ = v − θ after a spike', () => {
    const model = compileFixedPoint(h1v2(100, [1, 1, 1, 1]));
    expect(model.reset).toBe('subtractive-clamped');
    // 100 codes of 1.66/127 deliver 0.9·100/127 threshold units: round(46442.83) = 46443.
    expect(model.layers[0].weights[0]).toBe(46443);
    expect(Array.from(model.layers[1].thresholds)).toEqual([65536, 65536]);
    const net = new FixedPointNetwork(model);
    const trace: [number, number][] = [];
    for (const x of [2, 0, 0]) {
      net.step([x, 0]);
      trace.push([net.spikes[0][0], net.membranes[0][0]]);
    }
    // I = floor((512·46443 + 128) / 256) = 92886 >= 65536: spike, v⁺ = 92886 − 65536 = 27350 (a zero reset would keep 0);
    // then v = floor((27350·29447 + 32768) / 65536) = 12289, then 5522.
    expect(trace).toEqual([
      [1, 27350],
      [0, 12289],
      [0, 5522],
    ]);
  });

  it('caps the membrane after a spike at the chip ceiling, then fires once per step while it drains', () => {
    const model = compileFixedPoint(h1v2(100, [1, 1, 1, 1]));
    const net = new FixedPointNetwork(model);
    net.step([1000, 0]);
    expect(net.membranes[0][0]).toBe(H1V2_ESTIMATE.neuron.membraneCeiling * 65536);
    // Without input the carried charge (64θ, τ 10 ms: β ≈ 0.449) still fires: 28.7θ, 12.4θ, 5.1θ, 1.85θ, then 0.38θ.
    const fired = Array.from({ length: 6 }, () => (net.step([0, 0]), net.spikes[0][0]));
    expect(fired).toEqual([1, 1, 1, 1, 0, 0]);
  });

  it('H1v2 fixture, nominal and one mismatch chip (threshold spread): BigInt transcription and float reference agree', () => {
    const ck = parseCheckpoint(readFileSync(new URL('../../../test/fixtures/models/h1v2.nwave.json', import.meta.url), 'utf8'), 'h1v2');
    const nominal = new NwaveModel(ck);
    const chip = sampleChipInstance(nominal, seededRandom(3));
    const spread = Array.from(chip.layers[1].thresholds);
    expect(new Set(spread).size).toBeGreaterThan(10); // θ_i differ per neuron on a simulated chip...
    const sd = Math.sqrt(spread.reduce((a, t) => a + (t / 65536 - 1) ** 2, 0) / spread.length);
    expect(sd).toBeGreaterThan(0.01); // ...with the profile's spread (0.02)
    expect(sd).toBeLessThan(0.03);
    expect(Array.from(chip.layers[1].weights)).toEqual(Array.from(nominal.fixedPoint.layers[1].weights)); // no synaptic mismatch on H1v2
    const rng = seededRandom(9);
    const frames = Array.from({ length: 300 }, (_, t) => Array.from({ length: 13 }, () => (t % 100 < 60 ? rng() * 8 : 0)));
    for (const model of [nominal.fixedPoint, chip]) {
      const ref = bigIntReference(model, frames);
      const net = new FixedPointNetwork(model);
      const counts = model.layers.map(() => 0);
      frames.forEach((x, t) => {
        net.step(x);
        model.layers.forEach((_, li) => {
          expect(Array.from(net.spikes[li])).toEqual(ref.spikes[t][li]);
          counts[li] += net.spikeCounts[li];
        });
      });
      model.layers.forEach((_, li) => expect(Array.from(net.membranes[li])).toEqual(ref.membranes[li]));
      for (const c of counts) expect(c).toBeGreaterThan(100);
      if (model === nominal.fixedPoint) {
        const float = new FloatReferenceNetwork(ck).runClip(frames).map((l) => l.reduce((a, b) => a + b, 0));
        float.forEach((f, li) => expect(Math.abs(f - counts[li]) / counts[li]).toBeLessThan(0.05));
        // The reset matters: the same tables with a zero reset spike less.
        const zero = new FixedPointNetwork({ ...model, reset: 'zero' });
        const zeroOut = frames.reduce((a, x) => (zero.step(x), a + zero.spikeCounts[1]), 0);
        expect(zeroOut).toBeLessThan(counts[1]);
      }
    }
  });

  it('refuses a synaptic mismatch σ on a chip that has none', () => {
    const model = new NwaveModel(h1v2(100, [1, 1, 1, 1]));
    expect(() => sampleChipInstance(model, seededRandom(1), { stddev: 0.02 })).toThrow(/h1v2-estimate has no synaptic mismatch/);
  });
});
