import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { atan, fast_sigmoid, sigmoid, surrogateFromName } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('surrogates (reference §7)', () => {
  it('fast_sigmoid: 1/(slope|x|+1)^2', () => {
    const s = fast_sigmoid();
    expect(s.name).toBe('fast_sigmoid');
    expect(s.params).toEqual({ slope: 25 });
    expect(s.grad(0)).toBe(1);
    expect(s.grad(0.2)).toBeCloseTo(1 / 36, 12);
    expect(s.grad(-0.2)).toBeCloseTo(1 / 36, 12);
    expect(fast_sigmoid(10).grad(0.5)).toBeCloseTo(1 / 36, 12);
  });

  it('atan: (alpha/2)/(1+((pi/2) alpha x)^2)', () => {
    const s = atan();
    expect(s.params).toEqual({ alpha: 2 });
    expect(s.grad(0)).toBe(1);
    const x = 0.3;
    expect(s.grad(x)).toBeCloseTo(1 / (1 + (Math.PI * x) ** 2), 12);
    expect(atan(4).grad(0.1)).toBeCloseTo(2 / (1 + (2 * Math.PI * 0.1) ** 2), 12);
  });

  it('sigmoid: k e^-kx / (e^-kx + 1)^2, finite for large |x|', () => {
    const s = sigmoid();
    expect(s.grad(0)).toBeCloseTo(25 / 4, 12);
    const x = 0.07;
    const e = Math.exp(-25 * x);
    expect(s.grad(x)).toBeCloseTo((25 * e) / (e + 1) ** 2, 12);
    expect(s.grad(-x)).toBeCloseTo((25 * Math.exp(25 * x)) / (Math.exp(25 * x) + 1) ** 2, 12);
    expect(s.grad(-100)).toBe(0);
    expect(Number.isFinite(s.grad(-1e6))).toBe(true);
  });

  it('gradTensor matches grad element-wise', () => {
    const xs = [-2, -0.5, -0.1, 0, 0.05, 0.3, 1.7];
    for (const s of [fast_sigmoid(), atan(), sigmoid(), fast_sigmoid(7)]) {
      const got = tf.tidy(() => s.gradTensor(tf.tensor1d(xs)).dataSync());
      xs.forEach((x, i) => expect(got[i]).toBeCloseTo(s.grad(x), 5));
    }
  });

  it('surrogateFromName rebuilds factories and rejects unknown names', () => {
    expect(surrogateFromName('atan', { alpha: 3 }).params).toEqual({ alpha: 3 });
    expect(surrogateFromName('sigmoid').params).toEqual({ slope: 25 });
    expect(() => surrogateFromName('relu')).toThrow(/Unknown surrogate/);
  });
});
