/**
 * Training hyper-parameters. Defaults follow NWAVE Tutorial 2 (lr, clip, topology weight,
 * firing-rate target, taus) where it states them, plus the nwave-ts additions that export needs
 * (sign projection, class balancing, early stopping).
 */
import { z } from 'zod';
import { InvalidArgumentError, chipShortName } from '@nwave/runtime';
import { DEFAULT_CHIP, resolveTrainChip, trainChipNames } from '../chip.js';
export interface TrainConfig {
  /**
   * The chip to train for: a chip profile id or its short name (`h1v1`, `h1v2`). Everything
   * chip-specific (weight ranges and bits, charge, reset, threshold, sign groups, cores, filters,
   * taus, mismatch) is read from that profile.
   */
  chip: string;
  /** Output neurons per class (population readout; class score = summed counts). */
  outputPopulation: number;
  /** Hidden layer sizes, e.g. [64] for the tutorial's 13-64-2. */
  hidden: number[];
  epochs: number;
  batchSize: number;
  /** Adam learning rate of the Frontend weights (10-100x below the core's, as the tutorial advises). */
  lrFrontend: number;
  /** Adam learning rate of the HWSynapse weights. */
  lrCore: number;
  /** Global gradient-norm clip. */
  gradClip: number;
  /** Cross-entropy logits = logitScale x spike counts (1 = the SDK's raw counts). Stored as the detector's countScale. */
  logitScale: number;
  /** Train `logitScale` too (a learnable softmax temperature; the learned value is exported). */
  learnCountScale: boolean;
  /**
   * Detector window the objective scores (and the exported `detector.windowS`), seconds. A
   * keyword clip is right when some window says its keyword, a non-keyword clip only when every
   * window rejects (see losses/detector-loss). A window as long as the clip = clip cross-entropy.
   */
  detectorWindowS: number;
  /** Steps between the scored windows, seconds. */
  detectorStrideS: number;
  /**
   * Train on 2-clip streams: each clip preceded by a random non-keyword clip; windows over the
   * preceding clip must reject (see trainer `withStreamContext`). Doubles the steps per batch.
   */
  streamContext: boolean;
  /** Weight of the keyword-silence term: spike rate of keyword neurons where their keyword is not. */
  lamSilence: number;
  /** `topology_loss` weight (the chip's sign groups). */
  lamTopology: number;
  /** `weight_magnitude_loss` weight (limit: the chip's core wMax). */
  lamMagnitude: number;
  /** `firing_rate_target_mse_loss` multiplier, and the target mean rates (spikes per neuron per step). */
  lamFiringRate: number;
  /** Target rate of the output layer (Tutorial 2: 0.15). */
  outputRateTarget: number | null;
  /** Target rate of every hidden layer (null: none). */
  hiddenRateTarget: number | null;
  /** Time constants, seconds. */
  frontendTauS: number;
  coreTauS: number;
  /** If set, hidden neurons get log-spaced taus in [min, max] seconds instead of coreTauS (temporal context at several scales). */
  hiddenTauRangeS: [number, number] | null;
  /** Surrogate gradient of every HWLayer: fast_sigmoid slope (Tutorial 2: 25; wider = more gradient). */
  surrogateSlope: number;
  /** Mean of the Frontend init (Tutorial 2: 0.1). */
  frontendInitMean: number;
  /** HWSynapse quantization bits (grid ±wMax of the chip); null = the chip's core `maxBits`. */
  bits: number | null;
  /** Frontend bits at export (the frontend trains in float, as in the SDK); null = the chip's frontend `maxBits`. */
  frontendBits: number | null;
  /** Synaptic mismatch σ (weight units) redrawn per batch; null = off (a chip without synaptic mismatch refuses σ > 0). */
  stddev: number | null;
  /** The chip's neuron mismatch redrawn per batch: leak spread, and threshold spread on chips that have one. */
  ileakMismatch: boolean;
  /** In-core recurrence in every hidden layer (`I_t += s_{t−1} @ W_rec`; each must fit one core). */
  recurrent: boolean;
  /** Train every hidden and output layer's per-neuron τ (exported as a `tausS` array). */
  learnTaus: boolean;
  /** From this fraction of the epochs on, every step projects each sign group onto one sign. */
  signProjectFrom: number;
  /**
   * `SignAnnealing` (nwavesdk 1.0): soft sign gates on the core weights, sharpened geometrically
   * over the epochs from `signAnnealingAlphas[0]` to `[1]` (layers/sign-annealing.ts).
   */
  signAnnealing: boolean;
  /** α of the first and the last epoch of `SignAnnealing` (the SDK's defaults 0.5, 20). */
  signAnnealingAlphas: [number, number];
  /**
   * Fluctuation-driven init (nwavesdk 1.0 `fluct_init`): core weights drawn so that each neuron's
   * membrane sits `xi` standard deviations below θ (ξ = (θ − μ_U)/σ_U) on the first training
   * batch; null = the Tutorial 2 init, normal(0.1, 0.3) in charge units.
   */
  fluctInit: { xi: number } | null;
  /** Weight the cross-entropy by inverse class frequency (background classes are large). */
  balanceClasses: boolean;
  /**
   * Background clips drawn afresh each epoch, as a multiple of the mean keyword-class size
   * (the background pool is large and varied; balanced batches train far more stably than
   * class weights alone). 0 = use every clip every epoch.
   */
  backgroundPerEpoch: number;
  /** Stop after this many epochs without a better validation score (0 = never). */
  patience: number;
  /**
   * Learning-rate schedule over the epochs: `constant`, or `cosine` (both rates decay from their
   * value to `lrMinFraction` of it; long runs settle instead of hopping between minima).
   */
  lrSchedule: 'constant' | 'cosine';
  /** Final learning rate of the cosine schedule, as a fraction of the initial one. */
  lrMinFraction: number;
  /**
   * Score on validation (runtime export + calibration) every this many epochs and at the last;
   * scoring costs more than a short epoch trains.
   */
  evalEvery: number;
  seed: number;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  // The runtime's default chip (h1v1).
  chip: chipShortName(DEFAULT_CHIP),
  hidden: [64],
  outputPopulation: 1,
  epochs: 40,
  batchSize: 16,
  lrFrontend: 1e-4,
  lrCore: 1e-3,
  gradClip: 0.5,
  logitScale: 1,
  learnCountScale: false,
  detectorWindowS: 1.0,
  detectorStrideS: 0.1,
  lamSilence: 0,
  streamContext: false,
  lamTopology: 0.05,
  lamMagnitude: 1,
  lamFiringRate: 10,
  outputRateTarget: 0.15,
  hiddenRateTarget: null,
  frontendTauS: 0.01,
  coreTauS: 0.064,
  hiddenTauRangeS: null,
  frontendInitMean: 0.1,
  surrogateSlope: 25,
  bits: null,
  frontendBits: null,
  stddev: null,
  ileakMismatch: false,
  recurrent: false,
  learnTaus: false,
  signProjectFrom: 0.5,
  signAnnealing: false,
  signAnnealingAlphas: [0.5, 20],
  fluctInit: null,
  balanceClasses: true,
  backgroundPerEpoch: 1.5,
  patience: 0,
  lrSchedule: 'constant',
  lrMinFraction: 0.05,
  evalEvery: 1,
  seed: 42,
};

const positive = z.number().positive();
const rate = z.number().min(0).max(1);

/** Schema of a `--config` file: any subset of {@link TrainConfig}; unknown keys are refused (typos). */
export const trainConfigSchema = z
  .strictObject({
    chip: z.string().refine(
      (name) => {
        try {
          resolveTrainChip(name);
          return true;
        } catch {
          return false;
        }
      },
      { error: (iss) => `unknown chip ${JSON.stringify(iss.input)} (known: ${trainChipNames().join(', ')})` },
    ),
    outputPopulation: z.int().min(1).max(64),
    hidden: z.array(z.int().min(1).max(4096)).min(1).max(8),
    epochs: z.int().min(1),
    batchSize: z.int().min(1).max(4096),
    lrFrontend: positive,
    lrCore: positive,
    gradClip: positive,
    logitScale: positive.max(100),
    learnCountScale: z.boolean(),
    detectorWindowS: positive.max(10),
    detectorStrideS: positive.max(10),
    lamSilence: z.number().min(0),
    streamContext: z.boolean(),
    lamTopology: z.number().min(0),
    lamMagnitude: z.number().min(0),
    lamFiringRate: z.number().min(0),
    outputRateTarget: rate.nullable(),
    hiddenRateTarget: rate.nullable(),
    frontendTauS: positive,
    coreTauS: positive,
    hiddenTauRangeS: z
      .tuple([positive, positive])
      .refine(([lo, hi]) => lo <= hi, 'min must not exceed max')
      .nullable(),
    surrogateSlope: positive,
    frontendInitMean: positive,
    bits: z.int().min(2).max(16).nullable(),
    frontendBits: z.int().min(2).max(16).nullable(),
    stddev: z.number().min(0).nullable(),
    ileakMismatch: z.boolean(),
    recurrent: z.boolean(),
    learnTaus: z.boolean(),
    signProjectFrom: z.number().min(0),
    signAnnealing: z.boolean(),
    signAnnealingAlphas: z.tuple([positive, positive]),
    fluctInit: z.strictObject({ xi: positive.max(10) }).nullable(),
    balanceClasses: z.boolean(),
    backgroundPerEpoch: z.number().min(0),
    patience: z.int().min(0),
    lrSchedule: z.enum(['constant', 'cosine']),
    lrMinFraction: z.number().min(0).max(1),
    evalEvery: z.int().min(1),
    seed: z.int(),
  })
  .partial() satisfies z.ZodType<Partial<TrainConfig>>;

/**
 * Parses the text of a training-config JSON file (`nwave train --config FILE`).
 * @throws InvalidArgumentError naming the file, the field and the problem
 */
export function parseTrainConfig(text: string, file: string): Partial<TrainConfig> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`${file}: not valid JSON (${(err as Error).message})`, { file });
  }
  const r = trainConfigSchema.safeParse(json);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidArgumentError(`${file}: invalid training config: ${problems.join('; ')}`, {
      file,
      field: String(r.error.issues[0].path[0] ?? ''),
    });
  }
  return r.data as Partial<TrainConfig>;
}
