import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@nwave/runtime';
import { NWaveDataLoader } from '@nwave/data';
import { Rng } from '../layers/index.js';
import { buildNetwork } from './build-network.js';
import { adversarialChip, chipForward, meanWindowKl, windowLogProbs } from './mismatch-robustness.js';
import { TfjsTrainStep, type TfjsStepConfig } from './tfjs-step.js';
import { DEFAULT_TRAIN_CONFIG, parseTrainConfig, type TrainConfig } from './train-config.js';
import { robustnessOf, trainNetwork } from './trainer.js';
import { TEST_FILTERBANK, syntheticClips } from './trainer-fixtures.test-helper.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The default recipe's network, small: 13 → 10 recurrent → 3 classes × 5, learnt τ. */
const CFG: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  hidden: [10],
  outputPopulation: 5,
  recurrent: true,
  learnTaus: true,
  hiddenTauRangeS: [0.02, 0.4],
  logitScale: 0.2,
  learnCountScale: true,
  lamSilence: 0.3,
};
const B = 6;
const T = 40;
const C = 13;
const DET = { windowSteps: 20, strideSteps: 10, population: 5, silenceWeight: 0.3, backgroundClasses: [0] };

function batch(seed: number): { x: Float32Array; shape: [number, number, number]; labels: number[] } {
  let s = seed;
  const rnd = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  return { x: Float32Array.from({ length: B * T * C }, () => rnd() * 30), shape: [B, T, C], labels: [0, 1, 2, 0, 1, 2] };
}

function stepConfig(robustness: TfjsStepConfig['robustness']): TfjsStepConfig {
  return {
    lrFrontend: 1e-3,
    lrCore: 1e-3,
    gradClip: 1e9,
    lamTopology: 0.05,
    lamMagnitude: 1,
    lamFiringRate: 10,
    rateTargets: [null, null, 0.15],
    learnCountScale: true,
    detector: DET,
    worstOfChips: 1,
    robustness,
  };
}

describe('mismatch robustness term', () => {
  it('KL of detector windows: hand-computed value and gradient', () => {
    // One clip, 4 steps, 2 classes (population 1), one window over the clip: counts [3, 1] vs [1, 1].
    const nominal = tf.tensor3d([1, 0, 1, 0, 1, 0, 0, 1], [1, 4, 2]);
    const chip = tf.tensor3d([1, 0, 0, 0, 0, 0, 0, 1], [1, 4, 2]);
    const det = { windowSteps: 4, strideSteps: 4, population: 1 };
    const p = [Math.exp(3) / (Math.exp(3) + Math.exp(1)), Math.exp(1) / (Math.exp(3) + Math.exp(1))];
    const kl = p[0] * Math.log(p[0] / 0.5) + p[1] * Math.log(p[1] / 0.5);
    expect(kl).toBeCloseTo(0.3278, 4);
    expect(meanWindowKl(windowLogProbs(nominal, det, 1), windowLogProbs(chip, det, 1)).dataSync()[0]).toBeCloseTo(kl, 5);
    // countScale 0.5 halves the logits: counts [3, 1] -> [1.5, 0.5].
    const p2 = 1 / (1 + Math.exp(-1));
    const kl2 = p2 * Math.log(p2 / 0.5) + (1 - p2) * Math.log((1 - p2) / 0.5);
    expect(meanWindowKl(windowLogProbs(nominal, det, 0.5), windowLogProbs(chip, det, 0.5)).dataSync()[0]).toBeCloseTo(kl2, 5);
    // d KL / d chip spikes at each step = countScale · (softmax(chip) − p) for its window's class.
    const g = tf.grad((s: tf.Tensor) => meanWindowKl(windowLogProbs(nominal, det, 1), windowLogProbs(s as tf.Tensor3D, det, 1)))(chip);
    const gv = g.dataSync();
    for (let t = 0; t < 4; t++) {
      expect(gv[t * 2]).toBeCloseTo(0.5 - p[0], 5);
      expect(gv[t * 2 + 1]).toBeCloseTo(0.5 - p[1], 5);
    }
    // Two windows (stride 2, window 2): the mean over windows.
    const det2 = { windowSteps: 2, strideSteps: 2, population: 1 };
    const two = meanWindowKl(windowLogProbs(nominal, det2, 1), windowLogProbs(chip, det2, 1)).dataSync()[0];
    // Window 1 (steps 0-1): counts [2, 0] vs [1, 0].
    const pw = [Math.exp(2) / (Math.exp(2) + 1), 1 / (Math.exp(2) + 1)];
    const qw = [Math.E / (Math.E + 1), 1 / (Math.E + 1)];
    const w1 = pw[0] * Math.log(pw[0] / qw[0]) + pw[1] * Math.log(pw[1] / qw[1]);
    const q2 = [1 / (1 + Math.E), Math.E / (1 + Math.E)]; // window 2 (steps 2-3): [1, 1] vs [0, 1]
    const w2 = 0.5 * Math.log(0.5 / q2[0]) + 0.5 * Math.log(0.5 / q2[1]);
    expect(two).toBeCloseTo((w1 + w2) / 2, 5);
    tf.dispose([nominal, chip, g]);
  });

  it('the simulated chip: a random draw at sigma, moved size·sigma/steps per ascent step, towards a larger KL', () => {
    const net = buildNetwork(C, 3, CFG, 0.008);
    const b = batch(3);
    const sigma = 0.05;
    const draw = adversarialChip(net, b, DET, 0.2, { weight: 1, sigma, attackSteps: 0 }, new Rng(9));
    const attacked = adversarialChip(net, b, DET, 0.2, { weight: 1, sigma, attackSteps: 4, attackSize: 0.5 }, new Rng(9));
    expect(draw.map((d) => d.shape)).toEqual(net.synapses().map((s) => s.weight.shape));
    let moved = 0;
    draw.forEach((d, i) => {
      const a = attacked[i].dataSync();
      const r = d.dataSync();
      for (let k = 0; k < r.length; k++) {
        const steps = Math.abs(a[k] - r[k]) / ((0.5 * sigma) / 4);
        // Every step moves a weight by exactly ±0.5·sigma/4 (or not at all where the gradient is 0).
        expect(Math.abs(steps - Math.round(steps))).toBeLessThan(1e-3);
        expect(Math.abs(a[k] - r[k])).toBeLessThanOrEqual(0.5 * sigma + 1e-6);
        if (a[k] !== r[k]) moved++;
      }
    });
    expect(moved).toBeGreaterThan(50);
    const klOf = (deltas: tf.Tensor[]) =>
      tf.tidy(() => {
        const x = tf.tensor3d(b.x, b.shape);
        const { spikes } = net.forward(x);
        const nominal = windowLogProbs(spikes[spikes.length - 1], DET, 0.2);
        const base = net.synapses().map((s) => s.effectiveWeight());
        return meanWindowKl(nominal, windowLogProbs(chipForward(net, x, base, deltas, 'fused'), DET, 0.2)).dataSync()[0];
      });
    expect(klOf(draw)).toBeGreaterThan(0);
    expect(klOf(attacked)).toBeGreaterThan(klOf(draw));
    tf.dispose([...draw, ...attacked]);
    net.dispose();
  });

  it('in the tfjs step: loss = task + λ·KL, the term is linear in λ and vanishes with the deviation', () => {
    const run = (robustness: TfjsStepConfig['robustness']) => {
      const net = buildNetwork(C, 3, CFG, 0.008);
      const logScale = tf.variable(tf.scalar(Math.log(0.2)));
      const step = new TfjsTrainStep(net, stepConfig(robustness), logScale);
      step.recordGrads = true;
      const r = step.step(batch(5), { signGroups: false });
      const grads = Object.fromEntries(Object.entries(step.lastGrads).map(([k, v]) => [k, Float32Array.from(v)]));
      // A step leaves no tensor behind (the chip's Δ and the attack's tapes are freed; Adam's
      // state exists from the first step on).
      const before = tf.memory().numTensors;
      step.step(batch(6), { signGroups: false });
      expect(tf.memory().numTensors).toBe(before);
      step.dispose();
      net.dispose();
      logScale.dispose();
      return { r, grads };
    };
    const plain = run(null);
    const one = run({ weight: 1, sigma: 0.036, attackSteps: 2 });
    const two = run({ weight: 2, sigma: 0.036, attackSteps: 2 });
    expect(plain.r.mismatchKl).toBeUndefined();
    const kl = one.r.mismatchKl as number;
    expect(kl).toBeGreaterThan(0);
    // Same weights, same chip (the attack does not depend on λ): the same KL, added λ times.
    expect(two.r.mismatchKl).toBeCloseTo(kl, 6);
    expect(one.r.loss).toBeCloseTo(plain.r.loss + kl, 4);
    expect(two.r.loss).toBeCloseTo(plain.r.loss + 2 * kl, 4);
    expect(one.r.ce).toBeCloseTo(plain.r.ce, 6);
    let diff = 0;
    for (const [name, g0] of Object.entries(plain.grads)) {
      const g1 = one.grads[name];
      const g2 = two.grads[name];
      for (let k = 0; k < g0.length; k++) {
        // grad(λ=2) − grad(0) = 2·(grad(λ=1) − grad(0))
        expect(g2[k] - g0[k]).toBeCloseTo(2 * (g1[k] - g0[k]), 3);
        diff = Math.max(diff, Math.abs(g1[k] - g0[k]));
      }
    }
    expect(diff).toBeGreaterThan(1e-4);
    // A chip equal to the nominal one adds nothing: no KL, the plain gradients.
    const none = run({ weight: 1, sigma: 1e-9, attackSteps: 0 });
    expect(none.r.mismatchKl).toBeCloseTo(0, 6);
    for (const [name, g0] of Object.entries(plain.grads)) {
      const g = none.grads[name];
      for (let k = 0; k < g0.length; k++) expect(Math.abs(g[k] - g0[k])).toBeLessThan(1e-6 * (1 + Math.abs(g0[k])));
    }
  });

  it('config: settings, flags and the chip check', () => {
    expect(parseTrainConfig('{"robustMismatch": 0.5, "robustAttackSteps": 1, "robustSigma": 0.05}', 'c.json')).toEqual({
      robustMismatch: 0.5,
      robustAttackSteps: 1,
      robustSigma: 0.05,
    });
    expect(() => parseTrainConfig('{"robustAttackSteps": -1}', 'c.json')).toThrow(/c\.json.*robustAttackSteps/);
    const h1v1 = buildNetwork(C, 3, CFG, 0.008);
    const off = { robustMismatch: null, robustAttackSteps: 2, robustAttackSize: 1, robustSigma: null };
    expect(robustnessOf(off, h1v1)).toBeNull();
    expect(robustnessOf({ ...off, robustMismatch: 1, robustAttackSize: 0.25 }, h1v1)).toEqual({
      weight: 1,
      sigma: 0.036,
      attackSteps: 2,
      attackSize: 0.25,
    });
    h1v1.dispose();
    const h1v2 = buildNetwork(C, 3, { ...CFG, chip: 'h1v2' }, 0.008);
    expect(() => robustnessOf({ ...off, robustMismatch: 1 }, h1v2)).toThrow(InvalidArgumentError);
    expect(robustnessOf({ ...off, robustMismatch: 1, robustSigma: 0.02 }, h1v2)?.sigma).toBe(0.02);
    h1v2.dispose();
  });

  it('trains end to end on the tfjs step, reports the KL per epoch and leaks no tensors', async () => {
    const { items, val } = syntheticClips(T, C);
    const cfg: TrainConfig = { ...CFG, epochs: 2, detectorWindowS: 0.16, detectorStrideS: 0.08, robustMismatch: 1, robustAttackSteps: 1 };
    const opts = {
      name: 'robust',
      labels: ['_background_', 'a', 'b'],
      backgroundLabels: ['_background_'],
      filterbank: TEST_FILTERBANK,
    };
    const net = buildNetwork(C, 3, cfg, 0.008);
    const loader = new NWaveDataLoader(items, { batchSize: 8, shuffle: true, seed: 1, returnFilename: false, frames: T, channels: C });
    const before = tf.memory().numTensors;
    const logs: string[] = [];
    // Asked for the fused step: the robustness term routes it to the tfjs step.
    const r = await trainNetwork(net, { train: loader, val, T, C }, cfg, opts, { log: (m) => logs.push(m) }, undefined, 0.95, 'fused');
    expect(logs.some((m) => /tfjs reference implementation.*--robust-mismatch/.test(m))).toBe(true);
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2]);
    for (const h of r.history) {
      expect(h.components.mismatchKl).toBeGreaterThan(0);
      expect(Number.isFinite(h.loss)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  }, 120_000);
});
