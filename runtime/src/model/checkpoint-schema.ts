/**
 * The `*.nwave.json` checkpoint format, version 2, as a zod schema (version 1 files are read
 * too: version 2 only adds the optional `recurrentWeights` of a dense layer). Objects are strict: an
 * unknown field is an error (a typo in a hand-edited file must not be silently ignored).
 * Shapes that depend on other fields (weights length = inputs x size, layer chaining) are
 * checked in `checkpoint.ts` after the schema passes.
 */
import { z } from 'zod';

export const CHECKPOINT_FORMAT = 'nwave-checkpoint';
/** The version written. */
export const CHECKPOINT_VERSION = 2;
/** Every version read: v1 is v2 without `recurrentWeights`. */
export const READABLE_CHECKPOINT_VERSIONS: readonly number[] = [1, 2];

/** Sizes beyond these are refused as absurd before any allocation. */
export const LIMITS = { maxNeurons: 4096, maxInputs: 4096, maxLayers: 64, maxLabels: 1024, maxBits: 16 } as const;

const positive = z.number().positive();

export const weightsSchema = z.strictObject({
  /** Quantization bits; codes lie in [-(2^(bits-1)-1), 2^(bits-1)-1]. */
  bits: z.int().min(2).max(LIMITS.maxBits),
  /** Grid half-range: Δ = wMax / (2^(bits-1)-1). */
  wMax: positive.max(16),
  /** Integer codes; dense layers are row-major [inputs][size] (row = one input neuron). */
  codes: z.array(z.int()).max(LIMITS.maxInputs * LIMITS.maxNeurons),
});

export const neuronSchema = z.strictObject({
  /** Membrane time constant(s) in seconds: one number or one per neuron. */
  tausS: z.union([positive.max(1e3), z.array(positive.max(1e3)).min(1).max(LIMITS.maxNeurons)]),
  /** Simulation step in seconds (equals the filterbank bin). */
  dtS: positive.max(1),
});

export const frontendLayerSchema = z.strictObject({
  name: z.string().min(1).max(64),
  type: z.literal('frontend'),
  size: z.int().min(1).max(LIMITS.maxNeurons),
  weights: weightsSchema,
  neuron: neuronSchema,
});

export const denseLayerSchema = z.strictObject({
  name: z.string().min(1).max(64),
  type: z.literal('dense'),
  inputs: z.int().min(1).max(LIMITS.maxInputs),
  size: z.int().min(1).max(LIMITS.maxNeurons),
  weights: weightsSchema,
  /**
   * In-core recurrence (version 2): codes row-major [size][size], row = presynaptic neuron's
   * spike at step t-1, column = postsynaptic neuron; same grid and sign-group rule as `weights`.
   * Per step I_t = x_t @ W + s_{t-1} @ W_rec, with s_{-1} = 0 after a reset.
   */
  recurrentWeights: weightsSchema.optional(),
  neuron: neuronSchema,
});

export const layerSchema = z.discriminatedUnion('type', [frontendLayerSchema, denseLayerSchema]);

export const filterbankSchema = z.strictObject({
  sampleRateHz: z.int().min(4000).max(384000),
  centerFrequenciesHz: z.array(positive).min(1).max(LIMITS.maxInputs),
  q: positive.max(1000),
  binS: positive.max(1),
  gain: positive,
  /** Clip length used in training; whole-clip classification pads/trims to it. */
  recordingDurationS: positive.max(3600),
});

export const arithmeticSchema = z.strictObject({
  /** Membrane and currents: integers in units of 2^-membraneFracBits threshold units. */
  membraneFracBits: z.int().min(4).max(24),
  /** Filterbank features enter as integers in units of 2^-inputFracBits. */
  inputFracBits: z.int().min(0).max(16),
  /** Leak factor beta as an integer in units of 2^-leakFracBits. */
  leakFracBits: z.int().min(4).max(24),
});

export const detectorSchema = z.strictObject({
  /** Sliding window of output spike counts, seconds. */
  windowS: positive.max(10),
  /** Minimum softmax confidence of the winning class: softmax(countScale x window counts). */
  threshold: z.number().min(0).max(1),
  /** Scale applied to spike counts before the softmax (the trainer's logit scale). Default 1. */
  countScale: z.number().positive().max(100).optional(),
  /** Per-label overrides of `threshold`. */
  labelThresholds: z.record(z.string(), z.number().min(0).max(1)).optional(),
  /** Minimum spikes of the winning class inside the window. */
  minSpikes: z.int().min(0),
  /** Minimum mean filterbank feature over the window (activity gate, feature units). */
  minInputLevel: z.number().min(0),
  /** No new event for this long after one, seconds. */
  refractoryS: z.number().min(0).max(60),
  /**
   * One event per word: a candidate event, opened by an accepted decision, is emitted (with its
   * last accepted decision) once no keyword output neuron has spiked for this long, or at the
   * latest `windowS` after it opened; the next word needs the same pause. 0 emits at once.
   * Default {@link DEFAULT_SETTLE_S}.
   */
  settleS: z.number().min(0).max(10).optional(),
});

/** Default `settleS`: a pause of 0.1 s in the keyword neurons' output ends the word. */
export const DEFAULT_SETTLE_S = 0.1;

export const violationSchema = z.strictObject({ rule: z.string(), message: z.string(), layer: z.string().optional() });

export const provenanceSchema = z.strictObject({
  tool: z.string(),
  toolVersion: z.string(),
  createdAt: z.string(),
  command: z.string().optional(),
  data: z.string().optional(),
  seed: z.int().optional(),
  notes: z.string().optional(),
  /** Free-form numbers measured at export (accuracy, power...). */
  metrics: z.record(z.string(), z.unknown()).optional(),
});

export const checkpointSchema = z.strictObject({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.union([z.literal(1), z.literal(CHECKPOINT_VERSION)]),
  name: z.string().min(1).max(200),
  description: z.string().max(10_000).optional(),
  /** One label per output neuron, in output order. */
  /** Output labels. "__proto__" is refused: as an object key it cannot survive a JSON round trip. */
  labels: z
    .array(
      z
        .string()
        .min(1)
        .max(100)
        .refine((l) => l !== '__proto__', 'the label "__proto__" is not allowed'),
    )
    .min(1)
    .max(LIMITS.maxLabels),
  /** Labels that are never reported as keywords (background / unknown / silence). */
  backgroundLabels: z.array(z.string()),
  chipProfile: z.string(),
  filterbank: filterbankSchema,
  network: z.strictObject({
    /** The one network-wide firing threshold, in weight units (θ = 1 by convention). */
    threshold: positive.max(100),
    /**
     * Output neurons per label (population readout, the SDK's `accuracy_population`): label k owns
     * output neurons [k·P, (k+1)·P) and its score is their summed spike count. Default 1.
     */
    outputPopulation: z.int().min(1).max(256).optional(),
    arithmetic: arithmeticSchema,
    layers: z.array(layerSchema).min(1).max(LIMITS.maxLayers),
  }),
  detector: detectorSchema,
  provenance: provenanceSchema,
  /** Present only when exported with --allow-violations. */
  violations: z.array(violationSchema).optional(),
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
