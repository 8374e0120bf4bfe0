/**
 * `synapseMatMul`: the fused `HwSynapseMatMul` op, `cur = spk @ W` over a whole sequence with
 * a typed-array forward and backward (see `cpu/HwSynapseMatMul.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { HwSynapseMatMul } from './kernel-names.js';
import { synapseMatMulBackwardImpl, synapseMatMulForwardImpl } from './cpu/HwSynapseMatMul.js';

function f32(t: tf.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

/**
 * Dense synapse over a whole sequence: `[B, T, K] × [K, N] → [B, T, N]`. Same values as
 * `tf.matMul` on the reshaped input (bit-identical on the CPU backend), faster on sparse spikes.
 * Gradients flow to both inputs. Inputs are read with `dataSync`: use the CPU backend.
 * @param x - spikes (or currents) `[B, T, K]`
 * @param w - weights `[K, N]`
 * @returns `[B, T, N]`
 * @throws RangeError if the inner sizes differ
 */
export function synapseMatMul(x: tf.Tensor3D, w: tf.Tensor2D): tf.Tensor3D {
  const [B, T, K] = x.shape;
  const [K2, N] = w.shape;
  if (K !== K2) throw new RangeError(`${HwSynapseMatMul}: input has ${K} features but W is [${w.shape}]`);
  const M = B * T;
  const op = tf.customGrad((...args: unknown[]) => {
    const A = f32(args[0] as tf.Tensor);
    const W = f32(args[1] as tf.Tensor);
    return {
      value: tf.tensor3d(synapseMatMulForwardImpl(A, W, M, K, N), [B, T, N], 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const g = synapseMatMulBackwardImpl(f32(dy), A, W, M, K, N);
        return [tf.tensor3d(g.dA, [B, T, K], 'float32'), tf.tensor2d(g.dW, [K, N], 'float32')];
      },
    };
  });
  return op(x, w) as tf.Tensor3D;
}
