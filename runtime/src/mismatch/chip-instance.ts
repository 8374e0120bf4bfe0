/**
 * Fabrication mismatch, the NWAVE way (reference §6, §12), with the spreads of the model's chip
 * profile (`mismatch`): one simulated chip is the deployed checkpoint with
 *   - synaptic mismatch: w_eff = chargeMap(code·Δ) + σ·ε per synapse (σ in weight units, θ = 1;
 *     H1v1 preset 0.036 = 4 % of full scale), on every dense (HWSynapse) weight, recurrent ones
 *     included, optionally on the frontend; none on a chip without it (H1v2);
 *   - leak mismatch: τ_i = τ·exp(s·ε_i) per neuron, in every layer (s = `leakSpread`, 0.1);
 *   - threshold spread (chips that have one, H1v2): θ_i = θ·(1 + δ_i), δ ~ N(0, spread²);
 * with ε ~ N(0, 1) drawn once per chip. The perturbed float values are then rounded to membrane
 * and leak units exactly as `compileFixedPoint` does, so a chip instance is an ordinary
 * `FixedPointModel` that the bit-exact simulator, `NwaveModel` and `KeywordSpotter` run as is.
 */
import { InvalidArgumentError } from '../errors.js';
import type { CheckpointLayer } from '../model/checkpoint-schema.js';
import { quantStep, roundHalfAway } from '../model/quantization.js';
import { NwaveModel } from '../engine/nwave-model.js';
import { integerRangeProblem, type FixedPointLayer, type FixedPointModel } from '../snn/fixed-point-format.js';
import { chipSeed, seededRandom, standardNormal, type RandomSource } from './random.js';

export interface MismatchOptions {
  /**
   * Synaptic mismatch σ in weight units, added to each effective weight before rounding. Must be
   * 0 on a chip without synaptic mismatch.
   * @defaultValue the chip profile's `mismatch.synapticSigma` (0 when it has none)
   */
  stddev?: number;
  /**
   * Per-neuron leak mismatch τ_i = τ·exp(leakSpread·ε_i).
   * @defaultValue true
   */
  leakMismatch?: boolean;
  /**
   * Per-neuron threshold spread, on chips whose profile has one.
   * @defaultValue true
   */
  thresholdSpread?: boolean;
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
 * weight if any, then one per neuron for the leak, then, on a chip with a threshold spread, one per
 * neuron for θ), so the same `rng` seed gives the same chip at every σ: only the scale changes, and
 * σ = 0 without leak mismatch or threshold spread returns the deployed integers exactly.
 * @throws InvalidArgumentError for a negative or non-finite σ, σ > 0 on a chip without synaptic
 *   mismatch, or noise so large that integer currents could overflow.
 */
export function sampleChipInstance(model: NwaveModel, rng: RandomSource, opts: MismatchOptions = {}): FixedPointModel {
  const spread = model.chip.mismatch;
  const stddev = opts.stddev ?? spread.synapticSigma ?? 0;
  if (!(stddev >= 0) || !Number.isFinite(stddev)) {
    throw new InvalidArgumentError(`mismatch stddev must be a finite number >= 0, got ${stddev}`, { field: 'stddev', value: stddev });
  }
  if (stddev > 0 && spread.synapticSigma === null) {
    throw new InvalidArgumentError(`chip profile ${model.chip.id} has no synaptic mismatch (stddev must be 0, got ${stddev})`, {
      field: 'stddev',
      value: stddev,
    });
  }
  const leakMismatch = opts.leakMismatch ?? true;
  const thetaSpread = (opts.thresholdSpread ?? true) ? spread.thresholdSpread : 0;
  const base = model.fixedPoint;
  const M = 2 ** base.membraneFracBits;
  const L = 2 ** base.leakFracBits;
  const layers = model.checkpoint.network.layers.map((spec, li): FixedPointLayer => {
    const nominal = base.layers[li];
    const perturb = spec.type === 'dense' || opts.frontend === true;
    const charge = (spec.type === 'frontend' ? model.chip.synapse.frontend : model.chip.synapse.core).chargeScale;
    // Synaptic mismatch on the feed-forward weights, then (recurrent layers) on the recurrent ones:
    // both are HWSynapse weights of the same core.
    const perturbCodes = (w: { bits: number; wMax: number; codes: readonly number[] }) => {
      const step = quantStep(w.bits, w.wMax);
      const ints = new Int32Array(w.codes.length);
      const floats = new Float64Array(w.codes.length);
      for (let i = 0; i < w.codes.length; i++) {
        const eps = standardNormal(rng);
        const x = charge * (w.codes[i] * step) + (perturb ? stddev * eps : 0);
        floats[i] = x;
        ints[i] = roundHalfAway(x * M);
      }
      return { ints, floats };
    };
    const { ints: weights, floats: floatWeights } = perturbCodes(spec.weights);
    const rec = spec.type === 'dense' && spec.recurrentWeights ? perturbCodes(spec.recurrentWeights) : undefined;
    const recurrent = rec ? { recurrentWeights: rec.ints, floatRecurrentWeights: rec.floats } : {};
    const taus = tausOf(spec);
    const beta = new Float64Array(spec.size);
    const leak = new Int32Array(spec.size);
    for (let i = 0; i < spec.size; i++) {
      const eps = standardNormal(rng);
      const tau = leakMismatch ? taus[i] * Math.exp(spread.leakSpread * eps) : taus[i];
      beta[i] = Math.exp(-spec.neuron.dtS / tau);
      leak[i] = roundHalfAway(beta[i] * L);
    }
    let thresholds = nominal.thresholds;
    if (spread.thresholdSpread > 0) {
      thresholds = new Int32Array(spec.size);
      for (let i = 0; i < spec.size; i++) {
        const delta = thetaSpread * standardNormal(rng);
        const t = Math.max(1, roundHalfAway(base.threshold * (1 + delta) * M));
        // Checked before the Int32Array store, which would wrap.
        if (t >= 2 ** 30)
          throw new InvalidArgumentError(`threshold spread gives layer ${spec.name} a threshold beyond the integer simulation`, {
            field: 'thresholdSpread',
            value: thetaSpread,
          });
        thresholds[i] = t;
      }
    }
    return { ...nominal, weights, leak, beta, floatWeights, thresholds, ...recurrent };
  });
  const instance: FixedPointModel = { ...base, layers };
  // The simulator's exactness argument (fixed-point-format.ts) needs the same bounds here.
  const problem = integerRangeProblem(instance);
  if (problem) {
    throw new InvalidArgumentError(`mismatch stddev ${stddev} makes the integer simulation overflow: ${problem.message}`, {
      field: 'stddev',
      value: stddev,
    });
  }
  return instance;
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

/** Which simulated chip: chip `index` of a Monte Carlo run seeded with `seed` (`sampleChips`). */
export interface SimulatedChip {
  index: number;
  seed: number;
}

/** "simulated chip 3, seed 1": how the CLI, the app and model names call a chip. */
export function describeSimulatedChip(chip: SimulatedChip): string {
  return `simulated chip ${chip.index}, seed ${chip.seed}`;
}

/**
 * A chip profile's nominal mismatch in words, e.g. "synaptic σ 0.036, leak τ·exp(0.1·ε)": what a
 * simulated chip of it carries (CLI log lines, the app's model panel).
 */
export function describeChipMismatch(model: NwaveModel): string {
  const m = model.chip.mismatch;
  return [
    m.synapticSigma ? `synaptic σ ${m.synapticSigma}` : 'no synaptic mismatch',
    `leak τ·exp(${m.leakSpread}·ε)`,
    ...(m.thresholdSpread ? [`threshold spread ${m.thresholdSpread}`] : []),
  ].join(', ');
}

/** Largest chip index and seed a {@link SimulatedChip} takes (as `nwave eval --chips` and `--seed`). */
export const SIMULATED_CHIP_LIMITS = { index: 9_999, seed: 2 ** 32 - 1 } as const;

/**
 * The model running one simulated chip at the chip profile's nominal mismatch: chip `index` of
 * `nwave eval --chips N --seed seed` (the same draws as {@link sampleChips}), named after it. What
 * the CLI's `--simulated-chip` and the app's chip selector run.
 * @throws InvalidArgumentError for an index or seed that is not an integer within
 *   {@link SIMULATED_CHIP_LIMITS} (field `index` or `seed`)
 */
export function simulatedChip(model: NwaveModel, chip: SimulatedChip, opts: MismatchOptions = {}): NwaveModel {
  for (const key of ['index', 'seed'] as const) {
    const v = chip[key];
    if (!Number.isInteger(v) || v < 0 || v > SIMULATED_CHIP_LIMITS[key])
      throw new InvalidArgumentError(`simulated chip ${key} must be an integer in [0, ${SIMULATED_CHIP_LIMITS[key]}], got ${String(v)}`, {
        field: key,
        value: v,
      });
  }
  const instance = sampleChipInstance(model, seededRandom(chipSeed(chip.seed, chip.index)), opts);
  return chipInstanceModel(model, instance, `${model.checkpoint.name} (${describeSimulatedChip(chip)})`);
}

/**
 * `count` simulated chips for a Monte Carlo run: chip k is drawn from `seededRandom(chipSeed(seed, k))`,
 * so it is the same chip for any `count` and at every σ.
 */
export function sampleChips(model: NwaveModel, count: number, seed: number, opts: MismatchOptions = {}): FixedPointModel[] {
  return Array.from({ length: count }, (_, k) => sampleChipInstance(model, seededRandom(chipSeed(seed, k)), opts));
}
