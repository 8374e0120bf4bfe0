/**
 * Task loss on spike counts (NWAVE reference §8): `logits = spikes summed over T`.
 */
import * as tf from '@tensorflow/tfjs';
import { sumOverTime } from './reductions.js';

/**
 * Spike-count logits.
 * @param spikes - output spikes `[B, T, C]`
 * @returns counts `[B, C]`
 */
export function spikeCountLogits(spikes: tf.Tensor3D): tf.Tensor2D {
  return sumOverTime(spikes);
}

/**
 * Cross-entropy on spike counts (PyTorch's `CrossEntropyLoss(spk.sum(1), labels)`, batch mean).
 * @param spikes - output spikes `[B, T, C]`
 * @param labels - class index per sample, length `B`
 * @returns scalar loss (differentiable wrt `spikes`)
 * @throws RangeError if the label count differs from B
 */
export function spike_count_cross_entropy(spikes: tf.Tensor3D, labels: tf.Tensor1D | ArrayLike<number>): tf.Scalar {
  const [B, , C] = spikes.shape;
  return tf.tidy(() => {
    const lab = labels instanceof tf.Tensor ? tf.cast(labels, 'int32') : tf.tensor1d(Array.from(labels), 'int32');
    if (lab.size !== B) throw new RangeError(`spike_count_cross_entropy: ${lab.size} labels for a batch of ${B}`);
    const logp = tf.logSoftmax(spikeCountLogits(spikes));
    const picked = tf.sum(tf.mul(tf.oneHot(lab as tf.Tensor1D, C), logp), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}
