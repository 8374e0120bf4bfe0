import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { H1V2_ESTIMATE, registerChipProfile, type ChipProfile } from '@nwave/runtime';
import { Frontend, HWLayer, HWNetwork, HWSynapse, Rng, normal, type ScanImpl } from '../layers/index.js';
import { firing_rate_target_mse_loss, spike_count_cross_entropy, topology_loss, weight_magnitude_loss } from '../losses/index.js';
import { atan, fast_sigmoid } from '../surrogates/surrogates.js';
import { buildNetwork } from '../train/build-network.js';
import { DEFAULT_TRAIN_CONFIG } from '../train/train-config.js';
import { setTrainingThreads, shutdownTrainingThreads, trainingThreads } from './net-pool.js';

const initialThreads = trainingThreads();
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => {
  setTrainingThreads(initialThreads);
  shutdownTrainingThreads();
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

function features(rng: Rng, B: number, T: number, C: number, scale = 1): tf.Tensor3D {
  return tf.tensor3d(
    Float32Array.from(rng.normalArray(B * T * C, 5, 3), (v) => Math.max(0, v) * scale),
    [B, T, C],
  );
}

/** Frontend → 3 recurrent hidden layers (learnable τ, mismatch, 5-bit QAT) → 3 outputs. */
function deepRecurrentNet(): HWNetwork {
  return buildNetwork(
    13,
    3,
    { ...DEFAULT_TRAIN_CONFIG, hidden: [24, 20, 16], recurrent: true, learnTaus: true, stddev: 0.02, ileakMismatch: true, seed: 5 },
    8e-3,
  );
}

/** H1v2: subtractive reset, charge map, threshold + leak spread, learnable τ, 5-bit QAT. */
function h1v2Net(): HWNetwork {
  return buildNetwork(
    13,
    3,
    { ...DEFAULT_TRAIN_CONFIG, chip: 'h1v2', hidden: [24, 20], recurrent: true, learnTaus: true, ileakMismatch: true, seed: 6 },
    8e-3,
  );
}

/** A chip whose membrane ceiling (2 θ) binds often: the ceiling path of the subtractive reset. */
const LOW_CEILING: ChipProfile = { ...H1V2_ESTIMATE, id: 'test-low-ceiling', neuron: { ...H1V2_ESTIMATE.neuron, membraneCeiling: 2 } };
function lowCeilingNet(): HWNetwork {
  registerChipProfile(LOW_CEILING);
  return buildNetwork(
    13,
    3,
    { ...DEFAULT_TRAIN_CONFIG, chip: LOW_CEILING.id, hidden: [16], recurrent: true, learnTaus: true, seed: 7 },
    8e-3,
  );
}

/** Dense input synapse (no Frontend), one recurrent layer with the atan surrogate, float weights. */
function denseInputNet(): HWNetwork {
  const rng = new Rng(8);
  return new HWNetwork(
    [
      new HWSynapse(6, 10, { init: normal(0.3, 0.4), rng, quantization_bits: null, name: 'in' }),
      new HWLayer(10, 40e-3, 8e-3, {
        name: 'hidden_lif',
        spike_grad: atan(2),
        recurrent: new HWSynapse(10, 10, { init: normal(0, 0.3), rng, quantization_bits: null, name: 'hidden_rec' }),
        learnTaus: true,
      }),
      new HWSynapse(10, 4, { init: normal(0.2, 0.5), rng, quantization_bits: null, name: 'out' }),
      new HWLayer(4, [30e-3, 64e-3, 100e-3, 200e-3], 8e-3, { spike_grad: fast_sigmoid(10) }),
    ],
    { mismatchSeed: 3 },
  );
}

/** Every loss the trainer uses, on every layer. */
function allLosses(net: HWNetwork, spikes: tf.Tensor3D[], labels: tf.Tensor1D): tf.Scalar {
  const fr = firing_rate_target_mse_loss(
    spikes,
    spikes.map(() => 0.1),
    spikes.map(() => 1),
  );
  return tf.addN([
    spike_count_cross_entropy(spikes[spikes.length - 1], labels),
    topology_loss(net, 0.05),
    weight_magnitude_loss(net),
    fr,
  ]) as tf.Scalar;
}

function runGrads(build: () => HWNetwork, impl: ScanImpl, x: tf.Tensor3D, labels: tf.Tensor1D) {
  const net = build();
  let spikes: Float32Array[] = [];
  let mems: Float32Array[] = [];
  const named = net.namedVariables();
  const { grads } = tf.variableGrads(() => {
    const out = net.forward(x, { impl, returnMem: true });
    spikes = out.spikes.map((s) => Float32Array.from(s.dataSync()));
    mems = (out.mems ?? []).map((m) => Float32Array.from(m.dataSync()));
    return allLosses(net, out.spikes, labels);
  }, net.trainableVariables());
  const g = named.map(({ name, variable }) => ({ name, g: Float32Array.from(grads[variable.name].dataSync()) }));
  tf.dispose(Object.values(grads));
  net.dispose();
  return { spikes, mems, g };
}

describe('fused whole-network kernel vs per-step reference', () => {
  it.each([
    ['frontend + 3 recurrent hidden layers, learnable tau, mismatch, QAT', deepRecurrentNet, 13, 1],
    ['dense input, recurrent atan layer, learnable tau, float weights', denseInputNet, 6, 0.05],
    ['H1v2: subtractive reset, charge map, threshold and leak spread, learnable tau', h1v2Net, 13, 1],
    ['subtractive reset against a low membrane ceiling', lowCeilingNet, 13, 3],
  ] as const)('%s: identical spikes and membranes, every gradient within 1e-4', (_, build, C, scale) => {
    const [B, T] = [4, 60];
    const rng = new Rng(11);
    const x = features(rng, B, T, C, scale);
    const labels = tf.tensor1d(
      [0, 1, 2, 1].map((l) => Math.min(l, build === denseInputNet ? 3 : 2)),
      'int32',
    );
    setTrainingThreads(2);
    const fused = runGrads(build, 'fused', x, labels);
    const ref = runGrads(build, 'reference', x, labels);
    expect(fused.spikes).toHaveLength(ref.spikes.length);
    fused.spikes.forEach((s, i) => {
      const rate = s.reduce((a, b) => a + b, 0) / s.length;
      expect(rate, `layer ${i} firing rate`).toBeGreaterThan(0.005);
      expect(rate).toBeLessThan(0.95);
      expect(Array.from(s)).toEqual(Array.from(ref.spikes[i]));
      expect(relErr(fused.mems[i], ref.mems[i])).toBeLessThan(1e-6);
    });
    const names = fused.g.map((g) => g.name);
    expect(names.some((n) => n.endsWith('_rec'))).toBe(true);
    expect(names.some((n) => n.endsWith('/log_tau'))).toBe(true);
    fused.g.forEach(({ name, g }, i) => {
      expect(ref.g[i].name).toBe(name);
      expect(
        ref.g[i].g.some((v) => v !== 0),
        `${name} has a gradient`,
      ).toBe(true);
      expect(relErr(g, ref.g[i].g), name).toBeLessThan(1e-4);
    });
    tf.dispose([x, labels]);
  });
});

describe('deterministic reduction over worker threads', () => {
  function trainWeights(threads: number): Float32Array[] {
    setTrainingThreads(threads);
    const net = deepRecurrentNet();
    const opt = tf.train.adam(3e-3);
    const rng = new Rng(4);
    for (let step = 0; step < 3; step++) {
      const x = features(rng, 8, 40, 13);
      const labels = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
      tf.tidy(() => {
        opt.minimize(() => allLosses(net, net.forward(x).spikes, labels), false, net.trainableVariables());
      });
      tf.dispose([x, labels]);
    }
    const w = net.trainableVariables().map((v) => Float32Array.from(v.dataSync()));
    opt.dispose();
    net.dispose();
    return w;
  }

  it('same seed gives bit-identical weights after 3 Adam steps with 1 and with 2 threads', () => {
    const one = trainWeights(1);
    const two = trainWeights(2);
    const twoAgain = trainWeights(2);
    expect(one.length).toBeGreaterThan(5);
    one.forEach((w, i) => {
      expect(Array.from(two[i])).toEqual(Array.from(w));
      expect(Array.from(twoAgain[i])).toEqual(Array.from(w));
    });
  });
});

describe('worker threads', () => {
  it('a process that trained on 2 threads exits by itself', () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import { setTrainingThreads } from './net-pool.ts';
      import { tutorialNetwork, Rng } from '../layers/index.ts';
      await tf.setBackend('cpu');
      setTrainingThreads(2);
      const net = tutorialNetwork({ rng: new Rng(1), warn: () => {} });
      const x = tf.ones([8, 20, 13]);
      const s = tf.tidy(() => tf.sum(net.forward(x).spikes[2]).dataSync()[0]);
      console.log('spikes', s);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: here,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.error, r.stderr).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/spikes \d+/);
  }, 90_000);
});

describe('layers', () => {
  it('a recurrent synapse must be n x n; recurrent layers must fit one core', () => {
    expect(() => new HWLayer(4, 0.05, 8e-3, { recurrent: new HWSynapse(4, 3) })).toThrow(/4x4/);
    expect(() => buildNetwork(13, 2, { ...DEFAULT_TRAIN_CONFIG, hidden: [128], recurrent: true }, 8e-3)).toThrow(/one core/);
  });

  it('learnable tau: log tau variable, current taus and decay follow it', () => {
    const layer = new HWLayer(3, [0.02, 0.05, 0.1], 8e-3, { learnTaus: true });
    expect(Array.from(layer.currentTaus()).map((t) => +t.toFixed(6))).toEqual([0.02, 0.05, 0.1]);
    (layer.logTau as tf.Variable).assign(tf.tensor1d([Math.log(0.04), Math.log(0.05), Math.log(0.2)]));
    layer.prepare(new Rng(1));
    expect(layer.beta[0]).toBeCloseTo(Math.exp(-8e-3 / 0.04), 6);
    expect(Array.from((layer.betaTensor() as tf.Tensor).dataSync())[2]).toBeCloseTo(Math.exp(-8e-3 / 0.2), 6);
    layer.dispose();
    expect(new Frontend(4, { warn: () => {} }).nb_outputs).toBe(4);
  });
});
