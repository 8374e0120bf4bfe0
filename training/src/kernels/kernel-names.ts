/**
 * Names and input/attribute contracts of the trainer's fused kernels (tfjs `kernel_names.ts`
 * style). The kernels are wired through `tf.customGrad` rather than the kernel registry, so the
 * names label them in errors, benchmarks and docs.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Surrogate } from '../surrogates/surrogates.js';

/** Fused H1v1 `HWLayer` over a whole sequence: LIF scan forward, BPTT backward. */
export const HwLayerScan = 'HwLayerScan';

/** Inputs of {@link HwLayerScan}. */
export interface HwLayerScanInputs {
  /** Input currents (charge per step), `[B, T, N]`, float32. */
  I: tf.Tensor3D;
  /** Per-neuron decay `β_i = exp(−dt/τ_i)`, `[N]`. Not differentiated. */
  beta: tf.Tensor1D;
}

/** Attributes of {@link HwLayerScan}. */
export interface HwLayerScanAttrs {
  /** Firing threshold θ (the chip profile's `neuron.threshold`). */
  theta: number;
  /** Surrogate derivative of the Heaviside step, evaluated at `v − θ`. */
  surrogate: Surrogate;
}

/**
 * The whole network (frontend or input synapse, dense synapses, in-core recurrence, LIF) over a
 * whole sequence as one op: fused forward, BPTT backward, worker threads over the batch.
 */
export const HwNetworkScan = 'HwNetworkScan';

/** Fused dense synapse over a whole sequence: `[B, T, K] × [K, N]`, typed-array backward. */
export const HwSynapseMatMul = 'HwSynapseMatMul';

/** Inputs of {@link HwSynapseMatMul}. */
export interface HwSynapseMatMulInputs {
  /** Pre-synaptic spikes `[B, T, K]`. */
  x: tf.Tensor3D;
  /** Effective weights `[K, N]`. */
  w: tf.Tensor2D;
}

/** Fused diagonal frontend synapse over a whole sequence: `[B, T, C] ⊙ [C]`. */
export const HwFrontendMul = 'HwFrontendMul';

/** Fake quantization with a straight-through estimator (see `quantize/fake-quantize.ts`). */
export const FakeQuantize = 'FakeQuantize';
