/**
 * `HWLayer`: the chip's neuron layer (NWAVE reference §5.3, §12): threshold, reset and neuron
 * mismatch come from the chip profile. The whole-sequence dynamics run in the fused
 * `hwLayerScan` kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { snapTau, type ChipProfile } from '@nwave/runtime';
import { DEFAULT_CHIP, kernelReset } from '../chip.js';
import type { KernelReset } from '../kernels/cpu/HwLayerScan.js';
import { hwLayerScan, type HwLayerScanResult } from '../kernels/hw-layer-scan.js';
import { hwLayerScanReference, stopGradient } from '../kernels/hw-layer-reference.js';
import { fast_sigmoid, type Surrogate } from '../surrogates/surrogates.js';
import type { HWSynapse } from './hw-synapse.js';
import type { Rng } from './rng.js';

/**
 * Range a learnable τ is kept in (s) on a chip whose taus are free (nwave-ts choice); a chip with
 * snapped taus keeps them between its shortest and longest profile ({@link learnableTauRangeS}).
 */
export const LEARNABLE_TAU_RANGE_S: readonly [number, number] = [1e-3, 1];

/** The range a learnt τ stays in on `chip`. */
export function learnableTauRangeS(chip: ChipProfile): readonly [number, number] {
  const rule = chip.neuron.tau;
  return rule.kind === 'free' ? LEARNABLE_TAU_RANGE_S : [Math.min(...rule.profilesS), Math.max(...rule.profilesS)];
}

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
  /**
   * Redraw the chip's neuron mismatch at every `prepare_net`: `τ_i = τ·exp(leakSpread·ε_i)` and,
   * on a chip with a threshold spread, `θ_i = θ·(1 + δ_i)`. @defaultValue false
   */
  ileak_mismatch?: boolean;
  /** The chip (threshold, reset, mismatch spreads). @defaultValue the default chip */
  chip?: ChipProfile;
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
  /** The currents already carry the threshold-spread scale (the network scales the weights). @defaultValue false */
  inputScaled?: boolean;
}

let nextId = 0;

/**
 * Hardware LIF layer: `v_t = max(0, β_i·v⁺_{t−1} + I_t)`, spike at `v ≥ θ`, the chip's reset,
 * `β_i = exp(−dt/τ_i)`.
 *
 * A threshold spread `θ_i = θ·(1 + δ_i)` is simulated by scaling the neuron's input by
 * `1/(1 + δ_i)` (dividing the neuron's whole dynamics by `θ_i/θ` leaves its spikes unchanged;
 * only the membrane ceiling then scales with θ_i, which the ceiling of 64 θ never notices).
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
  /** The chip. */
  readonly chip: ChipProfile;
  /** Threshold (fixed on chip). */
  readonly threshold: number;
  /** Reset after a spike (the chip's). */
  readonly reset: KernelReset;
  /** Recurrent synapse `[n, n]`, or null. */
  readonly recurrent: HWSynapse | null;
  /** Trainable log τ per neuron when τ is learnt, else null. */
  readonly logTau: tf.Variable | null;
  private betaNow: Float32Array;
  private inputScaleNow: Float32Array | null = null;
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
    this.chip = opts.chip ?? DEFAULT_CHIP;
    this.threshold = this.chip.neuron.threshold;
    this.reset = kernelReset(this.chip);
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
   * Per-neuron input scale `1/(1 + δ_i)` of the threshold spread drawn by the last `prepare`
   * (null without one).
   */
  get inputScale(): Float32Array | null {
    return this.inputScaleNow;
  }

  /**
   * `w` with each post-synaptic column scaled by {@link inputScale} (on the tape), or `w` itself.
   * @param w - `[N_in, N]` or `[N]` weights feeding this layer
   */
  scaleInput(w: tf.Tensor): tf.Tensor {
    const s = this.inputScaleNow;
    return s ? tf.mul(w, tf.tensor1d(s, 'float32')) : w;
  }

  /**
   * Resets the layer for a new batch; with `ileak_mismatch`, redraws the chip's neuron mismatch
   * (`τ_i = τ·exp(leakSpread·ε_i)`, then the threshold spread if the chip has one).
   * (Membranes are not stored between calls: every scan starts from `v⁺ = 0`.)
   * @param rng - source of ε
   */
  prepare(rng: Rng): void {
    const taus = this.currentTaus();
    const factor = new Float32Array(this.n_neurons).fill(1);
    const { leakSpread, thresholdSpread } = this.chip.mismatch;
    if (this.ileak_mismatch) for (let i = 0; i < factor.length; i++) factor[i] = Math.exp(leakSpread * rng.normal());
    this.inputScaleNow = null;
    if (this.ileak_mismatch && thresholdSpread > 0) {
      const s = new Float32Array(this.n_neurons);
      // θ_i kept positive as the runtime does (it clamps θ_i to one membrane unit).
      for (let i = 0; i < s.length; i++) s[i] = 1 / Math.max(1e-3, 1 + thresholdSpread * rng.normal());
      this.inputScaleNow = s;
    }
    // The τ the chip realises (a chip with τ profiles snaps; the export snaps the same way).
    const snapped = this.chip.neuron.tau.kind === 'snapped';
    const chipTaus = snapped ? taus.map((tau) => snapTau(this.chip, tau).tauS) : taus;
    this.betaNow = chipTaus.map((tau, i) => Math.exp(-this.dt / (tau * factor[i])));
    if (this.betaT && !this.betaT.isDisposed) this.betaT.dispose();
    this.betaT = null;
    if (this.logTau) {
      const logTau = this.logTau;
      const betaNow = this.betaNow;
      this.betaT = tf.tidy(() => {
        // β = exp(−dt·e^(−log τ)/m): on the tape, so the loss differentiates wrt log τ.
        const continuous = tf.exp(tf.mul(tf.exp(tf.neg(logTau)), tf.tensor1d(Array.from(factor, (m) => -this.dt / m)))) as tf.Tensor1D;
        if (!snapped) return continuous;
        // Straight-through: the forward runs the chip's snapped τ, the gradient moves the learnt one.
        return tf.add(continuous, stopGradient(tf.sub(tf.tensor1d(betaNow), continuous))) as tf.Tensor1D;
      });
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
    const scale = this.inputScaleNow;
    const input = scale && !opts.inputScaled ? (tf.mul(I, tf.tensor1d(scale, 'float32')) as tf.Tensor3D) : I;
    if (opts.impl === 'reference' || this.recurrent || this.logTau) {
      return hwLayerScanReference(input, this.betaTensor() ?? this.betaNow, {
        theta: this.threshold,
        reset: this.reset,
        surrogate: this.spike_grad,
        returnMem: opts.returnMem ?? false,
        wRec: this.recurrent ? (this.scaleInput(this.recurrent.effectiveWeight()) as tf.Tensor2D) : undefined,
        learnBeta: this.logTau !== null,
      });
    }
    return hwLayerScan(input, this.betaNow, {
      theta: this.threshold,
      reset: this.reset,
      surrogate: this.spike_grad,
      returnMem: opts.returnMem ?? false,
    });
  }

  /** Frees the learnable τ and the decay tensor (the recurrent synapse is a module of its own). */
  dispose(): void {
    if (this.betaT && !this.betaT.isDisposed) this.betaT.dispose();
    if (this.logTau && !this.logTau.isDisposed) this.logTau.dispose();
  }
}
