/**
 * Uniform, symmetric, mid-tread weight quantization (NWAVE reference §6), on plain typed arrays.
 *
 * `Δ = wMax / (2^(bits−1) − 1)`, `code = roundHalfAwayFromZero(clip(w, −wMax, wMax) / Δ)`,
 * `q(w) = Δ·code`. With `wMax = 0.9` and 5 bits: Δ = 0.06, codes −15…15 (31 levels). This is the
 * runtime's rule; the trainer's fake quantization calls these functions so both sides produce
 * the same integer codes from the same float32 weights.
 */

/** Programmable weight range of the H1v1 chip, in threshold units. */
export const W_MAX = 0.9;

/** Default quantization of `HWSynapse` weights (Tutorial 3). */
export const DEFAULT_QUANTIZATION_BITS = 5;

/**
 * Rounds to the nearest integer, ties away from zero (`2.5 → 3`, `−2.5 → −3`). Written as the
 * runtime's `roundHalfAway` (`Math.round` on the magnitude) so edge cases round identically.
 * @param x - value
 * @returns the rounded integer (as a number)
 */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * Quantization step `Δ = wMax / (2^(bits−1) − 1)`.
 * @param bits - total bits including sign (≥ 2)
 * @param wMax - clipping range @defaultValue 0.9
 * @returns Δ in weight units
 * @throws RangeError if `bits` is not an integer ≥ 2 or `wMax` is not positive
 */
export function quantStep(bits: number, wMax = W_MAX): number {
  if (!Number.isInteger(bits) || bits < 2) {
    throw new RangeError(`quantization bits must be an integer >= 2, got ${bits}`);
  }
  if (!(wMax > 0)) throw new RangeError(`wMax must be > 0, got ${wMax}`);
  return wMax / maxCode(bits);
}

/**
 * Largest code magnitude for `bits` bits: `2^(bits−1) − 1` (15 for 5 bits).
 * @param bits - total bits including sign
 * @returns the largest |code|
 */
export function maxCode(bits: number): number {
  return 2 ** (bits - 1) - 1;
}

/**
 * Integer codes of a weight array: `roundHalfAwayFromZero(clip(w, −wMax, wMax) / Δ)`.
 * @param w - float weights (any layout; processed element-wise)
 * @param bits - total bits including sign
 * @param wMax - clipping range @defaultValue 0.9
 * @returns codes in `[−(2^(bits−1)−1), 2^(bits−1)−1]`, same length as `w`
 */
export function quantizeCodes(w: ArrayLike<number>, bits: number, wMax = W_MAX): Int32Array {
  const step = quantStep(bits, wMax);
  const out = new Int32Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const c = Math.min(wMax, Math.max(-wMax, w[i]));
    out[i] = roundHalfAwayFromZero(c / step);
  }
  return out;
}

/**
 * Float32 weight values of integer codes: `Δ·code`.
 * @param codes - integer codes
 * @param bits - total bits including sign
 * @param wMax - clipping range @defaultValue 0.9
 * @returns dequantized weights
 */
export function dequantizeCodes(codes: ArrayLike<number>, bits: number, wMax = W_MAX): Float32Array {
  const step = quantStep(bits, wMax);
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i] * step;
  return out;
}

/**
 * Quantized float values `q(w) = Δ·code(w)` (the forward pass of fake quantization).
 * @param w - float weights
 * @param bits - total bits including sign
 * @param wMax - clipping range @defaultValue 0.9
 * @returns quantized weights, same length as `w`
 */
export function quantizeValues(w: ArrayLike<number>, bits: number, wMax = W_MAX): Float32Array {
  return dequantizeCodes(quantizeCodes(w, bits, wMax), bits, wMax);
}
