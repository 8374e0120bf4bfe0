/**
 * Fabrication mismatch, the NWAVE way (reference §6): one simulated chip is the deployed
 * checkpoint with
 *   - synaptic mismatch: w_eff = code·Δ + σ·ε per synapse (σ in weight units, θ = 1; preset
 *     0.036 = 4 % of full scale), on every dense (HWSynapse) weight, optionally on the frontend;
 *   - leak mismatch: τ_i = τ·exp(0.1·ε_i) per neuron, in every layer;
 * with ε ~ N(0, 1) drawn once per chip. The perturbed float values are then rounded to membrane
 * and leak units exactly as `compileFixedPoint` does, so a chip instance is an ordinary
 * `FixedPointModel` that the bit-exact simulator, `NwaveModel` and `KeywordSpotter` run as is.
 */
import { InvalidArgumentError } from '../errors.js';
import type { CheckpointLayer } from '../model/checkpoint-schema.js';
import { quantStep, roundHalfAway } from '../model/quantization.js';
import { NwaveModel } from '../engine/nwave-model.js';
import type { FixedPointLayer, FixedPointModel } from '../snn/fixed-point-format.js';
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
 * Every draw is made whatever the options (one ε per weight of every layer, then one per neuron,
 * layer by layer), so the same `rng` seed gives the same chip at every σ: only the scale
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
    const step = quantStep(spec.weights.bits, spec.weights.wMax);
    const codes = spec.weights.codes;
    const weights = new Int32Array(codes.length);
    const floatWeights = new Float64Array(codes.length);
    let maxW = 0;
    for (let i = 0; i < codes.length; i++) {
      const eps = standardNormal(rng);
      const w = codes[i] * step + (perturb ? stddev * eps : 0);
      floatWeights[i] = w;
      weights[i] = roundHalfAway(w * M);
      maxW = Math.max(maxW, Math.abs(weights[i]));
    }
    // The simulator's exactness argument (fixed-point-format.ts) needs the same bound here.
    if (maxW > 2 ** 22 || maxW * nominal.inputs >= 2 ** 31) {
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
    return { ...nominal, weights, leak, beta, floatWeights };
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
