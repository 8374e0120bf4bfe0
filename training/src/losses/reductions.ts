/**
 * Reductions used by the losses on whole spike tensors, with typed-array gradients. tfjs' CPU
 * gradient of `sum`/`mean` broadcasts `dy` through a generic per-element index loop that costs
 * more than the whole fused network at training sizes; these give the same values and gradients.
 */
import * as tf from '@tensorflow/tfjs';

function f32(t: tf.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

/**
 * Sum over the time axis: `[B, T, N] → [B, N]` (spike counts), same values as `tf.sum(x, 1)`.
 * @param x - `[B, T, N]`
 * @returns `[B, N]`
 */
export function sumOverTime(x: tf.Tensor3D): tf.Tensor2D {
  const [B, T, N] = x.shape;
  const op = tf.customGrad((...args: unknown[]) => {
    const v = f32(args[0] as tf.Tensor);
    const acc = new Float64Array(B * N);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const o = (b * T + t) * N;
        for (let n = 0; n < N; n++) acc[b * N + n] += v[o + n];
      }
    }
    return {
      value: tf.tensor2d(Float32Array.from(acc), [B, N], 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const g = f32(dy);
        const out = new Float32Array(B * T * N);
        for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out.set(g.subarray(b * N, (b + 1) * N), (b * T + t) * N);
        return tf.tensor3d(out, [B, T, N], 'float32');
      },
    };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * Mean of every element, same value as `tf.mean(x)`.
 * @param x - any float tensor
 * @returns scalar
 */
export function meanAll(x: tf.Tensor): tf.Scalar {
  const shape = x.shape;
  const op = tf.customGrad((...args: unknown[]) => {
    const v = f32(args[0] as tf.Tensor);
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i];
    const n = v.length;
    return {
      value: tf.scalar(s / n, 'float32'),
      gradFunc: (dy: tf.Tensor) => tf.tensor(new Float32Array(n).fill(f32(dy)[0] / n), shape, 'float32'),
    };
  });
  return op(x) as tf.Scalar;
}
