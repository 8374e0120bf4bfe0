/**
 * Pure typed-array implementations of the `HwFrontendMul` kernel (CPU): the diagonal frontend
 * synapse `y[b,t,c] = x[b,t,c]·w[c]` over a whole sequence, and its gradients.
 *
 * The forward is bit-identical to `tf.mul(x, w)` (one float32 rounding per product). The
 * backward replaces tfjs' broadcast-gradient path (multiply, transpose, reduce over B·T) by one
 * pass over contiguous memory.
 */

/**
 * Forward `y = x ⊙ w` (broadcast over the last axis).
 * @param x - features `[M, C]` row-major (`M = B·T`)
 * @param w - weights `[C]`
 * @param M - rows
 * @param C - channels
 * @returns `y`, `[M, C]`
 * @throws RangeError if an array length does not match
 */
export function frontendMulForwardImpl(x: Float32Array, w: Float32Array, M: number, C: number): Float32Array {
  if (x.length !== M * C || w.length !== C) {
    throw new RangeError(`frontendMul: x has ${x.length} and w ${w.length} elements, expected ${M * C} and ${C}`);
  }
  const y = new Float32Array(M * C);
  for (let i = 0, o = 0; i < M; i++, o += C) {
    for (let c = 0; c < C; c++) y[o + c] = x[o + c] * w[c];
  }
  return y;
}

/**
 * Backward of {@link frontendMulForwardImpl}.
 * @param dy - `dL/dy`, `[M, C]`
 * @param x - forward features `[M, C]`
 * @param w - forward weights `[C]`
 * @param M - rows
 * @param C - channels
 * @returns `dx = dy ⊙ w` (`[M, C]`) and `dw = Σ_rows dy ⊙ x` (`[C]`, float64 accumulation)
 */
export function frontendMulBackwardImpl(
  dy: Float32Array,
  x: Float32Array,
  w: Float32Array,
  M: number,
  C: number,
): { dx: Float32Array; dw: Float32Array } {
  const dx = new Float32Array(M * C);
  const dw = new Float64Array(C);
  for (let i = 0, o = 0; i < M; i++, o += C) {
    for (let c = 0; c < C; c++) {
      const g = dy[o + c];
      dx[o + c] = g * w[c];
      dw[c] += g * x[o + c];
    }
  }
  return { dx, dw: Float32Array.from(dw) };
}
