/**
 * Uniform, symmetric, mid-tread weight quantization (NWAVE reference §6), on plain typed arrays.
 *
 * `Δ = wMax / (2^(bits−1) − 1)`, `code = roundHalfAwayFromZero(clip(w, −wMax, wMax) / Δ)`,
 * `q(w) = Δ·code`; `wMax` and the bits are the chip profile's (`synapse.frontend`, `synapse.core`).
 * E.g. H1v1 core weights, ±0.9 with 5 bits: Δ = 0.06, codes −15…15 (31 levels). This is the
 * runtime's rule; the trainer's fake quantization calls these functions so both sides produce
 * the same integer codes from the same float32 weights.
 */
import { maxCode, quantizeToCodes, quantStep as runtimeQuantStep, roundHalfAway } from '@nwave/runtime';

/** Ties away from zero: the runtime's `roundHalfAway` (one rounding rule for trainer and runtime). */
export const roundHalfAwayFromZero = roundHalfAway;

/**
 * Quantization step `Δ = wMax / (2^(bits−1) − 1)` (the runtime's grid), with argument checks.
 * @throws RangeError if `bits` is not an integer ≥ 2 or `wMax` is not positive
 */
export function quantStep(bits: number, wMax: number): number {
  if (!Number.isInteger(bits) || bits < 2) {
    throw new RangeError(`quantization bits must be an integer >= 2, got ${bits}`);
  }
  if (!(wMax > 0)) throw new RangeError(`wMax must be > 0, got ${wMax}`);
  return runtimeQuantStep(bits, wMax);
}

export { maxCode };

/**
 * Integer codes of a weight array: exactly the runtime's `quantizeToCodes`, so the codes the
 * trainer sees are the codes the exported checkpoint carries.
 */
export function quantizeCodes(w: ArrayLike<number>, bits: number, wMax: number): Int32Array {
  quantStep(bits, wMax);
  return quantizeToCodes(w, bits, wMax);
}

/**
 * Float32 weight values of integer codes: `Δ·code`.
 * @param codes - integer codes
 * @param bits - total bits including sign
 * @param wMax - clipping range (the chip's wMax of this synapse kind)
 * @returns dequantized weights
 */
export function dequantizeCodes(codes: ArrayLike<number>, bits: number, wMax: number): Float32Array {
  const step = quantStep(bits, wMax);
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i] * step;
  return out;
}

/**
 * Quantized float values `q(w) = Δ·code(w)` (the forward pass of fake quantization).
 * @param w - float weights
 * @param bits - total bits including sign
 * @param wMax - clipping range (the chip's wMax of this synapse kind)
 * @returns quantized weights, same length as `w`
 */
export function quantizeValues(w: ArrayLike<number>, bits: number, wMax: number): Float32Array {
  return dequantizeCodes(quantizeCodes(w, bits, wMax), bits, wMax);
}
