/**
 * The weight grid shared by the trainer and the runtime: uniform, symmetric, mid-tread.
 * Δ = wMax / (2^(bits-1) - 1); code = roundHalfAway(clip(w, -wMax, wMax) / Δ); w_q = code·Δ.
 * 5 bits in ±0.9 give Δ = 0.06 and 31 levels (codes -15..15).
 */

/** Largest integer code for `bits` (15 for 5 bits). */
export function maxCode(bits: number): number {
  return 2 ** (bits - 1) - 1;
}

/** Quantization step Δ in weight units (threshold units, θ = 1). */
export function quantStep(bits: number, wMax: number): number {
  return wMax / maxCode(bits);
}

/** Round half away from zero (JS Math.round rounds half up, which differs for negatives). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Integer codes of float weights on the grid (clipped to ±wMax first). */
export function quantizeToCodes(weights: ArrayLike<number>, bits: number, wMax: number): Int32Array {
  const step = quantStep(bits, wMax);
  const out = new Int32Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const w = Math.min(wMax, Math.max(-wMax, weights[i]));
    out[i] = roundHalfAway(w / step);
  }
  return out;
}

/** Float weights represented by integer codes. */
export function codesToWeights(codes: ArrayLike<number>, bits: number, wMax: number): Float64Array {
  const step = quantStep(bits, wMax);
  const out = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i] * step;
  return out;
}
