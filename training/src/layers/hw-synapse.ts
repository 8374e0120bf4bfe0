/**
 * `HWSynapse`: dense core synapse without bias (NWAVE reference §5.2); weight range, bits,
 * charge map and sign-group size are the chip profile's.
 */
import * as tf from '@tensorflow/tfjs';
import type { ChipProfile } from '@nwave/runtime';
import { DEFAULT_CHIP } from '../chip.js';
import { synapseMatMul } from '../kernels/synapse-mat-mul.js';
import { HWWeightModule } from './hw-weight.js';
import { normal, type Initializer } from './init.js';
import { defaultRng, type Rng } from './rng.js';

/** Options of {@link HWSynapse}. */
export interface HWSynapseOptions {
  /** Weight initialiser. @defaultValue normal(0.1, 0.3) (Tutorial 2) */
  init?: Initializer;
  /** Std of the additive synaptic mismatch, or `null` for none. @defaultValue null */
  stddev?: number | null;
  /** Fake-quantization bits, or `null` to train in float. @defaultValue the chip's core `maxBits` */
  quantization_bits?: number | null;
  /** The chip (core weight range, bits, charge, sign groups). @defaultValue the default chip */
  chip?: ChipProfile;
  /** Generator for the init. @defaultValue the global generator ({@link defaultRng}) */
  rng?: Rng;
  /** Module name. */
  name?: string;
}

/**
 * Dense synapse `cur = spk @ W_eff`, `W: [N_in, N_out]`, no bias. The product runs over the
 * whole sequence at once (`[B·T, N_in] × [N_in, N_out]`).
 */
export class HWSynapse extends HWWeightModule {
  readonly kind = 'HWSynapse' as const;
  /** Pre-synaptic neurons. */
  readonly nb_inputs: number;
  /** Post-synaptic neurons. */
  readonly nb_outputs: number;

  /**
   * @param nb_inputs - pre-synaptic neurons
   * @param nb_outputs - post-synaptic neurons
   * @param opts - init, mismatch, quantization
   * @throws RangeError if a size is not a positive integer
   */
  constructor(nb_inputs: number, nb_outputs: number, opts: HWSynapseOptions = {}) {
    for (const [k, v] of [
      ['nb_inputs', nb_inputs],
      ['nb_outputs', nb_outputs],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`HWSynapse: ${k} must be a positive integer, got ${v}`);
    }
    const init = opts.init ?? normal(0.1, 0.3);
    const values = init([nb_inputs, nb_outputs], opts.rng ?? defaultRng());
    const chip = opts.chip ?? DEFAULT_CHIP;
    const bits = opts.quantization_bits === undefined ? chip.synapse.core.maxBits : opts.quantization_bits;
    super('hwsynapse', [nb_inputs, nb_outputs], values, bits, opts.stddev ?? null, chip.synapse.core, opts.name, chip.signGroupSize);
    this.nb_inputs = nb_inputs;
    this.nb_outputs = nb_outputs;
  }

  /**
   * Synaptic currents for a whole sequence of spikes.
   * @param spk - spikes `[B, T, N_in]`
   * @param opts - `impl: 'fused'` (typed-array `HwSynapseMatMul` kernel, default) or
   *   `'reference'` (`tf.matMul` on `[B·T, N_in]`); both give identical values. `weight`: use
   *   this instead of the effective weight (e.g. scaled by a threshold spread)
   * @returns currents `[B, T, N_out]`
   * @throws Error if `prepare_net` was not called first
   */
  apply(spk: tf.Tensor3D, opts: { impl?: 'fused' | 'reference'; weight?: tf.Tensor } = {}): tf.Tensor3D {
    const [B, T, nIn] = spk.shape;
    if (nIn !== this.nb_inputs) {
      throw new RangeError(`HWSynapse '${this.name}': input has ${nIn} neurons, expected ${this.nb_inputs}`);
    }
    const w = (opts.weight ?? this.effectiveWeight()) as tf.Tensor2D;
    if (opts.impl !== 'reference') return synapseMatMul(spk, w);
    return tf.tidy(() => tf.reshape(tf.matMul(tf.reshape(spk, [B * T, nIn]), w), [B, T, this.nb_outputs]));
  }
}
