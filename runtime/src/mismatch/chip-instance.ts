/**
 * Fabrication mismatch, the NWAVE way (reference §6): one simulated chip is the deployed
 * checkpoint with
 *   - synaptic mismatch: w_eff = code·Δ + σ·ε per synapse (σ in weight units, θ = 1; preset
 *     0.036 = 4 % of full scale), on every dense (HWSynapse) weight, recurrent ones included,
 *     optionally on the frontend;
 *   - leak mismatch: τ_i = τ·exp(0.1·ε_i) per neuron, in every layer;
 * with ε ~ N(0, 1) drawn once per chip. The perturbed float values are then rounded to membrane
 * and leak units exactly as `compileFixedPoint` does, so a chip instance is an ordinary
 * `FixedPointModel` that the bit-exact simulator, `NwaveModel` and `KeywordSpotter` run as is.
 */
import { InvalidArgumentError } from '../errors.js';
import type { CheckpointLayer } from '../model/checkpoint-schema.js';
import { quantStep, roundHalfAway } from '../model/quantization.js';
import { NwaveModel } from '../engine/nwave-model.js';
import { currentsFitInt32, type FixedPointLayer, type FixedPointModel } from '../snn/fixed-point-format.js';
import { chipSeed, seededRandom, standardNormal, type RandomSource } from './random.js';

/** Nominal synaptic mismatch σ in weight units (reference §6: "4" read as 4 % of ±0.9). */
export const NOMINAL_SYNAPTIC_MISMATCH = 0.036;
/** Spread of the log time constant under leak mismatch: τ_i = τ·exp(0.1·ε_i). */
export const LEAK_MISMATCH_SPREAD = 0.1;

export interface MismatchOptions {
  /**
   * Synaptic mismatch σ in weight units, added to each effective weight before rounding.
   * @defaultValue {@link NOMINAL_SYNAPTIC_MISMATCH}
   */
  stddev?: number;
  /**
   * Per-neuron leak mismatch τ_i = τ·exp(0.1·ε_i).
   * @defaultValue true
   */
  leakMismatch?: boolean;
  /**
   * Also perturb the frontend's per-channel weights (the SDK applies mismatch to HWSynapse only).
   * @defaultValue false
   */
  frontend?: boolean;
}

function tausOf(layer: CheckpointLayer): number[] {
  const t = layer.neuron.tausS;
  return Array.isArray(t) ? t : new Array<number>(layer.size).fill(t);
}

/**
 * Draws one simulated chip of `model`.
 *
 * Every draw is made whatever the options (per layer: one ε per weight, then one per recurrent
 * weight if any, then one per neuron), so the same `rng` seed gives the same chip at every σ: only the scale
 * changes, and σ = 0 without leak mismatch returns the deployed integers exactly.
 * @throws InvalidArgumentError for a negative or non-finite σ, or noise so large that integer
 *   currents could overflow.
 */
export function sampleChipInstance(model: NwaveModel, rng: RandomSource, opts: MismatchOptions = {}): FixedPointModel {
  const stddev = opts.stddev ?? NOMINAL_SYNAPTIC_MISMATCH;
  if (!(stddev >= 0) || !Number.isFinite(stddev)) {
    throw new InvalidArgumentError(`mismatch stddev must be a finite number >= 0, got ${stddev}`, { field: 'stddev', value: stddev });
  }
  const leakMismatch = opts.leakMismatch ?? true;
  const base = model.fixedPoint;
  const M = 2 ** base.membraneFracBits;
  const L = 2 ** base.leakFracBits;
  const layers = model.checkpoint.network.layers.map((spec, li): FixedPointLayer => {
    const nominal = base.layers[li];
    const perturb = spec.type === 'dense' || opts.frontend === true;
    // Synaptic mismatch on the feed-forward weights, then (recurrent layers) on the recurrent ones:
    // both are HWSynapse weights of the same core.
    const perturbCodes = (w: { bits: number; wMax: number; codes: readonly number[] }) => {
      const step = quantStep(w.bits, w.wMax);
      const ints = new Int32Array(w.codes.length);
      const floats = new Float64Array(w.codes.length);
      for (let i = 0; i < w.codes.length; i++) {
        const eps = standardNormal(rng);
        const x = w.codes[i] * step + (perturb ? stddev * eps : 0);
        floats[i] = x;
        ints[i] = roundHalfAway(x * M);
      }
      return { ints, floats };
    };
    const { ints: weights, floats: floatWeights } = perturbCodes(spec.weights);
    const rec = spec.type === 'dense' && spec.recurrentWeights ? perturbCodes(spec.recurrentWeights) : undefined;
    const recurrent = rec ? { recurrentWeights: rec.ints, floatRecurrentWeights: rec.floats } : {};
    // The simulator's exactness argument (fixed-point-format.ts) needs the same bound here.
    if (!currentsFitInt32({ weights, inputs: nominal.inputs, size: nominal.size, ...recurrent })) {
      throw new InvalidArgumentError(`mismatch stddev ${stddev} makes layer ${spec.name} weights overflow the integer simulation`, {
        field: 'stddev',
        value: stddev,
      });
    }
    const taus = tausOf(spec);
    const beta = new Float64Array(spec.size);
    const leak = new Int32Array(spec.size);
    for (let i = 0; i < spec.size; i++) {
      const eps = standardNormal(rng);
      const tau = leakMismatch ? taus[i] * Math.exp(LEAK_MISMATCH_SPREAD * eps) : taus[i];
      beta[i] = Math.exp(-spec.neuron.dtS / tau);
      leak[i] = roundHalfAway(beta[i] * L);
    }
    return { ...nominal, weights, leak, beta, floatWeights, ...recurrent };
  });
  return { ...base, layers };
}

/**
 * An `NwaveModel` that runs one chip instance: same checkpoint, labels, detector and chip
 * profile, integer tables replaced. `classify`, `classifyFeatures` and `KeywordSpotter` then
 * simulate that chip.
 */
export function chipInstanceModel(
  model: NwaveModel,
  instance: FixedPointModel,
  name = `${model.checkpoint.name} (simulated chip)`,
): NwaveModel {
  return new NwaveModel(model.checkpoint, name, instance);
}

/**
 * `count` simulated chips for a Monte Carlo run: chip k is drawn from `seededRandom(chipSeed(seed, k))`,
 * so it is the same chip for any `count` and at every σ.
 */
export function sampleChips(model: NwaveModel, count: number, seed: number, opts: MismatchOptions = {}): FixedPointModel[] {
  return Array.from({ length: count }, (_, k) => sampleChipInstance(model, seededRandom(chipSeed(seed, k)), opts));
}
