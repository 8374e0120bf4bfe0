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
 * v⁺_t = v_t·(1 − s_t)            (zero reset)
 * ```
 * Backward (BPTT, reset path detached, ReLU gradient `u > 0`, equivalently `v > 0`):
 * ```
 * dv_t      = gs_t·σ'(v_t − θ) + dv⁺_t·(1 − s_t)
 * dI_t      = dv_t·[v_t > 0]
 * dv⁺_{t−1} = dI_t·β
 * ```
 * Only the pre-reset membrane `v` has to be kept for the backward: `s` and `[u > 0]` follow
 * from it.
 */
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
 * Forward scan of the H1v1 neuron over a whole sequence.
 * @param I - input currents `[B, T, N]`
 * @param beta - per-neuron decay `[N]`
 * @param B - batch size
 * @param T - number of steps
 * @param N - number of neurons
 * @param theta - threshold θ
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
        if (v >= theta) {
          spikes[base + n] = 1;
          vPlus[n] = 0;
        } else {
          vPlus[n] = v;
        }
      }
    }
  }
  return { spikes, vPre };
}

/**
 * Membrane after reset, `v⁺ = v·(1 − s)`, from the pre-reset membrane.
 * @param vPre - pre-reset membrane `[B, T, N]`
 * @param theta - threshold θ
 * @returns `v⁺`, same layout
 */
export function hwLayerMemAfterResetImpl(vPre: Float32Array, theta: number): Float32Array {
  const out = new Float32Array(vPre.length);
  for (let i = 0; i < vPre.length; i++) out[i] = vPre[i] >= theta ? 0 : vPre[i];
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
        // A spike detaches the reset path, so dv⁺ only flows through non-spiking steps.
        let dv = v >= theta ? 0 : dvPlus[n];
        if (g !== 0) dv += g * surrogateGrad(v - theta);
        const du = v > 0 ? dv : 0;
        dI[base + n] = du;
        dvPlus[n] = du * beta[n];
      }
    }
  }
  return dI;
}
