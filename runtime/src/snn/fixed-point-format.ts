/**
 * Conversion of a checkpoint's float-described quantities into the integers the fixed-point
 * simulation uses. All rounding happens here, once, at load time, with IEEE-754 float64
 * arithmetic (deterministic on every platform); the per-step simulation is integer only.
 *
 *   membrane unit   = 2^-M threshold units          (M = membraneFracBits, default 16)
 *   weight (int)    = roundHalfAway(c · code · Δ · 2^M)  (Δ = wMax / (2^(bits-1) - 1); c = the chip's
 *                     charge per unit weight for that synapse kind, 1 on H1v1); recurrent weights alike
 *   threshold (int) = roundHalfAway(θ_i · 2^M), per neuron (all θ on a nominal chip)
 *   ceiling (int)   = roundHalfAway(membraneCeiling · θ · 2^M)  (subtractive reset only)
 *   leak (int)      = roundHalfAway(exp(-dt/τ) · 2^L) (L = leakFracBits, default 16)
 *   input (int)     = min(roundHalfUp(x · 2^F), 2^30) (F = inputFracBits, default 8; x ≥ 0)
 */
import { CheckpointFormatError } from '../errors.js';
import type { Checkpoint, CheckpointLayer } from '../model/checkpoint-schema.js';
import { getChipProfile, type ChipProfile, type ResetMode } from '../model/chip-profile.js';
import { quantStep, roundHalfAway } from '../model/quantization.js';

/** Largest integer input feature; keeps x_int · w_int far below 2^53. */
export const MAX_INPUT_INT = 2 ** 30;

export interface FixedPointLayer {
  readonly name: string;
  readonly type: 'frontend' | 'dense';
  readonly inputs: number;
  readonly size: number;
  /** Weights (charge) in membrane units: frontend [size]; dense row-major [inputs][size]. */
  readonly weights: Int32Array;
  /** Per-neuron leak factor beta in units of 2^-leakFracBits. */
  readonly leak: Int32Array;
  /** Per-neuron beta as float64 (for the float reference and the docs). */
  readonly beta: Float64Array;
  /** Float charge c·code·Δ (for the float reference). */
  readonly floatWeights: Float64Array;
  /** Per-neuron firing threshold θ_i in membrane units. */
  readonly thresholds: Int32Array;
  /**
   * In-core recurrent weights in membrane units, row-major [size][size] (row = neuron that
   * spiked at t-1); absent for a feed-forward layer.
   */
  readonly recurrentWeights?: Int32Array;
  /** Recurrent float charge c·code·Δ (for the float reference). */
  readonly floatRecurrentWeights?: Float64Array;
}

export interface FixedPointModel {
  readonly membraneFracBits: number;
  readonly inputFracBits: number;
  readonly leakFracBits: number;
  /** Nominal threshold θ (weight units). */
  readonly threshold: number;
  /** Nominal threshold in membrane units (a chip instance may spread θ_i around it: see `thresholds`). */
  readonly thresholdInt: number;
  /** Reset after a spike, from the chip profile. */
  readonly reset: ResetMode;
  /** Largest membrane after a subtractive reset, in membrane units. */
  readonly membraneCeilingInt: number;
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

/** Float charge and its membrane-unit integers of one weight set: c·code·Δ. */
export function chargeOf(w: { bits: number; wMax: number; codes: readonly number[] }, chargeScale: number, membraneFracBits: number) {
  const step = quantStep(w.bits, w.wMax);
  const ints = new Int32Array(w.codes.length);
  const floats = new Float64Array(w.codes.length);
  for (let i = 0; i < w.codes.length; i++) {
    floats[i] = chargeScale * (w.codes[i] * step);
    ints[i] = roundHalfAway(floats[i] * 2 ** membraneFracBits);
  }
  return { ints, floats };
}

/**
 * Problem with a model's integer ranges, or undefined. Keeps every sum and product exactly
 * representable: int32 currents and membranes, leak products v⁺·B < 2^53 (v⁺ < θ_i after a zero
 * reset; v⁺ <= the ceiling after a subtractive one).
 */
export function integerRangeProblem(model: FixedPointModel): { field: string; message: string } | undefined {
  const L = model.leakFracBits;
  for (const l of model.layers) {
    let maxTheta = 0;
    for (const t of l.thresholds) maxTheta = Math.max(maxTheta, t);
    const vMax = model.reset === 'zero' ? maxTheta : Math.max(maxTheta, model.membraneCeilingInt);
    if (vMax * 2 ** L >= 2 ** 53)
      return {
        field: 'network.arithmetic',
        message: `threshold ${model.threshold}${model.reset === 'zero' ? '' : ' (membrane ceiling of the subtractive reset)'} with membraneFracBits ${model.membraneFracBits} and leakFracBits ${L} would need leak products beyond 2^53; lower the fractional bits`,
      };
    if (!currentsFitInt32(l) || maxTheta >= 2 ** 30 || vMax >= 2 ** 31)
      return {
        field: 'network.arithmetic.membraneFracBits',
        message: `membraneFracBits ${model.membraneFracBits} too large for layer ${l.name} (integer weights would overflow)`,
      };
  }
  return undefined;
}

/**
 * Compiles a validated checkpoint into integer tables for its chip (nominal: every θ_i = θ).
 * @param chip the profile to compile for (default: the one the checkpoint names).
 * @throws CheckpointFormatError for an unknown profile or arithmetic that cannot stay exact.
 */
export function compileFixedPoint(ck: Checkpoint, chip: ChipProfile = getChipProfile(ck.chipProfile)): FixedPointModel {
  const { membraneFracBits: M, inputFracBits: F, leakFracBits: L } = ck.network.arithmetic;
  const thresholdInt = roundHalfAway(ck.network.threshold * 2 ** M);
  const layers = ck.network.layers.map((layer): FixedPointLayer => {
    const scale = (layer.type === 'frontend' ? chip.synapse.frontend : chip.synapse.core).chargeScale;
    const { ints: weights, floats: floatWeights } = chargeOf(layer.weights, scale, M);
    const rec = layer.type === 'dense' && layer.recurrentWeights ? chargeOf(layer.recurrentWeights, scale, M) : undefined;
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
      thresholds: new Int32Array(layer.size).fill(Math.min(thresholdInt, 2 ** 31 - 1)),
      ...(rec ? { recurrentWeights: rec.ints, floatRecurrentWeights: rec.floats } : {}),
    };
  });
  const model: FixedPointModel = {
    membraneFracBits: M,
    inputFracBits: F,
    leakFracBits: L,
    threshold: ck.network.threshold,
    thresholdInt,
    reset: chip.neuron.reset,
    membraneCeilingInt: roundHalfAway(chip.neuron.membraneCeiling * ck.network.threshold * 2 ** M),
    layers,
  };
  const problem = integerRangeProblem(model);
  if (problem)
    throw new CheckpointFormatError(`${problem.field}: ${problem.message}`, {
      field: problem.field,
      value: { M, L, threshold: ck.network.threshold },
    });
  return model;
}
