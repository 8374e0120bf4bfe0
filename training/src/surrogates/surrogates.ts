/**
 * Surrogate gradients for the Heaviside spike function (NWAVE reference §7).
 *
 * The forward pass is always the step `H(x) = x >= 0 ? 1 : 0` with `x = v − θ`; a surrogate only
 * replaces `dH/dx` in the backward pass. Each surrogate exposes the derivative twice: as a pure
 * scalar function (`grad`, used inside the fused typed-array kernels) and as tfjs ops
 * (`gradTensor`, used by the per-step reference implementation). Both compute the same formula.
 */
import * as tf from '@tensorflow/tfjs';

/** Names of the surrogate factories, as in `nwavesdk.surrogate`. */
export type SurrogateName = 'fast_sigmoid' | 'atan' | 'sigmoid';

/** A surrogate gradient: a named, parameterised derivative of the Heaviside step. */
export interface Surrogate {
  /** Factory name (`fast_sigmoid`, `atan`, `sigmoid`). */
  readonly name: SurrogateName;
  /** Factory parameters, e.g. `{ slope: 25 }`. */
  readonly params: Readonly<Record<string, number>>;
  /**
   * Surrogate derivative `dH/dx` at `x = v − θ`.
   * @param x - distance of the membrane to the threshold
   * @returns the pseudo-derivative (≥ 0)
   */
  grad(x: number): number;
  /**
   * The same derivative as {@link Surrogate.grad}, element-wise in tfjs ops (differentiable
   * tensors are not needed: it only runs inside a gradient function).
   * @param x - tensor of `v − θ`
   * @returns tensor of the same shape
   */
  gradTensor(x: tf.Tensor): tf.Tensor;
}

/**
 * Fast sigmoid surrogate: `dy/dx = 1 / (slope·|x| + 1)²`.
 * @param slope - steepness @defaultValue 25
 * @returns the surrogate (Tutorial 2 uses `fast_sigmoid(25)` in every `HWLayer`)
 */
export function fast_sigmoid(slope = 25): Surrogate {
  return {
    name: 'fast_sigmoid',
    params: { slope },
    grad(x: number): number {
      const d = slope * Math.abs(x) + 1;
      return 1 / (d * d);
    },
    gradTensor(x: tf.Tensor): tf.Tensor {
      return tf.tidy(() => tf.reciprocal(tf.square(tf.add(tf.mul(tf.abs(x), slope), 1))));
    },
  };
}

/**
 * Arctangent surrogate: `dy/dx = (α/2) / (1 + ((π/2)·α·x)²)`.
 * @param alpha - steepness @defaultValue 2
 * @returns the surrogate
 */
export function atan(alpha = 2): Surrogate {
  const c = (Math.PI / 2) * alpha;
  return {
    name: 'atan',
    params: { alpha },
    grad(x: number): number {
      const z = c * x;
      return alpha / 2 / (1 + z * z);
    },
    gradTensor(x: tf.Tensor): tf.Tensor {
      return tf.tidy(() => tf.div(alpha / 2, tf.add(tf.square(tf.mul(x, c)), 1)));
    },
  };
}

/**
 * Sigmoid surrogate: `dy/dx = k·e^(−kx) / (e^(−kx) + 1)²`, `k = slope`.
 *
 * The derivative is even in `x`, so it is evaluated as `k·e^(−k|x|) / (e^(−k|x|) + 1)²`, which
 * is the same value but never overflows for large negative `x`.
 * @param slope - steepness k @defaultValue 25
 * @returns the surrogate
 */
export function sigmoid(slope = 25): Surrogate {
  return {
    name: 'sigmoid',
    params: { slope },
    grad(x: number): number {
      const e = Math.exp(-slope * Math.abs(x));
      const d = e + 1;
      return (slope * e) / (d * d);
    },
    gradTensor(x: tf.Tensor): tf.Tensor {
      return tf.tidy(() => {
        const e = tf.exp(tf.mul(tf.abs(x), -slope));
        return tf.div(tf.mul(e, slope), tf.square(tf.add(e, 1)));
      });
    },
  };
}

/**
 * Builds a surrogate from its name and parameters (e.g. when reading a checkpoint).
 * @param name - factory name
 * @param params - `{slope}` or `{alpha}`; missing keys take the factory default
 * @returns the surrogate
 * @throws Error if the name is unknown
 */
export function surrogateFromName(name: string, params: Record<string, number> = {}): Surrogate {
  switch (name) {
    case 'fast_sigmoid':
      return fast_sigmoid(params.slope ?? 25);
    case 'atan':
      return atan(params.alpha ?? 2);
    case 'sigmoid':
      return sigmoid(params.slope ?? 25);
    default:
      throw new Error(`Unknown surrogate '${name}'; expected one of fast_sigmoid, atan, sigmoid.`);
  }
}
