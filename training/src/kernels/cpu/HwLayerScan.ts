/**
 * Pure typed-array implementations of the fused `HwLayerScan` kernel (CPU), usable without tfjs.
 *
 * Layout: every sequence tensor is `[B, T, N]` row-major, so for a fixed `(b, t)` the `N`
 * neurons are contiguous and the innermost loop walks contiguous memory.
 *
 * Forward, per neuron and step (NWAVE reference §5.3):
 * ```
 * u_t  = β·v⁺_{t−1} + I_t         (float32 arithmetic, as tfjs' mul then add)
 * v_t  = max(0, u_t)
 * s_t  = v_t >= θ ? 1 : 0
 * v⁺_t = v_t·(1 − s_t)                      (zero reset, H1v1)
 * v⁺_t = min(C, v_t − θ·s_t)                (subtractive reset clamped at 0, H1v2: v_t − θ ≥ 0
 *                                            after a spike; C = the chip's membrane ceiling)
 * ```
 * Backward (BPTT, reset path detached, ReLU gradient `u > 0`, equivalently `v > 0`):
 * ```
 * dv_t      = gs_t·σ'(v_t − θ) + dv⁺_t·∂v⁺_t/∂v_t   (zero reset: 1 − s_t; subtractive: [v⁺_t < C])
 * dI_t      = dv_t·[v_t > 0]
 * dv⁺_{t−1} = dI_t·β
 * ```
 * Only the pre-reset membrane `v` has to be kept for the backward: `s` and `[u > 0]` follow
 * from it.
 */
/**
 * The chip's reset in the kernels' terms (from the chip profile's neuron model, see
 * `kernelReset`): zero reset, or subtractive `v⁺ = min(ceiling, v − θ)` after a spike.
 */
export interface KernelReset {
  readonly subtractive: boolean;
  /** Largest membrane after a subtractive reset, membrane units (unused by a zero reset). */
  readonly ceiling: number;
}

/** Zero reset (the membrane after a spike is 0). */
export const ZERO_RESET: KernelReset = Object.freeze({ subtractive: false, ceiling: Infinity });

/** Membrane after reset of a pre-reset membrane `v` (float32 arithmetic, as the tfjs reference). */
export function afterReset(v: number, theta: number, reset: KernelReset): number {
  if (v < theta) return v;
  return reset.subtractive ? Math.min(reset.ceiling, Math.fround(v - theta)) : 0;
}

/** `∂v⁺/∂v` along the (detached-spike) reset path. */
export function resetPassThrough(v: number, theta: number, reset: KernelReset): number {
  if (v < theta) return 1;
  return reset.subtractive && Math.fround(v - theta) < reset.ceiling ? 1 : 0;
}

/** Outputs of {@link hwLayerScanForwardImpl}. */
export interface HwLayerScanForwardResult {
  /** Spikes `s`, `[B, T, N]`, values 0 or 1. */
  spikes: Float32Array;
  /** Pre-reset membrane `v = max(0, u)`, `[B, T, N]` (what the backward needs). */
  vPre: Float32Array;
}

const fround = Math.fround;

function checkSizes(what: string, arr: ArrayLike<number>, expected: number): void {
  if (arr.length !== expected) {
    throw new RangeError(`${what} has ${arr.length} elements, expected ${expected}`);
  }
}

/**
 * Forward scan of the chip neuron over a whole sequence.
 * @param I - input currents `[B, T, N]`
 * @param beta - per-neuron decay `[N]`
 * @param B - batch size
 * @param T - number of steps
 * @param N - number of neurons
 * @param theta - threshold θ
 * @param reset - the chip's reset @defaultValue zero reset
 * @returns spikes and pre-reset membrane, both `[B, T, N]`
 * @throws RangeError if an array length does not match the shape
 */
export function hwLayerScanForwardImpl(
  I: Float32Array,
  beta: Float32Array,
  B: number,
  T: number,
  N: number,
  theta: number,
  reset: KernelReset = ZERO_RESET,
): HwLayerScanForwardResult {
  checkSizes('I', I, B * T * N);
  checkSizes('beta', beta, N);
  const spikes = new Float32Array(B * T * N);
  const vPre = new Float32Array(B * T * N);
  const vPlus = new Float32Array(N);
  for (let b = 0; b < B; b++) {
    vPlus.fill(0);
    let base = b * T * N;
    for (let t = 0; t < T; t++, base += N) {
      for (let n = 0; n < N; n++) {
        // fround(β·v⁺) then fround(… + I): bit-identical to float32 mul followed by add.
        const u = fround(fround(beta[n] * vPlus[n]) + I[base + n]);
        const v = u > 0 ? u : 0;
        vPre[base + n] = v;
        if (v >= theta) spikes[base + n] = 1;
        vPlus[n] = afterReset(v, theta, reset);
      }
    }
  }
  return { spikes, vPre };
}

/**
 * Membrane after reset from the pre-reset membrane.
 * @param vPre - pre-reset membrane `[B, T, N]`
 * @param theta - threshold θ
 * @param reset - the chip's reset @defaultValue zero reset
 * @returns `v⁺`, same layout
 */
export function hwLayerMemAfterResetImpl(vPre: Float32Array, theta: number, reset: KernelReset = ZERO_RESET): Float32Array {
  const out = new Float32Array(vPre.length);
  for (let i = 0; i < vPre.length; i++) out[i] = afterReset(vPre[i], theta, reset);
  return out;
}

/**
 * Backward (BPTT) of {@link hwLayerScanForwardImpl}: gradient of the loss wrt the currents.
 * @param dSpikes - `dL/ds`, `[B, T, N]`
 * @param vPre - pre-reset membrane saved by the forward, `[B, T, N]`
 * @param beta - per-neuron decay `[N]`
 * @param B - batch size
 * @param T - number of steps
 * @param N - number of neurons
 * @param theta - threshold θ
 * @param surrogateGrad - scalar surrogate derivative σ'(x), evaluated at `v − θ`
 * @param reset - the chip's reset @defaultValue zero reset
 * @returns `dL/dI`, `[B, T, N]`
 * @throws RangeError if an array length does not match the shape
 */
export function hwLayerScanBackwardImpl(
  dSpikes: Float32Array,
  vPre: Float32Array,
  beta: Float32Array,
  B: number,
  T: number,
  N: number,
  theta: number,
  surrogateGrad: (x: number) => number,
  reset: KernelReset = ZERO_RESET,
): Float32Array {
  checkSizes('dSpikes', dSpikes, B * T * N);
  checkSizes('vPre', vPre, B * T * N);
  checkSizes('beta', beta, N);
  const dI = new Float32Array(B * T * N);
  const dvPlus = new Float64Array(N);
  for (let b = 0; b < B; b++) {
    dvPlus.fill(0);
    let base = (b * T + T - 1) * N;
    for (let t = T - 1; t >= 0; t--, base -= N) {
      for (let n = 0; n < N; n++) {
        const v = vPre[base + n];
        const g = dSpikes[base + n];
        // The spike is detached on the reset path: dv⁺ flows through non-spiking steps, and through
        // a subtractive reset unless the ceiling bound.
        let dv = resetPassThrough(v, theta, reset) === 0 ? 0 : dvPlus[n];
        if (g !== 0) dv += g * surrogateGrad(v - theta);
        const du = v > 0 ? dv : 0;
        dI[base + n] = du;
        dvPlus[n] = du * beta[n];
      }
    }
  }
  return dI;
}
