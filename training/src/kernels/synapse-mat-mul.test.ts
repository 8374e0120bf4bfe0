import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../layers/rng.js';
import { synapseMatMul } from './synapse-mat-mul.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

describe('synapseMatMul (HwSynapseMatMul)', () => {
  // K = 100 spans three tfjs blocks of 48; narrow (N < 8) and wide outputs take different
  // loops; spikes and dense floats both covered.
  for (const [K, N, dense] of [
    [13, 64, false],
    [64, 2, false],
    [100, 7, false],
    [100, 9, false],
    [13, 64, true],
  ] as const) {
    it(`equals tf.matMul bit for bit and matches its gradients (K=${K}, N=${N}, ${dense ? 'dense' : 'spikes'})`, () => {
      const rng = new Rng(K * N);
      const B = 3;
      const T = 21;
      const xv = dense ? rng.normalArray(B * T * K) : Float32Array.from({ length: B * T * K }, () => (rng.next() < 0.4 ? 1 : 0));
      const x = tf.tensor3d(xv, [B, T, K]);
      const w = tf.tensor2d(rng.normalArray(K * N, 0, 0.5), [K, N]);
      const c = tf.tensor3d(rng.normalArray(B * T * N), [B, T, N]);
      const ref = (a: tf.Tensor, b: tf.Tensor) => tf.reshape(tf.matMul(tf.reshape(a, [B * T, K]), b as tf.Tensor2D), [B, T, N]);
      const yf = synapseMatMul(x, w);
      const yr = ref(x, w);
      expect(Array.from(yf.dataSync())).toEqual(Array.from(yr.dataSync()));
      const [dxf, dwf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(synapseMatMul(a as tf.Tensor3D, b as tf.Tensor2D), c)))([
        x,
        w,
      ]);
      const [dxr, dwr] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(ref(a, b), c)))([x, w]);
      expect(relErr(dxf.dataSync(), dxr.dataSync())).toBeLessThan(1e-5);
      expect(relErr(dwf.dataSync(), dwr.dataSync())).toBeLessThan(1e-5);
      tf.dispose([x, w, c, yf, yr, dxf, dwf, dxr, dwr]);
    });
  }

  it('rejects mismatched inner sizes', () => {
    const x = tf.zeros([1, 2, 3]) as tf.Tensor3D;
    const w = tf.zeros([4, 2]) as tf.Tensor2D;
    expect(() => synapseMatMul(x, w)).toThrow(/3 features/);
    tf.dispose([x, w]);
  });
});
