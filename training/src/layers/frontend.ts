/**
 * `Frontend`: the diagonal filter → neuron synapse of the chip (NWAVE reference §5.1); the number
 * of filters, the weight range and the charge map are the chip profile's.
 */
import * as tf from '@tensorflow/tfjs';
import type { ChipProfile } from '@nwave/runtime';
import { DEFAULT_CHIP } from '../chip.js';
import { frontendMul } from '../kernels/frontend-mul.js';
import { HWWeightModule } from './hw-weight.js';
import { normal, type Initializer } from './init.js';
import { defaultRng, type Rng } from './rng.js';

/** Options of {@link Frontend}. */
export interface FrontendOptions {
  /** Fake-quantization bits, or `null` to train in float. @defaultValue null */
  quantization_bits?: number | null;
  /** Std of the synaptic mismatch noise, or `null` for none. @defaultValue null */
  stddev?: number | null;
  /** Weight initialiser. @defaultValue normal(0.1, 0.01) */
  init?: Initializer;
  /** Generator for the init. @defaultValue the global generator ({@link defaultRng}) */
  rng?: Rng;
  /** Module name. */
  name?: string;
  /** Warning sink. @defaultValue console.warn */
  warn?: (message: string) => void;
  /** The chip (filters, frontend weight range and charge). @defaultValue the default chip */
  chip?: ChipProfile;
}

/**
 * Diagonal synapse: one weight per channel, `cur_t = x_t ⊙ w_eff` (weight `[N]`).
 *
 * Building it with `nb_inputs` ≠ the chip's filter count is allowed but warns, as the Python SDK does.
 */
export class Frontend extends HWWeightModule {
  readonly kind = 'Frontend' as const;
  /** Number of channels (= neurons of the following HWLayer). */
  readonly nb_inputs: number;

  /**
   * @param nb_inputs - number of filterbank channels
   * @param opts - quantization, mismatch, init
   * @throws RangeError if `nb_inputs` is not a positive integer
   */
  constructor(nb_inputs: number, opts: FrontendOptions = {}) {
    if (!Number.isInteger(nb_inputs) || nb_inputs < 1) {
      throw new RangeError(`Frontend: nb_inputs must be a positive integer, got ${nb_inputs}`);
    }
    const init = opts.init ?? normal(0.1, 0.01);
    const values = init([nb_inputs], opts.rng ?? defaultRng());
    const chip = opts.chip ?? DEFAULT_CHIP;
    super(
      'frontend',
      [nb_inputs],
      values,
      opts.quantization_bits ?? null,
      opts.stddev ?? null,
      chip.synapse.frontend,
      opts.name,
      chip.signGroupSize,
    );
    this.nb_inputs = nb_inputs;
    const filters = chip.filterCentersHz.length;
    if (nb_inputs !== filters) {
      (opts.warn ?? console.warn)(
        `Frontend on chip uses ${filters} filters. Using a different amount of neurons ${nb_inputs} is allowed but not respecting the chip constraints.`,
      );
    }
  }

  /** Number of output neurons (= `nb_inputs`). */
  get nb_outputs(): number {
    return this.nb_inputs;
  }

  /**
   * Element-wise product with the effective weight, over the whole sequence.
   * @param x - features `[B, T, N]`
   * @param opts - `impl: 'fused'` (typed-array `HwFrontendMul` kernel, default) or `'reference'`
   *   (`tf.mul`); both give identical values; `weight` replaces the effective weight
   * @returns currents `[B, T, N]`
   * @throws Error if `prepare_net` was not called first
   */
  apply(x: tf.Tensor3D, opts: { impl?: 'fused' | 'reference'; weight?: tf.Tensor } = {}): tf.Tensor3D {
    if (x.shape[2] !== this.nb_inputs) {
      throw new RangeError(`Frontend '${this.name}': input has ${x.shape[2]} channels, expected ${this.nb_inputs}`);
    }
    const w = (opts.weight ?? this.effectiveWeight()) as tf.Tensor1D;
    return opts.impl === 'reference' ? (tf.mul(x, w) as tf.Tensor3D) : frontendMul(x, w);
  }
}
