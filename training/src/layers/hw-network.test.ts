import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { quantizeCodes } from '../quantize/quantize.js';
import { spike_count_cross_entropy, topology_loss, weight_magnitude_loss } from '../losses/index.js';
import { Frontend, HWLayer, HWNetwork, HWSynapse, Rng, constant, normal, prepare_net, tutorialNetwork } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}

function smallNet(seed: number, opts: { stddev?: number; ileak?: boolean } = {}): HWNetwork {
  const rng = new Rng(seed);
  return new HWNetwork(
    [
      new HWSynapse(6, 7, { init: normal(0.3, 0.4), rng, stddev: opts.stddev ?? null }),
      new HWLayer(7, 64e-3, 8e-3, { ileak_mismatch: opts.ileak }),
      new HWSynapse(7, 3, { init: normal(0.2, 0.5), rng }),
      new HWLayer(3, [30e-3, 64e-3, 100e-3], 8e-3),
    ],
    { mismatchSeed: 99 },
  );
}

describe('layers', () => {
  it('Frontend warns about the 16 chip filters', () => {
    const warn = vi.fn();
    const f = new Frontend(13, { warn });
    expect(warn).toHaveBeenCalledWith(
      'Frontend on chip uses 16 filters. Using a different amount of neurons 13 is allowed but not respecting the chip constraints.',
    );
    const g = new Frontend(16, { warn: vi.fn() });
    f.dispose();
    g.dispose();
    const quiet = vi.fn();
    new Frontend(16, { warn: quiet }).dispose();
    expect(quiet).not.toHaveBeenCalled();
  });

  it('tutorial network: 973 parameters, shapes, seeded init, quantized codes', () => {
    const a = tutorialNetwork({ rng: new Rng(42), warn: () => {} });
    const b = tutorialNetwork({ rng: new Rng(42), warn: () => {} });
    const fw = a.floatWeights();
    expect(fw.map((w) => w.shape)).toEqual([[13], [13, 64], [64, 2]]);
    expect(fw.reduce((n, w) => n + w.values.length, 0)).toBe(973);
    expect(Array.from(fw[1].values)).toEqual(Array.from(b.floatWeights()[1].values));
    const q = a.quantizedWeights();
    expect(q[0].codes).toBeNull();
    expect(q[1].bits).toBe(5);
    expect(q[1].step).toBeCloseTo(0.06, 12);
    expect(Array.from(q[1].codes!)).toEqual(Array.from(quantizeCodes(fw[1].values, 5, 0.9)));
    a.dispose();
    b.dispose();
  });

  it('forward without prepare_net fails loudly', () => {
    const net = smallNet(1);
    const x = tf.ones([1, 3, 6]) as tf.Tensor3D;
    expect(() => net.forward(x, { prepare: false })).toThrow(/prepare_net/);
    prepare_net(net);
    tf.tidy(() => {
      net.forward(x, { prepare: false });
    });
    net.dispose();
    x.dispose();
  });

  it('HWLayer: beta = exp(-dt/tau); leak mismatch redrawn per prepare_net', () => {
    const l = new HWLayer(4, 64e-3, 8e-3, { ileak_mismatch: true });
    expect(l.beta[0]).toBeCloseTo(Math.exp(-0.125), 6);
    const rng = new Rng(3);
    l.prepare(rng);
    const b1 = Float32Array.from(l.beta);
    l.prepare(rng);
    expect(Array.from(l.beta)).not.toEqual(Array.from(b1));
    for (const b of b1) expect(Math.abs(b - Math.exp(-0.125))).toBeLessThan(0.05);
    expect(() => new HWLayer(3, [1, 2], 8e-3)).toThrow(/taus has 2/);
  });

  it('synaptic mismatch: W_eff = q(W) + stddev·noise, redrawn per call', () => {
    const syn = new HWSynapse(2, 5, { init: constant(0.1), stddev: 0.02 });
    const rng = new Rng(8);
    prepare_net([syn], rng);
    const e1 = Float32Array.from(syn.effectiveWeight().dataSync());
    prepare_net([syn], rng);
    const e2 = Float32Array.from(syn.effectiveWeight().dataSync());
    expect(Array.from(e1)).not.toEqual(Array.from(e2));
    const mean = e1.reduce((a, b) => a + b, 0) / e1.length;
    expect(Math.abs(mean - 0.12)).toBeLessThan(0.03);
    syn.dispose();
  });
});

describe('fused network vs per-step reference', () => {
  it('2-layer net: identical spikes, gradients wrt input and synapse weights within 1e-4', () => {
    const B = 3;
    const T = 40;
    const rng = new Rng(21);
    const xv = rng.normalArray(B * T * 6, 0.5, 1);
    const c1 = tf.tensor3d(rng.normalArray(B * T * 7), [B, T, 7]);
    const c2 = tf.tensor3d(rng.normalArray(B * T * 3), [B, T, 3]);
    const results = (['fused', 'reference'] as const).map((impl) => {
      const net = smallNet(4, { stddev: 0.01, ileak: true });
      const x = tf.variable(tf.tensor3d(xv, [B, T, 6]));
      const vars = [x, ...net.trainableVariables()];
      let spikes: Float32Array[] = [];
      const { grads } = tf.variableGrads(() => {
        const out = net.forward(x as unknown as tf.Tensor3D, { impl });
        spikes = out.spikes.map((s) => Float32Array.from(s.dataSync()));
        return tf.add(tf.sum(tf.mul(out.spikes[0], c1)), tf.sum(tf.mul(out.spikes[1], c2))) as tf.Scalar;
      }, vars);
      const g = vars.map((v) => Float32Array.from(grads[v.name].dataSync()));
      tf.dispose(Object.values(grads));
      x.dispose();
      net.dispose();
      return { spikes, g };
    });
    const [f, r] = results;
    const rate = f.spikes[0].reduce((a, b) => a + b, 0) / f.spikes[0].length;
    expect(rate).toBeGreaterThan(0.05);
    expect(rate).toBeLessThan(0.95);
    f.spikes.forEach((s, i) => expect(Array.from(s)).toEqual(Array.from(r.spikes[i])));
    expect(f.g).toHaveLength(3);
    f.g.forEach((g, i) => {
      expect(r.g[i].some((v) => v !== 0)).toBe(true);
      expect(relErr(g, r.g[i])).toBeLessThan(1e-4);
    });
    tf.dispose([c1, c2]);
  });

  it('tutorial network (with Frontend): identical spikes and close gradients', () => {
    const rng = new Rng(17);
    const [B, T] = [2, 30];
    const x = tf.tensor3d(
      Float32Array.from(rng.normalArray(B * T * 13, 5, 3), (v) => Math.max(0, v)),
      [B, T, 13],
    );
    const labels = tf.tensor1d([0, 1], 'int32');
    const runs = (['fused', 'reference'] as const).map((impl) => {
      const net = tutorialNetwork({ rng: new Rng(42), warn: () => {} });
      let spikes: Float32Array[] = [];
      const { grads } = tf.variableGrads(() => {
        const out = net.forward(x, { impl });
        spikes = out.spikes.map((s) => Float32Array.from(s.dataSync()));
        return spike_count_cross_entropy(out.spikes[2], labels);
      }, net.trainableVariables());
      const g = net.trainableVariables().map((v) => Float32Array.from(grads[v.name].dataSync()));
      tf.dispose(Object.values(grads));
      net.dispose();
      return { spikes, g };
    });
    runs[0].spikes.forEach((s, i) => expect(Array.from(s)).toEqual(Array.from(runs[1].spikes[i])));
    runs[0].g.forEach((g, i) => {
      expect(runs[1].g[i].some((v) => v !== 0)).toBe(true);
      expect(relErr(g, runs[1].g[i])).toBeLessThan(1e-4);
    });
    tf.dispose([x, labels]);
  });

  it('no tensor leak over 3 Adam steps; dispose frees everything', () => {
    const before = tf.memory().numTensors;
    const net = tutorialNetwork({ rng: new Rng(42), warn: () => {} });
    const opt = tf.train.adam(1e-3);
    const rng = new Rng(9);
    const x = tf.tensor3d(
      Float32Array.from(rng.normalArray(2 * 30 * 13, 5, 3), (v) => Math.max(0, v)),
      [2, 30, 13],
    );
    const labels = tf.tensor1d([0, 1], 'int32');
    const step = () =>
      tf.tidy(() => {
        opt.minimize(
          () => {
            const { spikes } = net.forward(x);
            const out = spikes[spikes.length - 1];
            return tf.addN([spike_count_cross_entropy(out, labels), topology_loss(net, 0.05), weight_magnitude_loss(net)]) as tf.Scalar;
          },
          false,
          net.trainableVariables(),
        );
      });
    step(); // creates Adam's moment variables
    const w0 = Float32Array.from(net.floatWeights()[1].values);
    const mid = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(mid);
    expect(Array.from(net.floatWeights()[1].values)).not.toEqual(Array.from(w0));
    opt.dispose();
    net.dispose();
    tf.dispose([x, labels]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
