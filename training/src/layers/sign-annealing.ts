/**
 * `SignAnnealing` (nwavesdk 1.0.0a0, reference §12): soft signs hardened over the epochs. The SDK
 * documents the interface only (`SignAnnealing(net, total_epochs, alpha_start=0.5, alpha_end=20.0)`,
 * blocks of the chip's sign-group size along a row of each 2-D weight, Frontend skipped,
 * `step(net, epoch)` each epoch); the gate below is nwave-ts's reading of "soft signs":
 *
 * per block b of a row, `s_b = tanh(α·Σb / Σ|b|)` (the block's soft sign, in −1..1), and each
 * entry's effective weight is `w_j·(1 − relu(−s_b·sign w_j))`: entries with the block's sign pass
 * unchanged, entries against it are scaled by `1 − |s_b|`. At α = 0.5 a mixed block is barely
 * touched; as α grows towards 20 the minority sign fades to 0, so the network learns to live
 * without it before the hard projection at export. The gate is a constant on the tape
 * (straight-through for the kept entries).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * α of epoch `epoch` (1-based) of `totalEpochs`: geometric from `alphaStart` (first epoch) to
 * `alphaEnd` (last epoch).
 */
export function signAnnealingAlpha([alphaStart, alphaEnd]: readonly [number, number], epoch: number, totalEpochs: number): number {
  const f = totalEpochs > 1 ? Math.min(1, Math.max(0, (epoch - 1) / (totalEpochs - 1))) : 1;
  return alphaStart * (alphaEnd / alphaStart) ** f;
}

/**
 * Gate factors of a row-major `[nIn, nOut]` matrix (see the module comment).
 * @returns one factor in [0, 1] per entry
 */
export function softSignFactors(w: ArrayLike<number>, nIn: number, nOut: number, alpha: number, group: number): Float32Array {
  const f = new Float32Array(nIn * nOut).fill(1);
  for (let i = 0; i < nIn; i++) {
    for (let s = 0; s < nOut; s += group) {
      const e = Math.min(nOut, s + group);
      let sum = 0;
      let abs = 0;
      for (let j = s; j < e; j++) {
        sum += w[i * nOut + j];
        abs += Math.abs(w[i * nOut + j]);
      }
      if (abs === 0) continue;
      const soft = Math.tanh((alpha * sum) / abs);
      for (let j = s; j < e; j++) {
        const x = w[i * nOut + j];
        if (x * soft < 0) f[i * nOut + j] = 1 - Math.abs(soft);
      }
    }
  }
  return f;
}

/**
 * The soft-sign-gated weight `w ⊙ factors` (factors not differentiated).
 * @param w - `[nIn, nOut]`
 */
export function softSignGate(w: tf.Tensor, alpha: number, group: number): tf.Tensor {
  const [nIn, nOut] = w.shape as [number, number];
  const factors = softSignFactors(w.dataSync(), nIn, nOut, alpha, group);
  return tf.mul(w, tf.tensor(factors, w.shape, 'float32'));
}
