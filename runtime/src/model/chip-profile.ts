/**
 * Named chip profiles: hardware limits used by the constraint checker and the power constants
 * used by the consumption estimate. The power constants are ESTIMATES fitted to the public
 * NWAVE Tutorial 2 figures (66 neurons, 3,996 spikes per 1 s clip -> 15.98 nW), not measurements.
 */
export interface ChipProfile {
  /** Profile id stored in checkpoints, e.g. `h1v1-estimate`. */
  readonly id: string;
  readonly chip: string;
  readonly description: string;
  /** Number of analog filters (frontend channels / frontend neurons). */
  readonly frontendFilters: number;
  /** Neurons per core, one entry per core. */
  readonly coreSizes: readonly number[];
  /** Programmable weight range ±wMax. */
  readonly wMax: number;
  /** Largest weight precision the core synapses take (bits). */
  readonly maxSynapseBits: number;
  /** Largest frontend weight precision (bits); unpublished, our choice. */
  readonly maxFrontendBits: number;
  /** Size of a sign-aligned group of incoming weights. */
  readonly signGroupSize: number;
  /** Static power drawn per core neuron, watts (estimate). */
  readonly staticPowerPerNeuronW: number;
  /** Energy per spike of a core neuron, joules (estimate). */
  readonly energyPerSpikeJ: number;
  /** True: every power figure from this profile must be shown as a projection. */
  readonly estimate: true;
}

export const H1V1_ESTIMATE: ChipProfile = {
  id: 'h1v1-estimate',
  chip: 'Neuronova H1 (H1v1)',
  description:
    'H1v1 limits from the public NWAVE docs (16 filters, 4 x 64 neurons, weights in [-0.9, 0.9], sign groups of 5). ' +
    'Power constants are nwave-ts estimates fitted to NWAVE Tutorial 2 (0.016 uW, 15.969 nJ per 1 s clip).',
  frontendFilters: 16,
  coreSizes: [64, 64, 64, 64],
  wMax: 0.9,
  maxSynapseBits: 5,
  maxFrontendBits: 8,
  signGroupSize: 5,
  staticPowerPerNeuronW: 0.121e-9,
  energyPerSpikeJ: 2.0e-12,
  estimate: true,
};

const PROFILES = new Map<string, ChipProfile>([[H1V1_ESTIMATE.id, H1V1_ESTIMATE]]);

/** Looks a profile up by id; undefined when unknown. */
export function findChipProfile(id: string): ChipProfile | undefined {
  return PROFILES.get(id);
}

/** Ids of every built-in profile. */
export function chipProfileIds(): string[] {
  return [...PROFILES.keys()];
}

/** Total core neurons of a profile. */
export function coreCapacity(profile: ChipProfile): number {
  return profile.coreSizes.reduce((a, b) => a + b, 0);
}
