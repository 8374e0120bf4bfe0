import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../layers/rng.js';
import { frontendMul } from './frontend-mul.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('frontendMul (HwFrontendMul)', () => {
  it('equals tf.mul bit for bit and matches its gradients', () => {
    const rng = new Rng(13);
    const [B, T, C] = [3, 25, 13];
    const x = tf.tensor3d(rng.normalArray(B * T * C, 5, 3), [B, T, C]);
    const w = tf.tensor1d(rng.normalArray(C, 0.1, 0.01));
    const c = tf.tensor3d(rng.normalArray(B * T * C), [B, T, C]);
    const yf = frontendMul(x, w);
    const yr = tf.mul(x, w);
    expect(Array.from(yf.dataSync())).toEqual(Array.from(yr.dataSync()));
    const lossOf = (f: (a: tf.Tensor3D, b: tf.Tensor1D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor3D, b as tf.Tensor1D), c));
    const [dxf, dwf] = tf.grads(lossOf(frontendMul))([x, w]);
    const [dxr, dwr] = tf.grads(lossOf((a, b) => tf.mul(a, b)))([x, w]);
    expect(Array.from(dxf.dataSync())).toEqual(Array.from(dxr.dataSync()));
    const gw = dwf.dataSync();
    dwr.dataSync().forEach((v, i) => expect(Math.abs(gw[i] - v)).toBeLessThan(1e-4 * Math.abs(v) + 1e-5));
    tf.dispose([x, w, c, yf, yr, dxf, dwf, dxr, dwr]);
  });

  it('rejects a weight of the wrong length', () => {
    const x = tf.zeros([1, 2, 3]) as tf.Tensor3D;
    const w = tf.zeros([4]) as tf.Tensor1D;
    expect(() => frontendMul(x, w)).toThrow(/3 channels/);
    tf.dispose([x, w]);
  });
});
