/**
 * `HWLayer`: the H1v1 neuron layer (NWAVE reference §5.3). No trainable parameters; the
 * whole-sequence dynamics run in the fused `hwLayerScan` kernel.
 */
import type * as tf from '@tensorflow/tfjs';
import { hwLayerScan, HW_THRESHOLD, type HwLayerScanResult } from '../kernels/hw-layer-scan.js';
import { hwLayerScanReference } from '../kernels/hw-layer-reference.js';
import { fast_sigmoid, type Surrogate } from '../surrogates/surrogates.js';
import type { Rng } from './rng.js';

/** Spread of the leak mismatch: `τ_i = τ·exp(LEAK_MISMATCH_SIGMA·ε_i)`. */
export const LEAK_MISMATCH_SIGMA = 0.1;

/** Which scan implementation runs the layer. */
export type ScanImpl = 'fused' | 'reference';

/** Options of {@link HWLayer}. */
export interface HWLayerOptions {
  /** Surrogate gradient of the spike. @defaultValue fast_sigmoid(25) */
  spike_grad?: Surrogate;
  /** Redraw `τ_i = τ·exp(0.1·ε_i)` at every `prepare_net`. @defaultValue false */
  ileak_mismatch?: boolean;
  /** Module name. */
  name?: string;
}

/** Options of {@link HWLayer.apply}. */
export interface HWLayerApplyOptions {
  /** Scan implementation. @defaultValue 'fused' */
  impl?: ScanImpl;
  /** Also return the membrane after reset. @defaultValue false */
  returnMem?: boolean;
}

let nextId = 0;

/**
 * Hardware LIF layer: `v_t = max(0, β_i·v⁺_{t−1} + I_t)`, spike at `v ≥ θ = 1`, zero reset,
 * `β_i = exp(−dt/τ_i)`.
 */
export class HWLayer {
  readonly kind = 'HWLayer' as const;
  /** Number of neurons. */
  readonly n_neurons: number;
  /** Nominal time constants τ_i (s), length `n_neurons`. */
  readonly taus: Float32Array;
  /** Simulation step (s). */
  readonly dt: number;
  /** Surrogate gradient. */
  readonly spike_grad: Surrogate;
  /** Whether `prepare_net` redraws the leak mismatch. */
  readonly ileak_mismatch: boolean;
  /** Module name. */
  readonly name: string;
  /** Threshold (fixed on chip). */
  readonly threshold = HW_THRESHOLD;
  private betaNow: Float32Array;

  /**
   * @param n_neurons - number of neurons
   * @param taus - membrane time constant(s) in seconds: one number or one per neuron
   * @param dt - simulation step in seconds
   * @param opts - surrogate, leak mismatch
   * @throws RangeError on a non-positive size, tau or dt, or a taus array of the wrong length
   */
  constructor(n_neurons: number, taus: number | ArrayLike<number>, dt: number, opts: HWLayerOptions = {}) {
    if (!Number.isInteger(n_neurons) || n_neurons < 1) {
      throw new RangeError(`HWLayer: n_neurons must be a positive integer, got ${n_neurons}`);
    }
    if (!(dt > 0)) throw new RangeError(`HWLayer: dt must be > 0 s, got ${dt}`);
    const t = typeof taus === 'number' ? new Float32Array(n_neurons).fill(taus) : Float32Array.from(taus);
    if (t.length !== n_neurons) throw new RangeError(`HWLayer: taus has ${t.length} entries, expected ${n_neurons}`);
    if (t.some((x) => !(x > 0))) throw new RangeError('HWLayer: every tau must be > 0 s');
    this.n_neurons = n_neurons;
    this.taus = t;
    this.dt = dt;
    this.spike_grad = opts.spike_grad ?? fast_sigmoid(25);
    this.ileak_mismatch = opts.ileak_mismatch ?? false;
    this.name = opts.name ?? `hwlayer_${nextId++}`;
    this.betaNow = this.nominalBeta();
  }

  /** @returns the nominal decays `exp(−dt/τ_i)` */
  nominalBeta(): Float32Array {
    return this.taus.map((tau) => Math.exp(-this.dt / tau));
  }

  /** Per-neuron decay used by the next forward (nominal, or as redrawn by `prepare_net`). */
  get beta(): Float32Array {
    return this.betaNow;
  }

  /**
   * Resets the layer for a new batch; with `ileak_mismatch`, redraws `τ_i = τ·exp(0.1·ε_i)`.
   * (Membranes are not stored between calls: every scan starts from `v⁺ = 0`.)
   * @param rng - source of ε
   */
  prepare(rng: Rng): void {
    if (!this.ileak_mismatch) {
      this.betaNow = this.nominalBeta();
      return;
    }
    const beta = new Float32Array(this.n_neurons);
    for (let i = 0; i < beta.length; i++) {
      const tau = this.taus[i] * Math.exp(LEAK_MISMATCH_SIGMA * rng.normal());
      beta[i] = Math.exp(-this.dt / tau);
    }
    this.betaNow = beta;
  }

  /**
   * Runs the layer over a whole sequence.
   * @param I - currents `[B, T, n_neurons]`
   * @param opts - implementation (`fused` kernel or per-step `reference`), membrane output
   * @returns spikes `[B, T, n_neurons]` (and the membrane after reset if asked)
   */
  apply(I: tf.Tensor3D, opts: HWLayerApplyOptions = {}): HwLayerScanResult {
    if (I.shape[2] !== this.n_neurons) {
      throw new RangeError(`HWLayer '${this.name}': input has ${I.shape[2]} neurons, expected ${this.n_neurons}`);
    }
    const scan = opts.impl === 'reference' ? hwLayerScanReference : hwLayerScan;
    return scan(I, this.betaNow, { theta: this.threshold, surrogate: this.spike_grad, returnMem: opts.returnMem ?? false });
  }

  /** Nothing to free (no tensors are held). */
  dispose(): void {}
}
