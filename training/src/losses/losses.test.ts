import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { HWSynapse, constant } from '../layers/index.js';
import {
  firing_rate_target_mse_loss,
  signGroupViolations,
  spike_count_cross_entropy,
  topology_loss,
  weight_magnitude_loss,
} from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const val = (t: tf.Tensor): number => t.dataSync()[0];

describe('topology_loss', () => {
  it('is zero when every block of 5 shares a sign (zeros allowed)', () => {
    const W = tf.tensor2d([
      [0.1, 0.2, 0, 0.3, 0.4, -0.1, -0.2, -0.3, -0.4, -0.5],
      [-0.1, -0.2, -0.3, 0, -0.5, 0.5, 0.4, 0.3, 0.2, 0.1],
    ]);
    expect(val(topology_loss([W], 1))).toBe(0);
    W.dispose();
  });

  it('hand example: lam · mean of min(Σrelu(b), Σrelu(−b))', () => {
    // Row 0: block [0.3, -0.1, 0.2, 0.1, -0.4] → pos 0.6, neg 0.5 → 0.5; block [0.2,...] aligned → 0.
    // Row 1: block [-0.2, 0.1, -0.3, -0.1, -0.1] → pos 0.1, neg 0.7 → 0.1; block [0.5,-0.5,0,0,0] → 0.5.
    const W = tf.tensor2d([
      [0.3, -0.1, 0.2, 0.1, -0.4, 0.2, 0.1, 0.1, 0.1, 0.1],
      [-0.2, 0.1, -0.3, -0.1, -0.1, 0.5, -0.5, 0, 0, 0],
    ]);
    expect(val(topology_loss([W], 2))).toBeCloseTo((2 * (0.5 + 0 + 0.1 + 0.5)) / 4, 6);
    W.dispose();
  });

  it('a short last block is its own group', () => {
    // nOut = 7: blocks [0:5] and [5:7]. Row 0: aligned first block, mixed tail [0.3, −0.2] → 0.2.
    const W = tf.tensor2d([[0.1, 0.1, 0.1, 0.1, 0.1, 0.3, -0.2]]);
    expect(val(topology_loss([W], 1))).toBeCloseTo(0.2 / 2, 6);
    // The 2-neuron output layer is one short block per row.
    const out = tf.tensor2d([
      [0.4, -0.1],
      [0.2, 0.3],
    ]);
    expect(val(topology_loss([out], 1))).toBeCloseTo(0.1 / 2, 6);
    // Both matrices together: mean over all 4 blocks.
    expect(val(topology_loss([W, out], 1))).toBeCloseTo((0.2 + 0.1) / 4, 6);
    tf.dispose([W, out]);
  });

  it('gradient pushes the minority sign towards zero', () => {
    const W = tf.tensor2d([[0.3, -0.1, 0.2, 0.1, 0.4]]);
    const g = tf.grad((w: tf.Tensor) => topology_loss([w], 1))(W);
    expect(Array.from(g.dataSync())).toEqual([0, -1, 0, 0, 0]);
    tf.dispose([W, g]);
  });

  it('takes a model: HWSynapse weights only', () => {
    const syn = new HWSynapse(1, 5, { init: constant(0.2) });
    expect(val(topology_loss({ modules: () => [syn] }, 1))).toBe(0);
    syn.dispose();
  });
});

describe('signGroupViolations', () => {
  it('lists mixed-sign blocks, including a short last block', () => {
    const W = Int32Array.of(1, 2, 0, 3, 4, -1, 1, /* row 1 */ -1, 0, 2, 0, 0, 0, 0);
    expect(signGroupViolations(W, 2, 7)).toEqual([
      { row: 0, start: 5, end: 7 },
      { row: 1, start: 0, end: 5 },
    ]);
    expect(signGroupViolations(Float32Array.of(0.1, 0, 0.2), 1, 3)).toEqual([]);
    expect(() => signGroupViolations([1, 2], 2, 2)).toThrow(RangeError);
  });
});

describe('other losses', () => {
  it('weight_magnitude_loss = mean of max(|w| − limit, 0)^2 over all elements', () => {
    const a = tf.tensor1d([1.0, -1.2, 0.5]);
    const b = tf.tensor2d([[0.0, 2.0]]);
    const expected = (0.1 ** 2 + 0.3 ** 2 + 1.1 ** 2) / 5;
    expect(val(weight_magnitude_loss([a, b]))).toBeCloseTo(expected, 6);
    expect(val(weight_magnitude_loss([a], 1.0))).toBeCloseTo(0.2 ** 2 / 3, 6);
    tf.dispose([a, b]);
  });

  it('firing_rate_target_mse_loss = Σ ((mean − o)·m)^2', () => {
    const s1 = tf.tensor2d([[1, 0, 0, 0]]); // rate 0.25
    const s2 = tf.tensor2d([[1, 1, 0, 0]]); // rate 0.5
    expect(val(firing_rate_target_mse_loss([s1, s2], [0.15, 0.15], [1, 2]))).toBeCloseTo(0.1 ** 2 + 0.7 ** 2, 6);
    expect(() => firing_rate_target_mse_loss([s1], [0.1, 0.2], [1])).toThrow(RangeError);
    tf.dispose([s1, s2]);
  });

  it('cross-entropy on spike counts', () => {
    // Counts: sample 0 → [2, 0], sample 1 → [1, 1].
    const spk = tf.tensor3d([
      [
        [1, 0],
        [1, 0],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    ]);
    const expected = (-Math.log(Math.exp(2) / (Math.exp(2) + 1)) - Math.log(0.5)) / 2;
    expect(val(spike_count_cross_entropy(spk, [0, 1]))).toBeCloseTo(expected, 5);
    const g = tf.grad((s: tf.Tensor) => spike_count_cross_entropy(s as tf.Tensor3D, [0, 1]))(spk);
    expect(g.dataSync()[0]).toBeLessThan(0);
    tf.dispose([spk, g]);
  });
});
