import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../layers/rng.js';
import { atan, fast_sigmoid } from '../surrogates/index.js';
import { hwLayerMemAfterResetImpl, hwLayerScanBackwardImpl, hwLayerScanForwardImpl } from './cpu/HwLayerScan.js';
import { hwLayerScanReference } from './hw-layer-reference.js';
import { hwLayerScan } from './hw-layer-scan.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** max |a − b| / max |b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}

// 1 neuron, β = 0.5, θ = 1, I = [0.6, 1.2, 0.5, −0.9]:
//   t0: u = 0.6               v = 0.6  s = 0  v⁺ = 0.6
//   t1: u = 0.3 + 1.2 = 1.5   v = 1.5  s = 1  v⁺ = 0     (zero reset)
//   t2: u = 0 + 0.5 = 0.5     v = 0.5  s = 0  v⁺ = 0.5
//   t3: u = 0.25 − 0.9 = −0.65 v = 0   s = 0  v⁺ = 0     (clamped)
// Backward with dL/ds = 1 and fast_sigmoid(25), σ'(x) = 1/(25|x|+1)²:
//   dI3 = 0                                   (u3 < 0: ReLU gradient 0, so dv⁺2 = 0)
//   dI2 = σ'(−0.5) = 1/13.5²                  (dv⁺1 = 0.5·dI2)
//   dI1 = σ'(0.5) = 1/13.5²                   (spike: the reset path is detached, dv⁺1 dropped)
//   dI0 = σ'(−0.4) + 0.5·dI1 = 1/11² + 0.5/13.5²
const handI = Float32Array.of(0.6, 1.2, 0.5, -0.9);
const handBeta = Float32Array.of(0.5);
const handV = [0.6, 1.5, 0.5, 0];
const handMem = [0.6, 0, 0.5, 0];
const handGrad = [1 / 11 ** 2 + 0.5 / 13.5 ** 2, 1 / 13.5 ** 2, 1 / 13.5 ** 2, 0];

describe('HwLayerScan typed-array impl', () => {
  it('hand example: forward', () => {
    const { spikes, vPre } = hwLayerScanForwardImpl(handI, handBeta, 1, 4, 1, 1);
    expect(Array.from(spikes)).toEqual([0, 1, 0, 0]);
    handV.forEach((v, i) => expect(vPre[i]).toBeCloseTo(v, 6));
  });

  it('hand example: backward', () => {
    const { vPre } = hwLayerScanForwardImpl(handI, handBeta, 1, 4, 1, 1);
    const dI = hwLayerScanBackwardImpl(new Float32Array(4).fill(1), vPre, handBeta, 1, 4, 1, 1, fast_sigmoid(25).grad);
    handGrad.forEach((g, i) => expect(dI[i]).toBeCloseTo(g, 7));
  });

  it('uses float32 arithmetic like tfjs (mul, round, add, round) at the threshold', () => {
    // β·v⁺ + I is 0.99999994 in float64 but exactly 1.0 with float32 rounding after each op.
    const beta = Float32Array.of(0.31485873460769653);
    const I = Float32Array.of(0.7569020390510559, 0.7616827487945557);
    expect(Array.from(hwLayerScanForwardImpl(I, beta, 1, 2, 1, 1).spikes)).toEqual([0, 1]);
    const ref = tf.tidy(() => hwLayerScanReference(tf.tensor3d(I, [1, 2, 1]), beta).spikes.dataSync());
    expect(Array.from(ref)).toEqual([0, 1]);
  });

  it('rejects mismatched sizes', () => {
    expect(() => hwLayerScanForwardImpl(handI, handBeta, 1, 3, 1, 1)).toThrow(RangeError);
  });
});

describe('hwLayerScan op', () => {
  it('hand example through tfjs: spikes, membrane after reset, gradient', () => {
    const I = tf.tensor3d(handI, [1, 4, 1]);
    const { spikes, mem } = hwLayerScan(I, handBeta, { returnMem: true });
    expect(Array.from(spikes.dataSync())).toEqual([0, 1, 0, 0]);
    handMem.forEach((v, i) => expect(mem!.dataSync()[i]).toBeCloseTo(v, 6));
    const g = tf.grad((x: tf.Tensor) => tf.sum(hwLayerScan(x as tf.Tensor3D, handBeta).spikes))(I);
    handGrad.forEach((v, i) => expect(g.dataSync()[i]).toBeCloseTo(v, 7));
    tf.dispose([I, spikes, mem!, g]);
  });

  const B = 4;
  const T = 60;
  const N = 16;
  const rng = new Rng(5);
  const Ivals = rng.normalArray(B * T * N, 0.3, 0.5);
  const beta = Float32Array.from({ length: N }, () => 0.4 + 0.55 * rng.next());

  it('forward equals the per-step reference: spikes exactly, membrane within 1e-6', () => {
    const I = tf.tensor3d(Ivals, [B, T, N]);
    const f = hwLayerScan(I, beta, { returnMem: true });
    const r = hwLayerScanReference(I, beta, { returnMem: true });
    const fs = Float32Array.from(f.spikes.dataSync());
    const rate = fs.reduce((a, b) => a + b, 0) / fs.length;
    expect(rate).toBeGreaterThan(0.05);
    expect(rate).toBeLessThan(0.95);
    expect(Array.from(fs)).toEqual(Array.from(r.spikes.dataSync()));
    const fm = f.mem!.dataSync();
    const rm = r.mem!.dataSync();
    for (let i = 0; i < fm.length; i++) expect(Math.abs(fm[i] - rm[i])).toBeLessThanOrEqual(1e-6);
    tf.dispose([I, f.spikes, f.mem!, r.spikes, r.mem!]);
  });

  it('gradient wrt I equals the reference within 1e-4 relative (two surrogates)', () => {
    const I = tf.tensor3d(Ivals, [B, T, N]);
    const c = tf.tensor3d(rng.normalArray(B * T * N), [B, T, N]);
    for (const surrogate of [fast_sigmoid(25), atan(2)]) {
      const loss = (impl: typeof hwLayerScan) => (x: tf.Tensor) => tf.sum(tf.mul(impl(x as tf.Tensor3D, beta, { surrogate }).spikes, c));
      const gf = tf.grad(loss(hwLayerScan))(I);
      const gr = tf.grad(loss(hwLayerScanReference))(I);
      expect(relErr(gf.dataSync(), gr.dataSync())).toBeLessThan(1e-4);
      expect(tf.max(tf.abs(gr)).dataSync()[0]).toBeGreaterThan(0);
      tf.dispose([gf, gr]);
    }
    tf.dispose([I, c]);
  });

  it('accepts beta as a tensor (zero gradient to beta)', () => {
    const I = tf.tensor3d(Ivals, [B, T, N]);
    const b = tf.tensor1d(beta);
    const [gI, gB] = tf.grads((x: tf.Tensor, bb: tf.Tensor) => tf.sum(hwLayerScan(x as tf.Tensor3D, bb as tf.Tensor1D).spikes))([I, b]);
    const gRef = tf.grad((x: tf.Tensor) => tf.sum(hwLayerScan(x as tf.Tensor3D, beta).spikes))(I);
    expect(Array.from(gI.dataSync())).toEqual(Array.from(gRef.dataSync()));
    expect(Array.from(gB.dataSync())).toEqual(new Array(N).fill(0));
    tf.dispose([I, b, gI, gB, gRef]);
  });

  it('rejects a beta of the wrong length', () => {
    const I = tf.zeros([1, 2, 3]) as tf.Tensor3D;
    expect(() => hwLayerScan(I, [0.5, 0.5])).toThrow(/beta has 2 entries/);
    I.dispose();
  });
});

// Subtractive reset clamped at 0 with a membrane ceiling C = 2 (H1v2's rule, a low ceiling so
// that it binds): 1 neuron, β = 0.5, θ = 1, I = [0.6, 1.2, 0.5, 3.0, −0.9]:
//   t0: v = 0.6                  s = 0  v⁺ = 0.6
//   t1: v = 0.3 + 1.2 = 1.5      s = 1  v⁺ = 0.5          (1.5 − θ)
//   t2: v = 0.25 + 0.5 = 0.75    s = 0  v⁺ = 0.75
//   t3: v = 0.375 + 3 = 3.375    s = 1  v⁺ = min(2, 2.375) = 2   (ceiling)
//   t4: v = 1 − 0.9 = 0.1        s = 0  v⁺ = 0.1
// Backward, dL/ds = 1, σ'(x) = 1/(25|x|+1)²: the reset path passes dv⁺ through a spike (t1)
// unless the ceiling bound (t3).
const subReset = { subtractive: true, ceiling: 2 };
const subI = Float32Array.of(0.6, 1.2, 0.5, 3.0, -0.9);
const sg = (x: number) => 1 / (25 * Math.abs(x) + 1) ** 2;
const dI4 = sg(-0.9);
const dI3 = sg(2.375);
const dI2 = sg(-0.25) + 0.5 * dI3;
const dI1 = sg(0.5) + 0.5 * dI2;
const dI0 = sg(-0.4) + 0.5 * dI1;

describe('subtractive reset (H1v2)', () => {
  it('hand example: forward, membrane after reset, backward', () => {
    const { spikes, vPre } = hwLayerScanForwardImpl(subI, handBeta, 1, 5, 1, 1, subReset);
    expect(Array.from(spikes)).toEqual([0, 1, 0, 1, 0]);
    [0.6, 1.5, 0.75, 3.375, 0.1].forEach((v, i) => expect(vPre[i]).toBeCloseTo(v, 6));
    const mem = hwLayerMemAfterResetImpl(vPre, 1, subReset);
    [0.6, 0.5, 0.75, 2, 0.1].forEach((v, i) => expect(mem[i]).toBeCloseTo(v, 6));
    const dI = hwLayerScanBackwardImpl(new Float32Array(5).fill(1), vPre, handBeta, 1, 5, 1, 1, fast_sigmoid(25).grad, subReset);
    [dI0, dI1, dI2, dI3, dI4].forEach((g, i) => expect(dI[i]).toBeCloseTo(g, 7));
  });

  it('fused op equals the per-step reference: spikes, membranes and gradients', () => {
    const [B, T, N] = [3, 50, 12];
    const r = new Rng(9);
    const I = tf.tensor3d(r.normalArray(B * T * N, 0.5, 0.9), [B, T, N]);
    const beta = Float32Array.from({ length: N }, () => 0.5 + 0.45 * r.next());
    const c = tf.tensor3d(r.normalArray(B * T * N), [B, T, N]);
    for (const reset of [subReset, { subtractive: true, ceiling: 64 }]) {
      const f = hwLayerScan(I, beta, { returnMem: true, reset });
      const ref = hwLayerScanReference(I, beta, { returnMem: true, reset });
      expect(Array.from(f.spikes.dataSync())).toEqual(Array.from(ref.spikes.dataSync()));
      const fm = f.mem!.dataSync();
      const rm = ref.mem!.dataSync();
      for (let i = 0; i < fm.length; i++) expect(Math.abs(fm[i] - rm[i])).toBeLessThanOrEqual(1e-6);
      // A subtractive reset fires more than a zero reset on the same input (charge above θ is kept).
      const zero = hwLayerScan(I, beta, { reset: { subtractive: false, ceiling: 0 } });
      expect(tf.sum(f.spikes).dataSync()[0]).toBeGreaterThan(tf.sum(zero.spikes).dataSync()[0]);
      const loss = (impl: typeof hwLayerScan) => (x: tf.Tensor) => tf.sum(tf.mul(impl(x as tf.Tensor3D, beta, { reset }).spikes, c));
      const gf = tf.grad(loss(hwLayerScan))(I);
      const gr = tf.grad(loss(hwLayerScanReference))(I);
      expect(relErr(gf.dataSync(), gr.dataSync())).toBeLessThan(1e-4);
      tf.dispose([f.spikes, f.mem!, ref.spikes, ref.mem!, zero.spikes, gf, gr]);
    }
    tf.dispose([I, c]);
  });
});
