/**
 * `hwLayerScan`: the fused {@link HwLayerScan} op. Runs an `HWLayer` over a whole sequence as one
 * tape node, with the hand-written BPTT backward of `cpu/HwLayerScan.ts`.
 */
import * as tf from '@tensorflow/tfjs';
import { fast_sigmoid, type Surrogate } from '../surrogates/surrogates.js';
import { HwLayerScan } from './kernel-names.js';
import { DEFAULT_CHIP, kernelReset } from '../chip.js';
import { hwLayerMemAfterResetImpl, hwLayerScanBackwardImpl, hwLayerScanForwardImpl, type KernelReset } from './cpu/HwLayerScan.js';

/** Options of {@link hwLayerScan} and of the reference implementation. */
export interface HwLayerScanOptions {
  /** Threshold θ. @defaultValue the default chip's threshold */
  theta?: number;
  /** Reset after a spike. @defaultValue the default chip's reset */
  reset?: KernelReset;
  /** Surrogate gradient of the spike. @defaultValue fast_sigmoid(25) */
  surrogate?: Surrogate;
  /** Also return the membrane after reset (not differentiable). @defaultValue false */
  returnMem?: boolean;
}

/** Result of an HWLayer scan. */
export interface HwLayerScanResult {
  /** Spikes `[B, T, N]` (0/1, float32), differentiable through the surrogate. */
  spikes: tf.Tensor3D;
  /** Membrane after reset `[B, T, N]` when `returnMem`, else `null`. No gradient flows through it. */
  mem: tf.Tensor3D | null;
}

/** Per-neuron decay given as a tensor, a typed array or a plain array. */
export type BetaLike = tf.Tensor1D | Float32Array | number[];

function betaArray(beta: BetaLike): Float32Array {
  if (beta instanceof tf.Tensor) return Float32Array.from(beta.dataSync());
  return beta instanceof Float32Array ? beta : Float32Array.from(beta);
}

/**
 * Runs the chip neuron over a whole sequence as one op (forward scan + BPTT backward).
 *
 * `u_t = β·v⁺_{t−1} + I_t`, `v_t = max(0, u_t)`, `s_t = [v_t ≥ θ]`, then the chip's reset
 * (`v⁺_t = v_t·(1 − s_t)`, or `min(C, v_t − θ·s_t)`), with `v⁺_{−1} = 0`. The gradient flows to `I` only; if `beta` is a tensor it receives a zero
 * gradient (taus are not trained). Inputs are read with `dataSync`, so use the CPU backend.
 * @param I - currents `[B, T, N]`, float32
 * @param beta - per-neuron decay `exp(−dt/τ_i)`, length `N`
 * @param opts - threshold, surrogate, membrane output
 * @returns spikes (and optionally the membrane after reset)
 * @throws RangeError if the shapes disagree
 */
export function hwLayerScan(I: tf.Tensor3D, beta: BetaLike, opts: HwLayerScanOptions = {}): HwLayerScanResult {
  const theta = opts.theta ?? DEFAULT_CHIP.neuron.threshold;
  const reset = opts.reset ?? kernelReset(DEFAULT_CHIP);
  const surrogate = opts.surrogate ?? fast_sigmoid(25);
  if (I.rank !== 3) throw new RangeError(`${HwLayerScan}: I must be [B, T, N], got [${I.shape}]`);
  const [B, T, N] = I.shape;
  const betaVals = betaArray(beta);
  if (betaVals.length !== N) {
    throw new RangeError(`${HwLayerScan}: beta has ${betaVals.length} entries, expected N = ${N}`);
  }
  const grad = surrogate.grad;
  let vPre: Float32Array | null = null;

  const forward = (x: tf.Tensor): { value: tf.Tensor3D; gradFunc: (dy: tf.Tensor) => tf.Tensor } => {
    const xs = (x.dtype === 'float32' ? x.dataSync() : Float32Array.from(x.dataSync())) as Float32Array;
    const res = hwLayerScanForwardImpl(xs, betaVals, B, T, N, theta, reset);
    vPre = res.vPre;
    const saved = res.vPre;
    return {
      value: tf.tensor3d(res.spikes, [B, T, N], 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const dI = hwLayerScanBackwardImpl(dy.dataSync() as Float32Array, saved, betaVals, B, T, N, theta, grad, reset);
        return tf.tensor3d(dI, [B, T, N], 'float32');
      },
    };
  };

  let spikes: tf.Tensor3D;
  if (beta instanceof tf.Tensor) {
    const op = tf.customGrad((...args: unknown[]) => {
      const r = forward(args[0] as tf.Tensor);
      // Zero gradient for beta from its shape only (the tensor may be disposed before backprop).
      return { value: r.value, gradFunc: (dy: tf.Tensor) => [r.gradFunc(dy), tf.zeros([N], 'float32')] };
    });
    spikes = op(I, beta) as tf.Tensor3D;
  } else {
    const op = tf.customGrad((...args: unknown[]) => forward(args[0] as tf.Tensor));
    spikes = op(I) as tf.Tensor3D;
  }
  // Built outside the custom op: tensors created inside its forward are tidied away.
  const mem = opts.returnMem && vPre !== null ? tf.tensor3d(hwLayerMemAfterResetImpl(vPre, theta, reset), [B, T, N], 'float32') : null;
  return { spikes, mem };
}
