/**
 * The `*.nwave.json` checkpoint format, version 2, as a zod schema (version 1 files are read
 * too: version 2 only adds the optional `recurrentWeights` of a dense layer). Objects are strict: an
 * unknown field is an error (a typo in a hand-edited file must not be silently ignored).
 * Shapes that depend on other fields (weights length = inputs x size, layer chaining) are
 * checked in `checkpoint.ts` after the schema passes.
 *
 * `zod/mini` (the same zod package, functional and tree-shakable): the browser core pays only
 * for the checks used here, a few kB instead of zod's whole method-chaining API.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * Parse options with English messages ("Too big: expected number to be <=16"). zod/mini loads no
 * locale by default; passing it per parse keeps the runtime from changing a host app's zod config.
 */
export const SCHEMA_PARSE_OPTIONS = /* @__PURE__ */ (() => ({ error: en().localeError }))();

export const CHECKPOINT_FORMAT = 'nwave-checkpoint';
/** The version written. */
export const CHECKPOINT_VERSION = 2;
/** Every version read: v1 is v2 without `recurrentWeights`. */
export const READABLE_CHECKPOINT_VERSIONS: readonly number[] = [1, 2];

/** Sizes beyond these are refused as absurd before any allocation. */
export const LIMITS = { maxNeurons: 4096, maxInputs: 4096, maxLayers: 64, maxLabels: 1024, maxBits: 16 } as const;

const positive = z.number().check(z.positive());
/** A positive number up to `max`. */
const positiveMax = (max: number) => z.number().check(z.positive(), z.maximum(max));
/** An integer in [min, max]. */
const intIn = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));
/** A non-empty string of at most `max` characters. */
const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

export const weightsSchema = z.strictObject({
  /** Quantization bits; codes lie in [-(2^(bits-1)-1), 2^(bits-1)-1]. */
  bits: intIn(2, LIMITS.maxBits),
  /** Grid half-range: Δ = wMax / (2^(bits-1)-1). */
  wMax: positiveMax(16),
  /** Integer codes; dense layers are row-major [inputs][size] (row = one input neuron). */
  codes: z.array(z.int()).check(z.maxLength(LIMITS.maxInputs * LIMITS.maxNeurons)),
});

export const neuronSchema = z.strictObject({
  /** Membrane time constant(s) in seconds: one number or one per neuron. */
  tausS: z.union([positiveMax(1e3), z.array(positiveMax(1e3)).check(z.minLength(1), z.maxLength(LIMITS.maxNeurons))]),
  /** Simulation step in seconds (equals the filterbank bin). */
  dtS: positiveMax(1),
});

export const frontendLayerSchema = z.strictObject({
  name: text(64),
  type: z.literal('frontend'),
  size: intIn(1, LIMITS.maxNeurons),
  weights: weightsSchema,
  neuron: neuronSchema,
});

export const denseLayerSchema = z.strictObject({
  name: text(64),
  type: z.literal('dense'),
  inputs: intIn(1, LIMITS.maxInputs),
  size: intIn(1, LIMITS.maxNeurons),
  weights: weightsSchema,
  /**
   * In-core recurrence (version 2): codes row-major [size][size], row = presynaptic neuron's
   * spike at step t-1, column = postsynaptic neuron; same grid and sign-group rule as `weights`.
   * Per step I_t = x_t @ W + s_{t-1} @ W_rec, with s_{-1} = 0 after a reset.
   */
  recurrentWeights: z.optional(weightsSchema),
  neuron: neuronSchema,
});

export const layerSchema = z.discriminatedUnion('type', [frontendLayerSchema, denseLayerSchema]);

export const filterbankSchema = z.strictObject({
  sampleRateHz: intIn(4000, 384000),
  centerFrequenciesHz: z.array(positive).check(z.minLength(1), z.maxLength(LIMITS.maxInputs)),
  q: positiveMax(1000),
  binS: positiveMax(1),
  gain: positive,
  /** Clip length used in training; whole-clip classification pads/trims to it. */
  recordingDurationS: positiveMax(3600),
});

export const arithmeticSchema = z.strictObject({
  /** Membrane and currents: integers in units of 2^-membraneFracBits threshold units. */
  membraneFracBits: intIn(4, 24),
  /** Filterbank features enter as integers in units of 2^-inputFracBits. */
  inputFracBits: intIn(0, 16),
  /** Leak factor beta as an integer in units of 2^-leakFracBits. */
  leakFracBits: intIn(4, 24),
});

export const detectorSchema = z.strictObject({
  /** Sliding window of output spike counts, seconds. */
  windowS: positiveMax(10),
  /** Minimum softmax confidence of the winning class: softmax(countScale x window counts). */
  threshold: z.number().check(z.minimum(0), z.maximum(1)),
  /** Scale applied to spike counts before the softmax (the trainer's logit scale). Default 1. */
  countScale: z.optional(positiveMax(100)),
  /** Per-label overrides of `threshold`. */
  labelThresholds: z.optional(z.record(z.string(), z.number().check(z.minimum(0), z.maximum(1)))),
  /**
   * Per-label multipliers of the output counts before the decision (absent label: 1): the output
   * calibration of one chip, which makes its counts match the nominal network's on the same audio
   * (`calibrateOutputGains`). A chip's mismatch shifts whole populations; a gain per label
   * undoes the shift on the host, the network and its weights untouched.
   */
  countGains: z.optional(z.record(z.string(), z.number().check(z.positive(), z.maximum(100)))),
  /** Minimum spikes of the winning class inside the window. */
  minSpikes: z.int().check(z.minimum(0)),
  /** Minimum mean filterbank feature over the window (activity gate, feature units). */
  minInputLevel: z.number().check(z.minimum(0)),
  /**
   * Input-contrast gate: a keyword is rejected ('steady-input') when the loudest step level in
   * the window (a step's level: its mean filterbank feature) is below this many times the
   * window's mean level. A word is a transient; steady noise (fan, running tap, pink noise) is
   * not. Absent or 0: off. The trainer calibrates it on validation keywords.
   */
  minInputContrast: z.optional(z.number().check(z.minimum(0), z.maximum(100))),
  /** No new event for this long after one, seconds. */
  refractoryS: z.number().check(z.minimum(0), z.maximum(60)),
  /**
   * One event per word: a candidate event, opened by an accepted decision, is emitted (with its
   * last accepted decision) once no keyword output neuron has spiked for this long, or at the
   * latest `windowS` after it opened; the next word needs the same pause. 0 emits at once.
   * Default {@link DEFAULT_SETTLE_S}.
   */
  settleS: z.optional(z.number().check(z.minimum(0), z.maximum(10))),
});

/** Default `settleS`: a pause of 0.1 s in the keyword neurons' output ends the word. */
export const DEFAULT_SETTLE_S = 0.1;

export const violationSchema = z.strictObject({ rule: z.string(), message: z.string(), layer: z.optional(z.string()) });

export const provenanceSchema = z.strictObject({
  tool: z.string(),
  toolVersion: z.string(),
  createdAt: z.string(),
  command: z.optional(z.string()),
  data: z.optional(z.string()),
  seed: z.optional(z.int()),
  notes: z.optional(z.string()),
  /** Free-form numbers measured at export (accuracy, power...). */
  metrics: z.optional(z.record(z.string(), z.unknown())),
});

export const checkpointSchema = z.strictObject({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.union([z.literal(1), z.literal(CHECKPOINT_VERSION)]),
  name: text(200),
  description: z.optional(z.string().check(z.maxLength(10_000))),
  /** One label per output neuron, in output order. */
  /** Output labels. "__proto__" is refused: as an object key it cannot survive a JSON round trip. */
  labels: z
    .array(text(100).check(z.refine((l: string) => l !== '__proto__', 'the label "__proto__" is not allowed')))
    .check(z.minLength(1), z.maxLength(LIMITS.maxLabels)),
  /** Labels that are never reported as keywords (background / unknown / silence). */
  backgroundLabels: z.array(z.string()),
  chipProfile: z.string(),
  filterbank: filterbankSchema,
  network: z.strictObject({
    /** The one network-wide firing threshold, in weight units (θ = 1 by convention). */
    threshold: positiveMax(100),
    /**
     * Output neurons per label (population readout, the SDK's `accuracy_population`): label k owns
     * output neurons [k·P, (k+1)·P) and its score is their summed spike count. Default 1.
     */
    outputPopulation: z.optional(intIn(1, 256)),
    arithmetic: arithmeticSchema,
    layers: z.array(layerSchema).check(z.minLength(1), z.maxLength(LIMITS.maxLayers)),
  }),
  detector: detectorSchema,
  provenance: provenanceSchema,
  /** Present only when exported with --allow-violations. */
  violations: z.optional(z.array(violationSchema)),
});

export type Checkpoint = z.infer<typeof checkpointSchema>;
export type CheckpointLayer = z.infer<typeof layerSchema>;
export type DenseLayerSpec = z.infer<typeof denseLayerSchema>;
export type FrontendLayerSpec = z.infer<typeof frontendLayerSchema>;
export type DetectorSettings = z.infer<typeof detectorSchema>;
export type FilterbankSpec = z.infer<typeof filterbankSchema>;
export type ArithmeticSpec = z.infer<typeof arithmeticSchema>;

export const DEFAULT_ARITHMETIC: ArithmeticSpec = { membraneFracBits: 16, inputFracBits: 8, leakFracBits: 16 };

export const DEFAULT_DETECTOR: DetectorSettings = {
  windowS: 1.0,
  threshold: 0.9,
  minSpikes: 8,
  minInputLevel: 0.5,
  refractoryS: 1.0,
};
