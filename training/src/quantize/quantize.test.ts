import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { H1V1_ESTIMATE, quantizeToCodes as runtimeCodes } from '@nwave/runtime';
import { Rng } from '../layers/rng.js';
import { fakeQuantize, maxCode, quantStep, quantizeCodes, quantizeValues, roundHalfAwayFromZero } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('quantization grid (reference §6)', () => {
  it('step and levels', () => {
    expect(quantStep(5, H1V1_ESTIMATE.synapse.core.wMax)).toBeCloseTo(0.06, 15);
    expect(quantStep(5, 0.9)).toBe(0.9 / 15);
    expect(maxCode(5)).toBe(15);
    expect(quantStep(3, 0.75)).toBe(0.25);
    expect(() => quantStep(1, 0.9)).toThrow(RangeError);
    expect(() => quantStep(5, 0)).toThrow(RangeError);
  });

  it('rounds half away from zero', () => {
    expect([2.5, -2.5, 0.5, -0.5, 1.49, -1.51].map(roundHalfAwayFromZero)).toEqual([3, -3, 1, -1, 1, -2]);
    // Exact ties on a grid with Δ = 0.25 (representable in float32).
    const codes = quantizeCodes(Float32Array.of(0.125, -0.125, 0.375, -0.375, 0.625), 3, 0.75);
    expect(Array.from(codes)).toEqual([1, -1, 2, -2, 3]);
  });

  it('clips to ±wMax: 31 levels for 5 bits', () => {
    const w = Float32Array.of(-5, -0.9, -0.03001, 0, 0.0299, 0.09, 0.4501, 0.8999, 0.9, 2);
    expect(Array.from(quantizeCodes(w, 5, 0.9))).toEqual([-15, -15, -1, 0, 0, 2, 8, 15, 15, 15]);
    const many = new Rng(3).normalArray(5000, 0, 1);
    const levels = new Set(quantizeCodes(many, 5, 0.9));
    expect(levels.size).toBe(31);
    expect(Math.max(...levels)).toBe(15);
    expect(Math.min(...levels)).toBe(-15);
  });

  it('reproduces the runtime codes exactly', () => {
    const rng = new Rng(11);
    const w = rng.normalArray(20000, 0, 0.6);
    // Include exact ties Δ·(k + 1/2) as float32 values.
    for (let k = -16; k < 16; k++) w[k + 16] = (k + 0.5) * (0.9 / 15);
    for (const bits of [3, 4, 5, 8]) {
      expect(Array.from(quantizeCodes(w, bits, 0.9))).toEqual(Array.from(runtimeCodes(w, bits, 0.9)));
    }
  });

  it('fakeQuantize forward = Δ·code, STE gradient 1 inside [-wMax, wMax], 0 outside', () => {
    const vals = Float32Array.of(-1.2, -0.9, -0.31, 0, 0.044, 0.5, 0.9, 0.95);
    const w = tf.tensor1d(vals);
    const q = fakeQuantize(w, 5, 0.9);
    expect(Array.from(q.dataSync())).toEqual(Array.from(quantizeValues(vals, 5, 0.9)));
    const codes = quantizeCodes(vals, 5, 0.9);
    q.dataSync().forEach((v, i) => expect(v).toBeCloseTo(codes[i] * 0.06, 6));
    const c = tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(fakeQuantize(x, 5, 0.9), c)))(w);
    expect(Array.from(g.dataSync())).toEqual([0, 2, 3, 4, 5, 6, 7, 0]);
    tf.dispose([w, q, c, g]);
  });

  it('bits = null is the identity (no clip, gradient 1)', () => {
    const w = tf.tensor2d([[1.5, -0.123]]);
    expect(fakeQuantize(w, null, 0.9)).toBe(w);
    const g = tf.grad((x: tf.Tensor) => tf.sum(fakeQuantize(x, null, 0.9)))(w);
    expect(Array.from(g.dataSync())).toEqual([1, 1]);
    tf.dispose([w, g]);
  });
});
