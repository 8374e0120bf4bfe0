/**
 * `HWLayer`: the H1v1 neuron layer (NWAVE reference §5.3). No trainable parameters; the
 * whole-sequence dynamics run in the fused `hwLayerScan` kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { hwLayerScan, HW_THRESHOLD, type HwLayerScanResult } from '../kernels/hw-layer-scan.js';
import { hwLayerScanReference } from '../kernels/hw-layer-reference.js';
import { fast_sigmoid, type Surrogate } from '../surrogates/surrogates.js';
import type { HWSynapse } from './hw-synapse.js';
import type { Rng } from './rng.js';

/** Spread of the leak mismatch: `τ_i = τ·exp(LEAK_MISMATCH_SIGMA·ε_i)`. */
export const LEAK_MISMATCH_SIGMA = 0.1;

/** Range a learnable τ is kept in (s). */
export const LEARNABLE_TAU_RANGE_S: readonly [number, number] = [1e-3, 1];

/**
 * Which implementation runs the network: `fused` (whole network as one op per forward and per
 * backward, worker threads), `layerwise` (one fused op per synapse and per layer) or `reference`
 * (per-step tfjs ops, autodiff BPTT).
 */
export type ScanImpl = 'fused' | 'layerwise' | 'reference';

/** Options of {@link HWLayer}. */
export interface HWLayerOptions {
  /** Surrogate gradient of the spike. @defaultValue fast_sigmoid(25) */
  spike_grad?: Surrogate;
  /** Redraw `τ_i = τ·exp(0.1·ε_i)` at every `prepare_net`. @defaultValue false */
  ileak_mismatch?: boolean;
  /** Module name. */
  name?: string;
  /**
   * In-core recurrence: `I_t += s_{t−1} @ W_rec` with this `[n, n]` synapse (row = presynaptic
   * neuron at t−1). The layer must fit one core. @defaultValue none
   */
  recurrent?: HWSynapse;
  /** Train the per-neuron τ (as log τ, kept in {@link LEARNABLE_TAU_RANGE_S}). @defaultValue false */
  learnTaus?: boolean;
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
  /** Recurrent synapse `[n, n]`, or null. */
  readonly recurrent: HWSynapse | null;
  /** Trainable log τ per neuron when τ is learnt, else null. */
  readonly logTau: tf.Variable | null;
  private betaNow: Float32Array;
  private betaT: tf.Tensor1D | null = null;

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
    this.recurrent = opts.recurrent ?? null;
    if (this.recurrent && (this.recurrent.nb_inputs !== n_neurons || this.recurrent.nb_outputs !== n_neurons)) {
      throw new RangeError(`HWLayer '${this.name}': recurrent synapse must be ${n_neurons}x${n_neurons}`);
    }
    if (opts.learnTaus) {
      const init = tf.tensor1d(
        Array.from(t, (x) => Math.log(x)),
        'float32',
      );
      this.logTau = tf.variable(init, true, `${this.name}/log_tau_${nextId++}`);
      init.dispose();
    } else this.logTau = null;
    this.betaNow = this.nominalBeta();
  }

  /** @returns the current time constants (the learnt ones when τ is trained) */
  currentTaus(): Float32Array {
    return this.logTau ? Float32Array.from(this.logTau.dataSync(), (x) => Math.exp(x)) : this.taus;
  }

  /** @returns the nominal decays `exp(−dt/τ_i)` */
  nominalBeta(): Float32Array {
    return this.currentTaus().map((tau) => Math.exp(-this.dt / tau));
  }

  /**
   * Differentiable decay tensor built by the last `prepare` when τ is learnt (else null).
   * @returns `exp(−dt/(τ_i·m_i))`, m_i the leak mismatch factor
   */
  betaTensor(): tf.Tensor1D | null {
    return this.betaT && !this.betaT.isDisposed ? this.betaT : null;
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
    const taus = this.currentTaus();
    const factor = new Float32Array(this.n_neurons).fill(1);
    if (this.ileak_mismatch) for (let i = 0; i < factor.length; i++) factor[i] = Math.exp(LEAK_MISMATCH_SIGMA * rng.normal());
    this.betaNow = taus.map((tau, i) => Math.exp(-this.dt / (tau * factor[i])));
    if (this.betaT && !this.betaT.isDisposed) this.betaT.dispose();
    this.betaT = null;
    if (this.logTau) {
      const logTau = this.logTau;
      // β = exp(−dt·e^(−log τ)/m): on the tape, so the loss differentiates wrt log τ.
      this.betaT = tf.tidy(
        () => tf.exp(tf.mul(tf.exp(tf.neg(logTau)), tf.tensor1d(Array.from(factor, (m) => -this.dt / m)))) as tf.Tensor1D,
      );
    }
  }

  /**
   * Runs the layer over a whole sequence.
   * @param I - currents `[B, T, n_neurons]`
   * @param opts - implementation (`fused`/`layerwise` kernel or per-step `reference`; a recurrent or
   *   learnable-τ layer alone always runs the reference, the network's `fused` path covers it), membrane output
   * @returns spikes `[B, T, n_neurons]` (and the membrane after reset if asked)
   */
  apply(I: tf.Tensor3D, opts: HWLayerApplyOptions = {}): HwLayerScanResult {
    if (I.shape[2] !== this.n_neurons) {
      throw new RangeError(`HWLayer '${this.name}': input has ${I.shape[2]} neurons, expected ${this.n_neurons}`);
    }
    if (opts.impl === 'reference' || this.recurrent || this.logTau) {
      return hwLayerScanReference(I, this.betaTensor() ?? this.betaNow, {
        theta: this.threshold,
        surrogate: this.spike_grad,
        returnMem: opts.returnMem ?? false,
        wRec: this.recurrent ? (this.recurrent.effectiveWeight() as tf.Tensor2D) : undefined,
        learnBeta: this.logTau !== null,
      });
    }
    return hwLayerScan(I, this.betaNow, { theta: this.threshold, surrogate: this.spike_grad, returnMem: opts.returnMem ?? false });
  }

  /** Frees the learnable τ and the decay tensor (the recurrent synapse is a module of its own). */
  dispose(): void {
    if (this.betaT && !this.betaT.isDisposed) this.betaT.dispose();
    if (this.logTau && !this.logTau.isDisposed) this.logTau.dispose();
  }
}
