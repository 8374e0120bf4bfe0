/**
 * `frontendMul`: the fused `HwFrontendMul` op, the diagonal frontend synapse over a whole
 * sequence with a typed-array backward (see `cpu/HwFrontendMul.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { HwFrontendMul } from './kernel-names.js';
import { frontendMulBackwardImpl, frontendMulForwardImpl } from './cpu/HwFrontendMul.js';

function f32(t: tf.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

/**
 * Diagonal synapse `cur[b,t,c] = x[b,t,c]·w[c]`; same values as `tf.mul(x, w)`. Gradients flow
 * to both inputs. Inputs are read with `dataSync`: use the CPU backend.
 * @param x - features `[B, T, C]`
 * @param w - weights `[C]`
 * @returns currents `[B, T, C]`
 * @throws RangeError if `w` does not have `C` entries
 */
export function frontendMul(x: tf.Tensor3D, w: tf.Tensor1D): tf.Tensor3D {
  const [B, T, C] = x.shape;
  if (w.size !== C) throw new RangeError(`${HwFrontendMul}: x has ${C} channels but w has ${w.size} entries`);
  const M = B * T;
  const op = tf.customGrad((...args: unknown[]) => {
    const xs = f32(args[0] as tf.Tensor);
    const ws = f32(args[1] as tf.Tensor);
    return {
      value: tf.tensor3d(frontendMulForwardImpl(xs, ws, M, C), [B, T, C], 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const g = frontendMulBackwardImpl(f32(dy), xs, ws, M, C);
        return [tf.tensor3d(g.dx, [B, T, C], 'float32'), tf.tensor1d(g.dw, 'float32')];
      },
    };
  });
  return op(x, w) as tf.Tensor3D;
}
