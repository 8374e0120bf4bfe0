import { describe, expect, it } from 'vitest';
import { buildCheckpoint } from '../model/checkpoint-builder.js';
import { compileFixedPoint } from './fixed-point-format.js';
import { FixedPointNetwork } from './fixed-point-network.js';
import { runClip } from './run-clip.js';

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

/** Independent BigInt transcription of the documented integer rule (README "Fixed-point arithmetic"). */
function bigIntReference(model: ReturnType<typeof compileFixedPoint>, frames: number[][]) {
  const L = BigInt(model.leakFracBits);
  const F = BigInt(model.inputFracBits);
  const theta = BigInt(model.thresholdInt);
  const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
  const v = model.layers.map((l) => new Array<bigint>(l.size).fill(0n));
  const out: number[][][] = [];
  for (const x of frames) {
    const stepSpikes: number[][] = [];
    let prev: number[] = [];
    model.layers.forEach((l, li) => {
      const s = new Array<number>(l.size).fill(0);
      for (let i = 0; i < l.size; i++) {
        let cur = 0n;
        if (li === 0) {
          const xi = BigInt(Math.floor(x[i] * 2 ** Number(F) + 0.5));
          cur = floorDiv(xi * BigInt(l.weights[i]) + (1n << (F - 1n)), 1n << F);
        } else {
          for (let j = 0; j < l.inputs; j++) if (prev[j]) cur += BigInt(l.weights[j * l.size + i]);
        }
        let vv = floorDiv(v[li][i] * BigInt(l.leak[i]) + (1n << (L - 1n)), 1n << L) + cur;
        if (vv < 0n) vv = 0n;
        if (vv >= theta) {
          s[i] = 1;
          v[li][i] = 0n;
        } else v[li][i] = vv;
      }
      stepSpikes.push(s);
      prev = s;
    });
    out.push(stepSpikes);
  }
  return { spikes: out, membranes: v.map((a) => a.map(Number)) };
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
