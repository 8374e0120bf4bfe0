import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { signAnnealingAlpha, softSignFactors, softSignGate } from './sign-annealing.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('SignAnnealing', () => {
  it('α goes geometrically from alphaStart (first epoch) to alphaEnd (last)', () => {
    const a = (e: number) => signAnnealingAlpha([0.5, 20], e, 11);
    expect(a(1)).toBeCloseTo(0.5, 12);
    expect(a(6)).toBeCloseTo(Math.sqrt(0.5 * 20), 12);
    expect(a(11)).toBeCloseTo(20, 12);
    expect(signAnnealingAlpha([0.5, 20], 1, 1)).toBe(20);
  });

  it('keeps the block sign, fades the minority as α grows, groups along each row', () => {
    // Row 0: block [0.5, 0.4, −0.1] (Σ 0.8, Σ|.| 1.0) and a short block [−0.2]; row 1: block of zeros.
    const w = [0.5, 0.4, -0.1, -0.2, 0, 0, 0, 0];
    const soft = Math.tanh(0.5 * 0.8);
    expect(Array.from(softSignFactors(w, 2, 4, 0.5, 3))).toEqual([1, 1, Math.fround(1 - soft), 1, 1, 1, 1, 1]);
    const hard = softSignFactors(w, 2, 4, 20, 3);
    expect(hard[2]).toBeLessThan(1e-6);
    expect(hard[0]).toBe(1);
    // A balanced block (Σ = 0) is left alone: no sign to prefer yet.
    expect(Array.from(softSignFactors([0.3, -0.3], 1, 2, 20, 2))).toEqual([1, 1]);
  });

  it('gate is constant on the tape: the gradient is the factors', () => {
    const w = tf.tensor2d([[0.5, 0.4, -0.1]]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(softSignGate(x, 2, 3)))(w);
    expect(Array.from(g.dataSync())).toEqual(Array.from(softSignFactors([0.5, 0.4, -0.1], 1, 3, 2, 3)));
    tf.dispose([w, g]);
  });
});
