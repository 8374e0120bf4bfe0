/**
 * Conversion of a checkpoint's float-described quantities into the integers the fixed-point
 * simulation uses. All rounding happens here, once, at load time, with IEEE-754 float64
 * arithmetic (deterministic on every platform); the per-step simulation is integer only.
 *
 *   membrane unit   = 2^-M threshold units          (M = membraneFracBits, default 16)
 *   weight (int)    = roundHalfAway(code · Δ · 2^M)  (Δ = wMax / (2^(bits-1) - 1))
 *   threshold (int) = roundHalfAway(θ · 2^M)
 *   leak (int)      = roundHalfAway(exp(-dt/τ) · 2^L) (L = leakFracBits, default 16)
 *   input (int)     = min(roundHalfUp(x · 2^F), 2^30) (F = inputFracBits, default 8; x ≥ 0)
 */
import { CheckpointFormatError } from '../errors.js';
import type { Checkpoint, CheckpointLayer } from '../model/checkpoint-schema.js';
import { quantStep, roundHalfAway } from '../model/quantization.js';

/** Largest integer input feature; keeps x_int · w_int far below 2^53. */
export const MAX_INPUT_INT = 2 ** 30;

export interface FixedPointLayer {
  readonly name: string;
  readonly type: 'frontend' | 'dense';
  readonly inputs: number;
  readonly size: number;
  /** Weights in membrane units: frontend [size]; dense row-major [inputs][size]. */
  readonly weights: Int32Array;
  /** Per-neuron leak factor beta in units of 2^-leakFracBits. */
  readonly leak: Int32Array;
  /** Per-neuron beta as float64 (for the float reference and the docs). */
  readonly beta: Float64Array;
  /** Float weights code·Δ (for the float reference). */
  readonly floatWeights: Float64Array;
}

export interface FixedPointModel {
  readonly membraneFracBits: number;
  readonly inputFracBits: number;
  readonly leakFracBits: number;
  readonly threshold: number;
  /** Threshold in membrane units. */
  readonly thresholdInt: number;
  readonly layers: readonly FixedPointLayer[];
}

function tausOf(layer: CheckpointLayer): number[] {
  const t = layer.neuron.tausS;
  return Array.isArray(t) ? t : new Array<number>(layer.size).fill(t);
}

/** Compiles a validated checkpoint into integer tables. */
export function compileFixedPoint(ck: Checkpoint): FixedPointModel {
  const { membraneFracBits: M, inputFracBits: F, leakFracBits: L } = ck.network.arithmetic;
  const layers = ck.network.layers.map((layer): FixedPointLayer => {
    const step = quantStep(layer.weights.bits, layer.weights.wMax);
    const codes = layer.weights.codes;
    const weights = new Int32Array(codes.length);
    const floatWeights = new Float64Array(codes.length);
    for (let i = 0; i < codes.length; i++) {
      floatWeights[i] = codes[i] * step;
      weights[i] = roundHalfAway(codes[i] * step * 2 ** M);
    }
    const taus = tausOf(layer);
    const beta = new Float64Array(layer.size);
    const leak = new Int32Array(layer.size);
    for (let i = 0; i < layer.size; i++) {
      beta[i] = Math.exp(-layer.neuron.dtS / taus[i]);
      leak[i] = roundHalfAway(beta[i] * 2 ** L);
    }
    return {
      name: layer.name,
      type: layer.type,
      inputs: layer.type === 'dense' ? layer.inputs : layer.size,
      size: layer.size,
      weights,
      leak,
      beta,
      floatWeights,
    };
  });
  // Keep every sum and product exactly representable (int32 currents, float64 products < 2^53).
  const thresholdInt = roundHalfAway(ck.network.threshold * 2 ** M);
  // v⁺ < θ_int and B ≤ 2^L, so the leak product stays below θ_int · 2^L: keep that below 2^53.
  if (thresholdInt * 2 ** L >= 2 ** 53) {
    throw new CheckpointFormatError(
      `network.arithmetic: threshold ${ck.network.threshold} with membraneFracBits ${M} and leakFracBits ${L} would need leak products beyond 2^53; lower the fractional bits`,
      { field: 'network.arithmetic', value: { M, L, threshold: ck.network.threshold } },
    );
  }
  for (const l of layers) {
    let maxW = 0;
    for (const w of l.weights) maxW = Math.max(maxW, Math.abs(w));
    if (maxW > 2 ** 22 || maxW * l.inputs >= 2 ** 31 || thresholdInt >= 2 ** 30) {
      throw new CheckpointFormatError(
        `network.arithmetic: membraneFracBits ${M} too large for layer ${l.name} (integer weights would overflow)`,
        { field: 'network.arithmetic.membraneFracBits', value: M },
      );
    }
  }
  return { membraneFracBits: M, inputFracBits: F, leakFracBits: L, threshold: ck.network.threshold, thresholdInt, layers };
}
