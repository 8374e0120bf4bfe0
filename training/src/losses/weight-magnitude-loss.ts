/**
 * Weight-range penalty (NWAVE reference §8).
 */
import * as tf from '@tensorflow/tfjs';
import { chipOfSource, resolveWeights, type WeightSource } from './weight-sources.js';

/**
 * `weight_magnitude_loss(model, limit)`: mean over all weight elements of `max(|w| − limit, 0)²`
 * (normalised by the total parameter count of the tensors considered).
 * @param weights - a model (its `HWSynapse` weights) or a list of modules / tensors
 * @param limit - programmable range @defaultValue the chip's core `wMax` (a model's chip, else the default chip)
 * @returns scalar loss (differentiable)
 */
export function weight_magnitude_loss(weights: WeightSource, limit = chipOfSource(weights).synapse.core.wMax): tf.Scalar {
  const ws = resolveWeights(weights);
  return tf.tidy(() => {
    const count = ws.reduce((a, w) => a + w.size, 0);
    if (count === 0) return tf.scalar(0);
    const sums = ws.map((w) => tf.sum(tf.square(tf.relu(tf.sub(tf.abs(w), limit)))));
    return tf.div(tf.addN(sums), count) as tf.Scalar;
  });
}
