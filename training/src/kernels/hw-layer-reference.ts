/**
 * Per-step reference implementation of the `HWLayer` scan in plain tfjs ops.
 *
 * It loops over T and lets tfjs autodiff produce the BPTT gradient: the Heaviside step carries
 * the surrogate through `tf.customGrad`, the reset path goes through {@link stopGradient}, and
 * the non-negative clamp is `tf.relu` (gradient `[u > 0]`). It exists to prove the fused
 * {@link hwLayerScan} correct and to benchmark against; it is slow (≈10 small ops per step).
 */
import * as tf from '@tensorflow/tfjs';
import { fast_sigmoid, type Surrogate } from '../surrogates/surrogates.js';
import { DEFAULT_CHIP, kernelReset } from '../chip.js';
import type { BetaLike, HwLayerScanOptions, HwLayerScanResult } from './hw-layer-scan.js';

/**
 * Identity in the forward pass, zero gradient in the backward pass (PyTorch's `detach`).
 * @param x - any tensor
 * @returns a copy of `x` that gradients do not flow through
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((...args: unknown[]) => {
    const a = args[0] as tf.Tensor;
    return { value: a.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  });
  return op(x) as T;
}

/**
 * Heaviside step `x >= 0 ? 1 : 0` whose backward is `dy·σ'(x)` for the given surrogate.
 * @param x - `v − θ`
 * @param surrogate - surrogate derivative
 * @returns spikes (0/1, float32)
 */
export function heavisideWithSurrogate<T extends tf.Tensor>(x: T, surrogate: Surrogate): T {
  const op = tf.customGrad((...args: unknown[]) => {
    const a = args[0] as tf.Tensor;
    // Intermediates of the differentiated function are tidied before backprop: save the input.
    (args[1] as tf.GradSaveFunc)([a]);
    return {
      value: tf.cast(tf.greaterEqual(a, 0), 'float32'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, surrogate.gradTensor(saved[0])),
    };
  });
  return op(x) as T;
}

/**
 * Reference `HWLayer` over a sequence, one group of tfjs ops per step. Same contract and
 * results as {@link hwLayerScan} (spikes bit-identical, gradients equal up to float rounding).
 * With `wRec`, adds the recurrent current `s_{t−1} @ W_rec`; with `learnBeta` and a tensor
 * `beta`, the gradient flows to `beta` too (learnable τ).
 * @param I - currents `[B, T, N]`
 * @param beta - per-neuron decay, length `N`
 * @param opts - threshold, surrogate, membrane output
 * @returns spikes (and optionally the membrane after reset), `[B, T, N]`
 */
export function hwLayerScanReference(
  I: tf.Tensor3D,
  beta: BetaLike,
  opts: HwLayerScanOptions & { wRec?: tf.Tensor2D; learnBeta?: boolean } = {},
): HwLayerScanResult {
  const theta = opts.theta ?? DEFAULT_CHIP.neuron.threshold;
  const reset = opts.reset ?? kernelReset(DEFAULT_CHIP);
  const surrogate = opts.surrogate ?? fast_sigmoid(25);
  const [B, , N] = I.shape;
  const betaT = beta instanceof tf.Tensor ? (opts.learnBeta ? beta : stopGradient(beta)) : tf.tensor1d(Array.from(beta), 'float32');
  const steps = tf.unstack(I, 1) as tf.Tensor2D[];
  let vPlus: tf.Tensor2D = tf.zeros([B, N], 'float32');
  const spikes: tf.Tensor2D[] = [];
  const mems: tf.Tensor2D[] = [];
  for (const Iff of steps) {
    // In-core recurrence, one-step delay: I_t = ff_t + s_{t−1} @ W_rec (s_{−1} = 0).
    const prev = spikes[spikes.length - 1];
    const It = opts.wRec && prev ? tf.add(Iff, tf.matMul(prev, opts.wRec)) : Iff;
    const u = tf.add(tf.mul(vPlus, betaT), It);
    const v = tf.relu(u);
    const s = heavisideWithSurrogate(tf.sub(v, theta), surrogate) as tf.Tensor2D;
    // Reset with the spike detached: zero (v·(1 − s)) or subtractive (min(C, v − θ·s), ≥ 0 as v ≥ θ on a spike).
    vPlus = reset.subtractive
      ? tf.minimum(tf.sub(v, tf.mul(stopGradient(s), theta)), reset.ceiling)
      : tf.mul(v, tf.sub(1, stopGradient(s)));
    spikes.push(s);
    mems.push(vPlus);
  }
  return {
    spikes: tf.stack(spikes, 1) as tf.Tensor3D,
    mem: opts.returnMem ? (tf.stack(mems, 1) as tf.Tensor3D) : null,
  };
}
