/**
 * Fake quantization with a straight-through estimator, as one tfjs op.
 */
import * as tf from '@tensorflow/tfjs';
import { quantizeValues } from './quantize.js';

/**
 * Fake-quantizes a weight tensor for training.
 *
 * Forward: `Δ·roundHalfAwayFromZero(clip(w, −wMax, wMax)/Δ)`, computed with
 * {@link quantizeValues} so the values are exactly `Δ·code` for the runtime's integer codes.
 * Backward (straight-through estimator): `dy` where `−wMax ≤ w ≤ wMax`, 0 outside.
 * With `bits = null` the op is the identity (no clip, no rounding) and returns `w` itself.
 *
 * Reads `w` synchronously (`dataSync`): meant for the CPU backend and small weight tensors.
 * @param w - float32 weights of any shape
 * @param bits - total bits including sign, or `null` for float
 * @param wMax - clipping range (the chip's wMax of this synapse kind)
 * @returns a tensor of the same shape (or `w` when `bits` is null)
 */
export function fakeQuantize(w: tf.Tensor, bits: number | null, wMax: number): tf.Tensor {
  if (bits === null) return w;
  const op = tf.customGrad((...args: unknown[]) => {
    const x = args[0] as tf.Tensor;
    const values = x.dataSync() as Float32Array;
    const q = quantizeValues(values, bits, wMax);
    return {
      value: tf.tensor(q, x.shape, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync();
        const out = new Float32Array(g.length);
        for (let i = 0; i < g.length; i++) {
          const v = values[i];
          out[i] = v >= -wMax && v <= wMax ? g[i] : 0;
        }
        return tf.tensor(out, x.shape, 'float32');
      },
    };
  });
  return op(w);
}
