import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTrainingThreads, shutdownTrainingThreads, trainingThreads } from '../kernels/net-pool.js';
import { Rng, tutorialNetwork, type HWNetwork } from '../layers/index.js';
import { buildNetwork } from './build-network.js';
import { FusedTrainStep, fusedStepConfig, type FusedBatch, type FusedStepConfig } from './fused-step.js';
import { withRecipe } from './recipes.js';
import { applyHardConstraints } from './sign-projection.js';
import { TfjsTrainStep } from './tfjs-step.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from './train-config.js';
import { TEST_FILTERBANK, syntheticClips } from './trainer-fixtures.test-helper.js';

/** A 13-channel filterbank description for the checkpoints the trainer exports. */

const initialThreads = trainingThreads();
const LR_FACTOR = 0.7;
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

/**
 * The shipped models' recipe (13 → 64r → 3 × 5, learnt τ) with every training path on: synaptic
 * and leak mismatch, detector objective.
 */
const RECIPE: TrainConfig = withRecipe('keyword-spotter');

interface Case {
  name: string;
  build: () => HWNetwork;
  classes: number;
  cfg: TrainConfig;
  /** Detector window / stride in steps. */
  window: number;
  stride: number;
  T: number;
  labels: number[];
  /** Keyword starts (a stream context before each clip). */
  starts?: number[];
  signGroups: boolean;
  /** SignAnnealing's gate sharpness α during the step (none: gate off). */
  signAlpha?: number;
  /** Steps of trailing silence (zero input) at the end of every sample (the after-word quiet term). */
  tail?: number;
}

/**
 * The default recipe on H1v2: charge 0.9/1.66 per unit weight, per-neuron threshold spread,
 * learnt τ snapped to the chip's profiles, subtractive reset, no synaptic mismatch.
 */
const H1V2_RECIPE: TrainConfig = withRecipe('keyword-spotter', { chip: 'h1v2' });

const CASES: Case[] = [
  {
    name: 'default recipe, whole-clip window',
    build: () => buildNetwork(13, 3, RECIPE, 8e-3),
    classes: 3,
    cfg: RECIPE,
    window: 125,
    stride: 12,
    T: 50,
    labels: [0, 1, 2, 1, 0, 2, 1, 2],
    signGroups: false,
  },
  {
    name: 'default recipe, sliding windows over a stream context, label −1, sign projection',
    build: () => buildNetwork(13, 3, RECIPE, 8e-3),
    classes: 3,
    cfg: RECIPE,
    window: 20,
    stride: 7,
    T: 60,
    labels: [1, -1, 2, 0, 1, 2, 0, 1],
    starts: [30, 30, 30, 30, 25, 30, 30, 30],
    signGroups: true,
  },
  {
    name: 'seed network 13-64-2 (float frontend, QAT core, fixed τ)',
    build: () => tutorialNetwork({ rng: new Rng(3), warn: () => {} }),
    classes: 2,
    cfg: { ...DEFAULT_TRAIN_CONFIG, gradClip: 1e9 },
    window: 125,
    stride: 12,
    T: 50,
    labels: [0, 1, 1, 0, 1, 0, 0, 1],
    signGroups: false,
  },
  {
    name: 'H1v2 13-50r-15 (charge map, threshold spread, snapped learnt τ, subtractive reset)',
    build: () => buildNetwork(13, 3, H1V2_RECIPE, 8e-3),
    classes: 3,
    cfg: H1V2_RECIPE,
    window: 125,
    stride: 12,
    T: 50,
    labels: [0, 1, 2, 1, 0, 2, 1, 2],
    signGroups: false,
  },
  {
    name: 'SignAnnealing gate (α 2) on the default recipe, recurrent synapse gated too',
    build: () => buildNetwork(13, 3, RECIPE, 8e-3),
    classes: 3,
    cfg: RECIPE,
    window: 125,
    stride: 12,
    T: 50,
    labels: [0, 1, 2, 1, 0, 2, 1, 2],
    signGroups: false,
    signAlpha: 2,
  },
  {
    name: 'trailing silence: tail windows unscored, every output neuron quiet in its second half (lamTail 2)',
    build: () => buildNetwork(13, 3, RECIPE, 8e-3),
    classes: 3,
    cfg: { ...RECIPE, lamTail: 2 },
    window: 20,
    stride: 5,
    T: 50,
    tail: 16,
    labels: [0, 1, 2, 1, 0, 2, 1, 2],
    signGroups: false,
  },
  {
    name: '3 recurrent hidden layers with hidden rate targets',
    build: () => buildNetwork(13, 3, { ...RECIPE, hidden: [24, 20, 16], outputPopulation: 1 }, 8e-3),
    classes: 3,
    cfg: { ...RECIPE, hidden: [24, 20, 16], outputPopulation: 1, hiddenRateTarget: 0.05 },
    window: 16,
    stride: 8,
    T: 40,
    labels: [0, 1, 2, 1, 0, 2, 1, 2],
    signGroups: true,
  },
];

function stepConfig(c: Case, layers: number): FusedStepConfig {
  return fusedStepConfig(c.cfg, layers, { windowSteps: c.window, strideSteps: c.stride, backgroundClasses: [0], tailSteps: c.tail ?? 0 });
}

function batchOf(c: Case, seed: number): FusedBatch {
  const rng = new Rng(seed);
  const B = c.labels.length;
  const x = Float32Array.from(rng.normalArray(B * c.T * 13, 5, 3), (v) => Math.max(0, v));
  // The loss treats the last c.tail steps as trailing silence whatever they hold; the input stays on
  // there so that the outputs fire and the after-word term has a gradient to compare.
  return {
    x,
    shape: [B, c.T, 13],
    labels: c.labels,
    weights: c.labels.map((y) => (y === 0 ? 0.5 : y < 0 ? 2 : 1.5)),
    ...(c.starts ? { keywordStarts: c.starts } : {}),
  };
}

function weightsOf(net: HWNetwork): Record<string, Float32Array> {
  return Object.fromEntries(net.namedVariables().map(({ name, variable }) => [name, Float32Array.from(variable.dataSync())]));
}

describe('fused training step vs the tfjs step (reference)', () => {
  it.each(CASES)('$name: same losses, decisions and rates; gradients within 1e-4; same update', (c) => {
    setTrainingThreads(2);
    const runs = (['fused', 'tfjs'] as const).map((impl) => {
      const net = c.build();
      if (c.signAlpha !== undefined) net.setSignAlpha(c.signAlpha);
      const logScale = tf.variable(tf.scalar(Math.log(c.cfg.logitScale)), c.cfg.learnCountScale);
      const cfg = stepConfig(c, net.hwLayers().length);
      const step = impl === 'fused' ? new FusedTrainStep(net, cfg, logScale) : new TfjsTrainStep(net, cfg, logScale);
      step.recordGrads = true;
      // A learning-rate schedule's factor: both steps must apply it.
      step.setLearningRates(c.cfg.lrFrontend * LR_FACTOR, c.cfg.lrCore * LR_FACTOR);
      const before = weightsOf(net);
      const r = step.step(batchOf(c, 9), { signGroups: c.signGroups });
      step.syncToNetwork();
      const after = weightsOf(net);
      const ls = logScale.dataSync()[0];
      const grads = { ...step.lastGrads };
      if (step instanceof TfjsTrainStep) step.dispose();
      net.dispose();
      logScale.dispose();
      return { r, before, after, grads, ls };
    });
    const [f, t] = runs;
    // Same network, same mismatch draws: the forward pass is the same kernel on the same values.
    expect(Array.from(f.r.predicted)).toEqual(Array.from(t.r.predicted));
    f.r.rates.forEach((rate, i) => {
      expect(Math.abs(rate - t.r.rates[i]), `layer ${i} rate`).toBeLessThan(1e-6);
      expect(rate, `layer ${i} fires`).toBeGreaterThan(0.002);
    });
    if (c.tail) expect(t.r.tail, 'outputs still fire in the tail (the term is exercised)').toBeGreaterThan(0);
    for (const k of ['loss', 'ce', 'topology', 'magnitude', 'firingRate', 'silence', 'tail'] as const) {
      expect(Math.abs(f.r[k] - t.r[k]), k).toBeLessThan(1e-5 * Math.max(1, Math.abs(t.r[k])));
    }
    expect(Object.keys(f.grads).sort()).toEqual(Object.keys(t.grads).sort());
    for (const [name, g] of Object.entries(t.grads)) {
      expect(
        g.some((v) => v !== 0),
        `${name} has a gradient`,
      ).toBe(true);
      expect(relErr(f.grads[name], g), name).toBeLessThan(1e-4);
    }
    // Adam's first step moves each weight by ≈ lr·sign(g): compare where the gradient is clear of
    // float noise; elsewhere the two may only differ by that one step.
    const lrOf = (name: string) => (name === 'frontend' || name === 'frontend_syn' ? c.cfg.lrFrontend : c.cfg.lrCore) * LR_FACTOR;
    for (const [name, w] of Object.entries(t.after)) {
      const g = t.grads[name];
      const gMax = Math.max(...Array.from(g, Math.abs));
      let moved = 0;
      for (let i = 0; i < w.length; i++) {
        const d = Math.abs(f.after[name][i] - w[i]);
        if (Math.abs(g[i]) > 1e-3 * gMax) expect(d, `${name}[${i}]`).toBeLessThan(1e-6);
        else expect(d, `${name}[${i}]`).toBeLessThanOrEqual(2.01 * lrOf(name));
        if (f.after[name][i] !== f.before[name][i]) moved++;
      }
      expect(moved, `${name} moved`).toBeGreaterThan(0);
    }
    if (c.cfg.learnCountScale) expect(Math.abs(f.ls - t.ls)).toBeLessThan(1e-6);
  });
});

describe('fused training step: reproducible', () => {
  function train(threads: number, c: Case): Float32Array[] {
    setTrainingThreads(threads);
    const net = c.build();
    const logScale = tf.variable(tf.scalar(Math.log(0.2)), true);
    const step = new FusedTrainStep(net, stepConfig(c, net.hwLayers().length), logScale);
    for (let s = 0; s < 3; s++) step.step(batchOf(c, 20 + s), { signGroups: s === 2 });
    step.syncToNetwork();
    const w = [...net.trainableVariables(), logScale].map((v) => Float32Array.from(v.dataSync()));
    net.dispose();
    logScale.dispose();
    return w;
  }

  it.each([CASES[1], CASES[3]])('$name: same seed gives bit-identical weights after 3 steps with 1 and with 2 threads', (c) => {
    const one = train(1, c);
    const two = train(2, c);
    expect(one.length).toBeGreaterThan(4);
    one.forEach((w, i) => expect(Array.from(two[i])).toEqual(Array.from(w)));
  });
});

describe('fused training step: worst of n chips', () => {
  it('trains on the draw with the highest detector loss: each worst-of-3 step is the worst of 3 single draws from the same generator', () => {
    setTrainingThreads(1);
    const c = CASES[0];
    const cfg = { ...stepConfig(c, 3), lrFrontend: 0, lrCore: 0 }; // weights stay put: every draw sees the same network
    const run = (worstOfChips: number, steps: number) => {
      const net = c.build();
      applyHardConstraints(net, { signGroups: false }); // the step's own projection then changes nothing
      const logScale = tf.variable(tf.scalar(Math.log(0.2)), true);
      const step = new FusedTrainStep(net, { ...cfg, worstOfChips }, logScale);
      const out = Array.from({ length: steps }, () => step.step(batchOf(c, 20), { signGroups: false }));
      net.dispose();
      logScale.dispose();
      return out;
    };
    const det = (r: { ce: number; silence: number; tail: number }) =>
      r.ce + (cfg.detector.silenceWeight ?? 0) * r.silence + (cfg.detector.tailWeight ?? 0) * r.tail;
    const singles = run(1, 6);
    const worst = run(3, 2);
    expect(c.cfg.stddev).toBeGreaterThan(0);
    for (let s = 0; s < 2; s++) {
      const three = singles.slice(3 * s, 3 * s + 3);
      expect(new Set(three.map(det)).size).toBe(3); // the draws differ
      const k = three.map(det).indexOf(Math.max(...three.map(det)));
      expect(worst[s].ce).toBe(three[k].ce);
      expect(Array.from(worst[s].predicted)).toEqual(Array.from(three[k].predicted));
      expect(worst[s].rates).toEqual(three[k].rates);
    }
  });
});

describe('trainer on the fused step', () => {
  it('a seeded run is reproducible, and tracks the tfjs step (NWAVE_TRAIN_STEP=tfjs) on the same data', async () => {
    const { trainNetwork } = await import('./trainer.js');
    const { NWaveDataLoader } = await import('@nwave/data');
    const T = 40;
    const C = 13;
    const { items, val } = syntheticClips(T, C);
    const cfg: TrainConfig = { ...RECIPE, hidden: [10], epochs: 2, detectorWindowS: 0.16, detectorStrideS: 0.08, streamContext: true };
    const opts = {
      name: 'fused',
      labels: ['_background_', 'a', 'b'],
      backgroundLabels: ['_background_'],
      filterbank: TEST_FILTERBANK,
    };
    const run = async (impl: 'fused' | 'tfjs') => {
      const loader = new NWaveDataLoader(items, { batchSize: 8, shuffle: true, seed: 1, returnFilename: false, frames: T, channels: C });
      const net = buildNetwork(C, 3, cfg, 0.008);
      const r = await trainNetwork(net, { train: loader, val, T, C }, cfg, opts, {}, undefined, 0.95, impl);
      const w = net.trainableVariables().map((v) => Array.from(v.dataSync()));
      net.dispose();
      return { losses: r.history.map((h) => h.loss), countScale: r.countScale, w };
    };
    const a = await run('fused');
    const b = await run('fused');
    expect(b).toEqual(a);
    const t = await run('tfjs');
    // The first steps agree to float precision; later ones drift apart by spikes that flip.
    expect(Math.abs(t.losses[0] - a.losses[0])).toBeLessThan(0.05 * Math.abs(t.losses[0]));
    expect(a.countScale).not.toBe(Math.fround(RECIPE.logitScale));
  }, 120_000);
});
