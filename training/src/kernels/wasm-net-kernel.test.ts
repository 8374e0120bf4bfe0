import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, tutorialNetwork, type HWNetwork } from '../layers/index.js';
import { buildNetwork } from '../train/build-network.js';
import { FusedTrainStep, fusedStepConfig } from '../train/fused-step.js';
import { withRecipe } from '../train/recipes.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../train/train-config.js';
import { netLayout, type NetSpec } from './cpu/HwNetworkScan.js';
import {
  netArenas,
  runNetBackward,
  runNetForward,
  setTrainingKernels,
  setTrainingThreads,
  shutdownTrainingThreads,
  trainingKernels,
  trainingThreads,
  type TrainingKernels,
} from './net-pool.js';
import { wasmNetModule } from './wasm-net-kernel.js';
import { GENERATED_MODULE, compileNetKernel, generatedModuleText } from './wasm/compile-net-kernel.js';

const initialThreads = trainingThreads();
const initialKernels = trainingKernels();
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => {
  setTrainingThreads(initialThreads);
  setTrainingKernels(initialKernels);
  shutdownTrainingThreads();
});

describe('WebAssembly network kernel: build', () => {
  it('WebAssembly SIMD is available here and is the default kernel', () => {
    expect(wasmNetModule()).not.toBeNull();
    if (!process.env.NWAVE_TRAIN_KERNELS) expect(initialKernels).toBe('wasm');
  });

  it('the committed module is the compiled AssemblyScript source (npm run build:wasm -w training)', async () => {
    const fresh = generatedModuleText(await compileNetKernel());
    expect(readFileSync(GENERATED_MODULE, 'utf8') === fresh, 'net-kernel.wasm.ts is stale: run `npm run build:wasm -w training`').toBe(
      true,
    );
  }, 300_000);
});

/** A layout with every input written from `rng`: features, weights on a 5-bit grid (exact ties at θ are common), β, dL/dspikes. */
function filledLayout(spec: NetSpec, rng: Rng) {
  const lay = netLayout(spec);
  const { F } = netArenas(lay);
  F.fill(0, 0, lay.f32Size);
  const grid = (scale: number) => (Math.round(rng.normal(0, 1) * 8) / 8) * scale;
  for (let i = 0; i < spec.B * spec.T * spec.C; i++) F[lay.xOff + i] = rng.next() < 0.3 ? 0 : Math.max(0, rng.normal(1, 1));
  const L = spec.sizes.length;
  for (let l = 0; l < L; l++) {
    const n = spec.sizes[l];
    const inN = l === 0 ? (spec.inputDiag ? 1 : spec.C) : spec.sizes[l - 1];
    const k = l === 0 && spec.inputDiag ? spec.C : inN * n;
    for (let i = 0; i < k; i++) F[lay.wOff[l] + i] = grid(l === 0 ? 0.6 : 0.35);
    if (spec.rec[l]) for (let i = 0; i < n * n; i++) F[lay.recOff[l] + i] = grid(0.2);
    for (let i = 0; i < n; i++) F[lay.betaOff[l] + i] = 0.6 + 0.35 * rng.next();
    if (lay.dyOff[l] >= 0) for (let i = 0; i < spec.B * spec.T * n; i++) F[lay.dyOff[l] + i] = rng.normal(0, 0.01);
  }
  for (let l = 0; l < L; l++) F[lay.dycOff + l] = 1e-3 * (l + 1);
  return lay;
}

/** Forward then backward with one kernel; every output block, copied. */
function runKernel(spec: NetSpec, seed: number, kernels: TrainingKernels, threads: number) {
  setTrainingKernels(kernels);
  setTrainingThreads(threads);
  const lay = filledLayout(spec, new Rng(seed));
  runNetForward(lay);
  const { F, G } = netArenas(lay);
  // Transposed weights for the backward (as the callers do).
  const tr = (src: number, dst: number, rows: number, cols: number) => {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) F[dst + c * rows + r] = F[src + r * cols + c];
  };
  for (let l = 1; l < spec.sizes.length; l++) tr(lay.wOff[l], lay.wtOff[l], spec.sizes[l - 1], spec.sizes[l]);
  spec.sizes.forEach((n, l) => spec.rec[l] && tr(lay.recOff[l], lay.recTOff[l], n, n));
  runNetBackward(lay);
  return { F: F.slice(0, lay.f32Size), G: G.slice(0, lay.f64Size) };
}

const SPECS: { name: string; spec: NetSpec }[] = [
  {
    name: 'seed shape: diagonal frontend 13 → 64 → 2, fast_sigmoid, zero reset',
    spec: {
      B: 6,
      T: 40,
      C: 13,
      inputDiag: true,
      sizes: [13, 64, 2],
      rec: [false, false, false],
      learnBeta: [false, false, false],
      theta: [1, 1, 1],
      subtractive: [false, false, false],
      ceiling: [Infinity, Infinity, Infinity],
      surKind: [0, 0, 0],
      surParam: [10, 10, 10],
      inputGrad: false,
      constHiddenDy: true,
    },
  },
  {
    name: 'dense input 13 → 24r → 21r → 5, learnt β, subtractive reset under a ceiling, atan + sigmoid, dL/dx',
    spec: {
      B: 5,
      T: 30,
      C: 13,
      inputDiag: false,
      sizes: [24, 21, 5],
      rec: [true, true, false],
      learnBeta: [true, true, true],
      theta: [1, 0.7, 1.3],
      subtractive: [true, true, false],
      ceiling: [1.6, 2, Infinity],
      surKind: [1, 2, 0],
      surParam: [2, 5, 10],
      inputGrad: true,
      constHiddenDy: false,
    },
  },
  {
    name: 'default shape 13 → 64r → 15 with learnt β (one thread per sample split)',
    spec: {
      B: 4,
      T: 50,
      C: 13,
      inputDiag: true,
      sizes: [13, 64, 15],
      rec: [false, true, false],
      learnBeta: [false, true, false],
      theta: [1, 1, 1],
      subtractive: [false, false, false],
      ceiling: [Infinity, Infinity, Infinity],
      surKind: [0, 0, 0],
      surParam: [10, 10, 10],
      inputGrad: false,
      constHiddenDy: true,
    },
  },
];

const bits32 = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
const bits64 = (a: Float64Array) => new BigUint64Array(a.buffer, a.byteOffset, a.length);

function firstDiff<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('WebAssembly network kernel = JS kernel, bit for bit', () => {
  it.each(SPECS)('$name', ({ spec }) => {
    const js = runKernel(spec, 11, 'js', 1);
    for (const threads of [1, 2]) {
      const wasm = runKernel(spec, 11, 'wasm', threads);
      expect(firstDiff(bits32(wasm.F), bits32(js.F)), `float32 arena (${threads} threads)`).toBe(-1);
      expect(firstDiff(bits64(wasm.G), bits64(js.G)), `gradients (${threads} threads)`).toBe(-1);
    }
    // Not vacuous: spikes, some gradients.
    expect(js.G.some((g) => g !== 0)).toBe(true);
  });
});

/** The shipped models' recipe with every training path on (recurrent, learnt τ, synaptic + leak mismatch, detector objective). */
const RECIPE: TrainConfig = withRecipe('keyword-spotter');

const STEP_CASES: { name: string; build: () => HWNetwork; cfg: TrainConfig; classes: number }[] = [
  {
    name: 'seed network 13-64-2',
    build: () => tutorialNetwork({ rng: new Rng(3), warn: () => {} }),
    cfg: DEFAULT_TRAIN_CONFIG,
    classes: 2,
  },
  { name: 'default recipe 13-64r-15 (mismatch, learnt τ)', build: () => buildNetwork(13, 3, RECIPE, 8e-3), cfg: RECIPE, classes: 3 },
  {
    name: 'H1v2 13-50r-15 (charge map, threshold spread, snapped τ, subtractive reset)',
    build: () => buildNetwork(13, 3, withRecipe('keyword-spotter', { chip: 'h1v2' }), 8e-3),
    cfg: withRecipe('keyword-spotter', { chip: 'h1v2' }),
    classes: 3,
  },
  {
    name: '3 recurrent hidden layers, hidden rate targets',
    build: () => buildNetwork(13, 3, { ...RECIPE, hidden: [24, 20, 16], outputPopulation: 1 }, 8e-3),
    cfg: { ...RECIPE, hidden: [24, 20, 16], outputPopulation: 1, hiddenRateTarget: 0.05 },
    classes: 3,
  },
];

describe('fused training step: WebAssembly kernel = JS kernel', () => {
  it.each(STEP_CASES)('$name: bit-identical losses, gradients and weights after 3 steps', (c) => {
    const B = 8;
    const T = 40;
    const train = (kernels: TrainingKernels) => {
      setTrainingKernels(kernels);
      setTrainingThreads(2);
      const net = c.build();
      const logScale = tf.variable(tf.scalar(Math.log(0.2)), true);
      const step = new FusedTrainStep(
        net,
        fusedStepConfig(c.cfg, net.hwLayers().length, { windowSteps: T, strideSteps: 8, backgroundClasses: [0] }),
        logScale,
      );
      step.recordGrads = true;
      const rng = new Rng(5);
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) {
        const x = Float32Array.from(rng.normalArray(B * T * 13, 5, 3), (v) => Math.max(0, v));
        const labels = Array.from({ length: B }, (_, i) => i % c.classes);
        losses.push(step.step({ x, shape: [B, T, 13], labels }, { signGroups: s === 2 }).loss);
      }
      step.syncToNetwork();
      const grads = Object.values(step.lastGrads).map((g) => Float32Array.from(g));
      const w = [...net.trainableVariables(), logScale].map((v) => Float32Array.from(v.dataSync()));
      net.dispose();
      logScale.dispose();
      return { losses, grads, w };
    };
    const js = train('js');
    const wasm = train('wasm');
    expect(wasm.losses).toEqual(js.losses);
    expect(js.grads.length).toBeGreaterThan(2);
    js.grads.forEach((g, i) => expect(firstDiff(bits32(wasm.grads[i]), bits32(g)), `gradient ${i}`).toBe(-1));
    js.w.forEach((w, i) => expect(firstDiff(bits32(wasm.w[i]), bits32(w)), `weights ${i}`).toBe(-1));
  });
});
