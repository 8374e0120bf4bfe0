/**
 * Sign-topology constraint (NWAVE reference §8): groups of g consecutive post-synaptic weights
 * of one input row, `b = W[i, gk : gk+g]` (g = the chip's `signGroupSize`, 5 on H1), must share
 * one sign. A short last block (`N_out % g ≠ 0`) is its own group.
 */
import { signGroupViolations as runtimeSignGroupViolations } from '@nwave/runtime';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CHIP } from '../chip.js';
import { chipOfSource, resolveWeights, type WeightSource } from './weight-sources.js';

/** One block whose entries have both signs: row `row`, columns `start … end−1`. */
export interface SignGroupViolation {
  /** Pre-synaptic (input) index. */
  row: number;
  /** First post-synaptic column of the block. */
  start: number;
  /** One past the last column. */
  end: number;
}

/**
 * Lists the mixed-sign blocks of a row-major `[nIn, nOut]` matrix (zeros have no sign).
 * Same rule and result shape as the runtime's constraint check.
 * @param W - weights or integer codes, row-major `[nIn, nOut]`
 * @param nIn - rows (pre-synaptic neurons)
 * @param nOut - columns (post-synaptic neurons)
 * @param group - block size @defaultValue the default chip's sign-group size
 * @returns the violating blocks, in row-major order
 * @throws RangeError if `W.length ≠ nIn·nOut`
 */
export function signGroupViolations(
  W: ArrayLike<number>,
  nIn: number,
  nOut: number,
  group = DEFAULT_CHIP.signGroupSize,
): SignGroupViolation[] {
  if (W.length !== nIn * nOut) throw new RangeError(`signGroupViolations: ${W.length} values for a ${nIn}x${nOut} matrix`);
  return runtimeSignGroupViolations(W, nIn, nOut, group);
}

/**
 * Sum of block penalties `pen(b) = min(Σ relu(b), Σ relu(−b))` of one matrix, and the number of
 * blocks. The last block is zero-padded, which leaves its penalty unchanged.
 * @param W - `[nIn, nOut]`
 * @param group - block size @defaultValue the default chip's sign-group size
 * @returns `{sum, count}`
 */
export function topologyPenaltySum(W: tf.Tensor, group = DEFAULT_CHIP.signGroupSize): { sum: tf.Scalar; count: number } {
  if (W.rank !== 2) throw new RangeError(`topology_loss: weights must be [N_in, N_out], got [${W.shape}]`);
  const [nIn, nOut] = W.shape as [number, number];
  const k = Math.ceil(nOut / group);
  const sum = tf.tidy(() => {
    const pad = k * group - nOut;
    const wp =
      pad > 0
        ? tf.pad(W as tf.Tensor2D, [
            [0, 0],
            [0, pad],
          ])
        : W;
    const blocks = tf.reshape(wp, [nIn, k, group]);
    const pos = tf.sum(tf.relu(blocks), -1);
    const neg = tf.sum(tf.relu(tf.neg(blocks)), -1);
    return tf.sum(tf.minimum(pos, neg)) as tf.Scalar;
  });
  return { sum, count: nIn * k };
}

/**
 * `topology_loss(model, lam)`: `lam ·` mean of the block penalties over all blocks of every
 * core weight matrix (blocks of the model's chip's sign-group size). Zero exactly when every
 * block is sign-aligned.
 * @param synapses - a model (its `HWSynapse` weights) or a list of `[N_in, N_out]` weights
 * @param lam - weight of the loss
 * @returns scalar loss (differentiable)
 */
export function topology_loss(synapses: WeightSource, lam: number): tf.Scalar {
  const ws = resolveWeights(synapses);
  const group = chipOfSource(synapses).signGroupSize;
  return tf.tidy(() => {
    if (ws.length === 0) return tf.scalar(0);
    const parts = ws.map((w) => topologyPenaltySum(w, group));
    const count = parts.reduce((a, p) => a + p.count, 0);
    return tf.mul(tf.addN(parts.map((p) => p.sum)), lam / count) as tf.Scalar;
  });
}
