/**
 * Builds a checkpoint from float weights: the one place where float weights become the integer
 * codes that the runtime executes (the trainer's export uses it too).
 */
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  DEFAULT_ARITHMETIC,
  DEFAULT_DETECTOR,
  type ArithmeticSpec,
  type Checkpoint,
  type CheckpointLayer,
  type DetectorSettings,
  type FilterbankSpec,
} from './checkpoint-schema.js';
import { CheckpointFormatError } from '../errors.js';
import { parseCheckpoint } from './checkpoint.js';
import { quantizeToCodes } from './quantization.js';
import { DEFAULT_CHIP_PROFILE_ID, getChipProfile } from './chip-profile.js';

export interface FloatLayer {
  name: string;
  type: 'frontend' | 'dense';
  /** Inputs (dense only; frontend inputs = size). */
  inputs?: number;
  size: number;
  /** Float weights: frontend [size]; dense row-major [inputs][size]. */
  weights: ArrayLike<number>;
  /**
   * Dense only: in-core recurrent float weights, row-major [size][size] (row = presynaptic neuron
   * at step t-1, column = postsynaptic neuron), quantized on the same grid (`bits`, `wMax`).
   */
  recurrentWeights?: ArrayLike<number>;
  bits: number;
  wMax: number;
  tausS: number | number[];
  dtS: number;
}

export interface BuildCheckpointOptions {
  name: string;
  description?: string;
  labels: string[];
  backgroundLabels?: string[];
  /** Chip profile id. @defaultValue {@link DEFAULT_CHIP_PROFILE_ID} */
  chipProfile?: string;
  filterbank: FilterbankSpec;
  /** @defaultValue the chip profile's threshold */
  threshold?: number;
  /** Output neurons per label (population readout). Default 1. */
  outputPopulation?: number;
  arithmetic?: ArithmeticSpec;
  layers: FloatLayer[];
  detector?: Partial<DetectorSettings>;
  provenance?: Partial<Checkpoint['provenance']>;
}

export const TOOL_NAME = 'nwave-ts';
export const TOOL_VERSION = '0.1.0';

/** Quantizes the float layers and returns a validated version-2 checkpoint (throws CheckpointFormatError). */
export function buildCheckpoint(opts: BuildCheckpointOptions): Checkpoint {
  const chip = getChipProfile(opts.chipProfile ?? DEFAULT_CHIP_PROFILE_ID, opts.name);
  const layers: CheckpointLayer[] = opts.layers.map((l) => {
    const grid = (w: ArrayLike<number>) => ({ bits: l.bits, wMax: l.wMax, codes: Array.from(quantizeToCodes(w, l.bits, l.wMax)) });
    const weights = grid(l.weights);
    const neuron = { tausS: l.tausS, dtS: l.dtS };
    if (l.type === 'frontend') {
      if (l.recurrentWeights) throw new CheckpointFormatError(`${opts.name}: layer ${l.name}: a frontend layer cannot be recurrent`);
      return { name: l.name, type: 'frontend', size: l.size, weights, neuron };
    }
    const rec = l.recurrentWeights ? { recurrentWeights: grid(l.recurrentWeights) } : {};
    return { name: l.name, type: 'dense', inputs: l.inputs ?? 0, size: l.size, weights, ...rec, neuron };
  });
  const ck: Checkpoint = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    name: opts.name,
    ...(opts.description ? { description: opts.description } : {}),
    labels: opts.labels,
    backgroundLabels: opts.backgroundLabels ?? [],
    chipProfile: chip.id,
    filterbank: opts.filterbank,
    network: {
      threshold: opts.threshold ?? chip.neuron.threshold,
      ...(opts.outputPopulation && opts.outputPopulation > 1 ? { outputPopulation: opts.outputPopulation } : {}),
      arithmetic: opts.arithmetic ?? DEFAULT_ARITHMETIC,
      layers,
    },
    detector: { ...DEFAULT_DETECTOR, ...opts.detector },
    provenance: { tool: TOOL_NAME, toolVersion: TOOL_VERSION, createdAt: new Date().toISOString(), ...opts.provenance },
  };
  return parseCheckpoint(ck, opts.name);
}
