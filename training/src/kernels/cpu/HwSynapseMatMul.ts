/**
 * Pure typed-array implementations of the `HwSynapseMatMul` kernel (CPU): the dense synapse
 * `Y = A·W` over a whole sequence (`A: [M, K]` with `M = B·T`, `W: [K, N]`) and its gradients.
 *
 * Rows of `A` are mostly spikes (0/1), so zero entries are skipped for wide outputs: the work
 * is then proportional to the number of spikes. Loops run `i → k → j`, so the inner loop walks a row of `W` and a row of
 * the output contiguously.
 *
 * The forward reproduces tfjs' CPU `BatchMatMul` bit for bit: for each output element, products
 * are summed in float64 in `k` order within blocks of {@link TFJS_CPU_BLOCK_SIZE} and each block
 * sum is added to the float32 output. So the fused network and the tfjs reference see identical
 * currents.
 */

/** Block size of tfjs' CPU backend matmul (`backend.blockSize`). */
export const TFJS_CPU_BLOCK_SIZE = 48;

/**
 * Zero inputs are skipped only for rows at least this wide: for narrow outputs (e.g. the
 * 2-neuron readout) the unpredictable branch costs more than the multiply-adds it saves.
 */
const SKIP_MIN_OUTPUTS = 8;

function check(what: string, arr: ArrayLike<number>, expected: number): void {
  if (arr.length !== expected) throw new RangeError(`${what} has ${arr.length} elements, expected ${expected}`);
}

/**
 * Forward `Y = A·W`.
 * @param A - inputs `[M, K]` row-major (spikes, or any float32 values)
 * @param W - weights `[K, N]` row-major
 * @param M - rows (B·T)
 * @param K - inputs per row
 * @param N - outputs per row
 * @returns `Y`, `[M, N]`
 * @throws RangeError if an array length does not match
 */
export function synapseMatMulForwardImpl(A: Float32Array, W: Float32Array, M: number, K: number, N: number): Float32Array {
  check('A', A, M * K);
  check('W', W, K * N);
  const Y = new Float32Array(M * N);
  const acc = new Float64Array(N);
  const skipZeros = N >= SKIP_MIN_OUTPUTS;
  for (let i = 0; i < M; i++) {
    const aRow = i * K;
    const yRow = i * N;
    for (let k0 = 0; k0 < K; k0 += TFJS_CPU_BLOCK_SIZE) {
      const kEnd = Math.min(K, k0 + TFJS_CPU_BLOCK_SIZE);
      acc.fill(0);
      for (let k = k0; k < kEnd; k++) {
        const a = A[aRow + k];
        if (skipZeros && a === 0) continue;
        const wRow = k * N;
        for (let j = 0; j < N; j++) acc[j] += a * W[wRow + j];
      }
      for (let j = 0; j < N; j++) Y[yRow + j] += acc[j];
    }
  }
  return Y;
}

/** `Σ_j x[xo + j]·y[yo + j]` with four independent accumulators (shorter dependency chains). */
function dot(x: Float32Array, xo: number, y: Float32Array, yo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += x[xo + j] * y[yo + j];
    s1 += x[xo + j + 1] * y[yo + j + 1];
    s2 += x[xo + j + 2] * y[yo + j + 2];
    s3 += x[xo + j + 3] * y[yo + j + 3];
  }
  for (; j < n; j++) s0 += x[xo + j] * y[yo + j];
  return s0 + s1 + (s2 + s3);
}

/** Backward for narrow outputs: one fused pass per `(i, k)`, no zero test (see SKIP_MIN_OUTPUTS). */
function narrowBackward(
  dY: Float32Array,
  A: Float32Array,
  W: Float32Array,
  M: number,
  K: number,
  N: number,
  dA: Float32Array,
  dW64: Float64Array,
): void {
  for (let i = 0; i < M; i++) {
    const aRow = i * K;
    const yRow = i * N;
    for (let k = 0; k < K; k++) {
      const wRow = k * N;
      const a = A[aRow + k];
      let s = 0;
      for (let j = 0; j < N; j++) {
        const g = dY[yRow + j];
        s += g * W[wRow + j];
        dW64[wRow + j] += a * g;
      }
      dA[aRow + k] = s;
    }
  }
}

/** Gradients of {@link synapseMatMulForwardImpl}. */
export interface SynapseMatMulGrads {
  /** `dL/dA = dY·Wᵀ`, `[M, K]`. */
  dA: Float32Array;
  /** `dL/dW = Aᵀ·dY`, `[K, N]`. */
  dW: Float32Array;
}

/**
 * Backward of `Y = A·W`.
 * @param dY - `dL/dY`, `[M, N]`
 * @param A - forward inputs `[M, K]`
 * @param W - forward weights `[K, N]`
 * @param M - rows
 * @param K - inputs per row
 * @param N - outputs per row
 * @returns `dA` and `dW`
 * @throws RangeError if an array length does not match
 */
export function synapseMatMulBackwardImpl(
  dY: Float32Array,
  A: Float32Array,
  W: Float32Array,
  M: number,
  K: number,
  N: number,
): SynapseMatMulGrads {
  check('dY', dY, M * N);
  check('A', A, M * K);
  check('W', W, K * N);
  const dA = new Float32Array(M * K);
  const dW64 = new Float64Array(K * N);
  if (N < SKIP_MIN_OUTPUTS) {
    narrowBackward(dY, A, W, M, K, N, dA, dW64);
    return { dA, dW: Float32Array.from(dW64) };
  }
  for (let i = 0; i < M; i++) {
    const aRow = i * K;
    const yRow = i * N;
    for (let k = 0; k < K; k++) {
      const wRow = k * N;
      dA[aRow + k] = dot(dY, yRow, W, wRow, N);
      const a = A[aRow + k];
      if (a === 0) continue;
      for (let j = 0; j < N; j++) dW64[wRow + j] += a * dY[yRow + j];
    }
  }
  return { dA, dW: Float32Array.from(dW64) };
}
