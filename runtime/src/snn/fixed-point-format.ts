/**
 * Conversion of a checkpoint's float-described quantities into the integers the fixed-point
 * simulation uses. All rounding happens here, once, at load time, with IEEE-754 float64
 * arithmetic (deterministic on every platform); the per-step simulation is integer only.
 *
 *   membrane unit   = 2^-M threshold units          (M = membraneFracBits, default 16)
 *   weight (int)    = roundHalfAway(code · Δ · 2^M)  (Δ = wMax / (2^(bits-1) - 1)); recurrent weights alike
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
  /**
   * In-core recurrent weights in membrane units, row-major [size][size] (row = neuron that
   * spiked at t-1); absent for a feed-forward layer.
   */
  readonly recurrentWeights?: Int32Array;
  /** Recurrent float weights code·Δ (for the float reference). */
  readonly floatRecurrentWeights?: Float64Array;
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

/**
 * True when every current of the layer fits int32: |w| <= 2^22 and the worst-case sum over all
 * feed-forward inputs plus (recurrent layer) all of its own neurons stays below 2^31.
 */
export function currentsFitInt32(l: Pick<FixedPointLayer, 'weights' | 'recurrentWeights' | 'inputs' | 'size'>): boolean {
  let maxW = 0;
  for (const w of l.weights) maxW = Math.max(maxW, Math.abs(w));
  for (const w of l.recurrentWeights ?? []) maxW = Math.max(maxW, Math.abs(w));
  const terms = l.inputs + (l.recurrentWeights ? l.size : 0);
  return maxW <= 2 ** 22 && maxW * terms < 2 ** 31;
}

/** Compiles a validated checkpoint into integer tables. */
export function compileFixedPoint(ck: Checkpoint): FixedPointModel {
  const { membraneFracBits: M, inputFracBits: F, leakFracBits: L } = ck.network.arithmetic;
  const toInt = (w: { bits: number; wMax: number; codes: readonly number[] }) => {
    const step = quantStep(w.bits, w.wMax);
    const ints = new Int32Array(w.codes.length);
    const floats = new Float64Array(w.codes.length);
    for (let i = 0; i < w.codes.length; i++) {
      floats[i] = w.codes[i] * step;
      ints[i] = roundHalfAway(w.codes[i] * step * 2 ** M);
    }
    return { ints, floats };
  };
  const layers = ck.network.layers.map((layer): FixedPointLayer => {
    const { ints: weights, floats: floatWeights } = toInt(layer.weights);
    const rec = layer.type === 'dense' && layer.recurrentWeights ? toInt(layer.recurrentWeights) : undefined;
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
      ...(rec ? { recurrentWeights: rec.ints, floatRecurrentWeights: rec.floats } : {}),
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
    if (!currentsFitInt32(l) || thresholdInt >= 2 ** 30) {
      throw new CheckpointFormatError(
        `network.arithmetic: membraneFracBits ${M} too large for layer ${l.name} (integer weights would overflow)`,
        { field: 'network.arithmetic.membraneFracBits', value: M },
      );
    }
  }
  return { membraneFracBits: M, inputFracBits: F, leakFracBits: L, threshold: ck.network.threshold, thresholdInt, layers };
}
