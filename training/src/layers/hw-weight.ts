/**
 * Shared machinery of the weight-carrying modules (`Frontend`, `HWSynapse`): a trainable
 * `tf.Variable` plus the effective weight `W_eff = c·q(W) + σ·ε` that `prepare_net` rebuilds
 * (q: the chip's weight grid, c: the chip's charge per unit weight, σ: synaptic mismatch).
 */
import * as tf from '@tensorflow/tfjs';
import type { SynapseKind } from '@nwave/runtime';
import { fakeQuantize } from '../quantize/fake-quantize.js';
import { quantizeCodes, quantStep } from '../quantize/quantize.js';
import { softSignGate } from './sign-annealing.js';
import type { Rng } from './rng.js';

let nextId = 0;

/** Float weights of one module, row-major. */
export interface FloatWeights {
  /** Module name. */
  name: string;
  /** Module kind. */
  kind: 'Frontend' | 'HWSynapse';
  /** `[N]` for a Frontend, `[N_in, N_out]` for an HWSynapse. */
  shape: number[];
  /** Float32 values. */
  values: Float32Array;
}

/** Integer codes of one module's weights (`null` codes when the module trains in float). */
export interface QuantizedWeights {
  /** Module name. */
  name: string;
  /** Module kind. */
  kind: 'Frontend' | 'HWSynapse';
  /** Weight shape. */
  shape: number[];
  /** Quantization bits, or `null` for float. */
  bits: number | null;
  /** Clipping range. */
  wMax: number;
  /** Δ = wMax/(2^(bits−1)−1), or `null` for float. */
  step: number | null;
  /** Codes `round(clip(w)/Δ)` (ties away from zero), or `null` for float. */
  codes: Int32Array | null;
}

/** Base of modules whose weight is quantized and perturbed by `prepare_net`. */
export abstract class HWWeightModule {
  abstract readonly kind: 'Frontend' | 'HWSynapse';
  /** Trainable float weight. */
  readonly weight: tf.Variable;
  /** Bits of the fake quantization, or `null` for float. */
  readonly quantization_bits: number | null;
  /** Std of the additive synaptic mismatch (weight units), or `null` for none. */
  readonly stddev: number | null;
  /** Clipping range of the quantizer (the chip's `wMax` of this kind of synapse). */
  readonly wMax: number;
  /** Charge per unit weight (the chip's `chargeScale` of this kind of synapse). */
  readonly chargeScale: number;
  /** Sign-group size of the soft sign gate (HWSynapse only). */
  readonly signGroupSize: number;
  /** Sharpness α of the soft sign gate (`SignAnnealing`), or null when off. */
  signAlpha: number | null = null;
  /** Module name (also the variable's name prefix). */
  readonly name: string;
  private eff: tf.Tensor | null = null;

  protected constructor(
    prefix: string,
    shape: number[],
    values: Float32Array,
    bits: number | null,
    stddev: number | null,
    synapse: SynapseKind,
    name: string | undefined,
    signGroupSize: number,
  ) {
    this.name = name ?? `${prefix}_${nextId++}`;
    this.quantization_bits = bits;
    this.stddev = stddev;
    this.wMax = synapse.wMax;
    this.chargeScale = synapse.chargeScale;
    this.signGroupSize = signGroupSize;
    const initial = tf.tensor(values, shape, 'float32');
    this.weight = tf.variable(initial, true, `${this.name}/weight_${nextId++}`);
    initial.dispose();
  }

  /**
   * Rebuilds the effective weight `c·fakeQuantize(gate(W)) + stddev·ε` (gate: the soft sign gate
   * while `SignAnnealing` runs; ε ~ N(0,1) redrawn from `rng`, not differentiated). Call it inside
   * the function being differentiated so the tape sees it.
   * @param rng - source of the mismatch noise
   */
  prepare(rng: Rng): void {
    if (this.eff !== null && this.eff !== this.weight && !this.eff.isDisposed) this.eff.dispose();
    const sd = this.stddev;
    const alpha = this.signAlpha;
    this.eff = tf.tidy(() => {
      const gated = alpha === null || this.weight.rank !== 2 ? this.weight : softSignGate(this.weight, alpha, this.signGroupSize);
      const fq = fakeQuantize(gated, this.quantization_bits, this.wMax);
      const q = this.chargeScale === 1 ? fq : tf.mul(fq, this.chargeScale);
      if (sd === null || sd === 0) return q;
      const noise = rng.normalArray(this.weight.size, 0, sd);
      return tf.add(q, tf.tensor(noise, this.weight.shape, 'float32'));
    });
  }

  /**
   * The effective weight built by the last {@link HWWeightModule.prepare}.
   * @returns `W_eff`
   * @throws Error if `prepare_net` was not called, or its result was disposed by a `tf.tidy`
   */
  effectiveWeight(): tf.Tensor {
    if (this.eff === null || this.eff.isDisposed) {
      throw new Error(
        `${this.kind} '${this.name}': effective weight missing; call prepare_net(model) before the forward pass (in the same tf.tidy / gradient function).`,
      );
    }
    return this.eff;
  }

  /**
   * Replaces the effective weight for the next forward (e.g. `W_eff + Δ`, one simulated chip's
   * synaptic deviation, in mismatch-robust training). The previous one is not disposed: a
   * gradient tape may still need it; the enclosing `tf.tidy` frees it.
   * @param w - weight-shaped tensor, weight units
   */
  useEffective(w: tf.Tensor): void {
    this.eff = w;
  }

  /** @returns a copy of the float weights */
  floatWeights(): FloatWeights {
    return { name: this.name, kind: this.kind, shape: [...this.weight.shape], values: Float32Array.from(this.weight.dataSync()) };
  }

  /** @returns the integer codes of the weights (`codes: null` when `quantization_bits` is null) */
  quantizedWeights(): QuantizedWeights {
    const bits = this.quantization_bits;
    const shape = [...this.weight.shape];
    if (bits === null) return { name: this.name, kind: this.kind, shape, bits, wMax: this.wMax, step: null, codes: null };
    const codes = quantizeCodes(this.weight.dataSync(), bits, this.wMax);
    return { name: this.name, kind: this.kind, shape, bits, wMax: this.wMax, step: quantStep(bits, this.wMax), codes };
  }

  /** Disposes the variable and the effective weight. */
  dispose(): void {
    if (this.eff !== null && this.eff !== this.weight && !this.eff.isDisposed) this.eff.dispose();
    this.eff = null;
    if (!this.weight.isDisposed) this.weight.dispose();
  }
}
