/**
 * The ONE description of a trainable network: the trainer builds its modules from it
 * (`buildNetworkFrom`) and exports it back to a checkpoint (`networkToCheckpoint`), layer by
 * layer by name, so nothing maps modules onto checkpoint layers by position. Its fields are the
 * checkpoint's layer fields (`FloatLayer` of the runtime) minus the weights.
 */
import type { ChipProfile } from '@nwave/runtime';

/** One layer: a synapse (frontend or dense) and the neurons it feeds. */
export interface LayerDescription {
  /** Checkpoint layer name; the synapse module's name (its neurons: `<name>_lif`, recurrence: `<name>_rec`). */
  readonly name: string;
  readonly type: 'frontend' | 'dense';
  /** Inputs: filterbank channels (frontend, = size) or the previous layer's neurons. */
  readonly inputs: number;
  readonly size: number;
  /** In-core recurrence (dense only). */
  readonly recurrent: boolean;
  /** Initial time constants (s), on the chip's tau rule: one for the layer or one per neuron. */
  readonly tausS: number | readonly number[];
  /** Train the per-neuron τ. */
  readonly learnTaus: boolean;
  /** Weight precision at export (fake-quantized in training for dense layers). */
  readonly bits: number;
  /** Weight range (the chip's, per synapse kind). */
  readonly wMax: number;
}

export interface NetworkDescription {
  readonly chip: ChipProfile;
  /** Simulation step (s). */
  readonly dtS: number;
  /** Output neurons per class. */
  readonly outputPopulation: number;
  /** Frontend first, output last. */
  readonly layers: readonly LayerDescription[];
}
