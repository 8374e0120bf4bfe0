/**
 * Firing-rate regulariser (NWAVE reference §8).
 */
import * as tf from '@tensorflow/tfjs';
import { meanAll } from './reductions.js';

/**
 * `firing_rate_target_mse_loss(spikes_list, offsets, multipliers)`:
 * `Σ_i ((r_i − o_i)·m_i)²`, `r_i` = mean of spike tensor i (a rate per step in [0, 1]).
 * @param spikes_list - spike tensors (any shape)
 * @param offsets - target rate per tensor
 * @param multipliers - weight per tensor @defaultValue all 1
 * @returns scalar loss (differentiable)
 * @throws RangeError if the lists differ in length
 */
export function firing_rate_target_mse_loss(
  spikes_list: readonly tf.Tensor[],
  offsets: readonly number[],
  multipliers: readonly number[] = spikes_list.map(() => 1),
): tf.Scalar {
  if (offsets.length !== spikes_list.length || multipliers.length !== spikes_list.length) {
    throw new RangeError(
      `firing_rate_target_mse_loss: ${spikes_list.length} tensors, ${offsets.length} offsets, ${multipliers.length} multipliers`,
    );
  }
  return tf.tidy(() => {
    if (spikes_list.length === 0) return tf.scalar(0);
    const terms = spikes_list.map((s, i) => tf.square(tf.mul(tf.sub(meanAll(s), offsets[i]), multipliers[i])));
    return tf.addN(terms) as tf.Scalar;
  });
}
