/**
 * Resolves the "model or weights" argument that the hardware losses accept, the way the SDK's
 * `topology_loss(model, …)` takes a module.
 */
import * as tf from '@tensorflow/tfjs';
import type { ChipProfile } from '@nwave/runtime';
import { DEFAULT_CHIP } from '../chip.js';
import { HWWeightModule } from '../layers/hw-weight.js';
import { HWSynapse } from '../layers/hw-synapse.js';
import type { ModuleContainer } from '../layers/prepare-net.js';

/** A model (its `HWSynapse` weights are used) or an explicit list of modules / weight tensors. */
export type WeightSource = ModuleContainer | readonly (HWWeightModule | tf.Tensor)[];

/** The chip a weight source is built for: a container's, else the default chip. */
export function chipOfSource(src: WeightSource): ChipProfile {
  return (!Array.isArray(src) && (src as ModuleContainer).chip) || DEFAULT_CHIP;
}

/**
 * Weight tensors named by a {@link WeightSource}: for a container, the raw (float, trainable)
 * weights of its `HWSynapse` modules; for a list, each module's weight or each tensor as given
 * (a `Frontend` counts only when listed explicitly).
 * @param src - model or list
 * @returns the weight tensors
 */
export function resolveWeights(src: WeightSource): tf.Tensor[] {
  if (Array.isArray(src)) {
    return (src as readonly (HWWeightModule | tf.Tensor)[]).map((w) => (w instanceof HWWeightModule ? w.weight : w));
  }
  return (src as ModuleContainer)
    .modules()
    .filter((m): m is HWSynapse => m instanceof HWSynapse)
    .map((m) => m.weight);
}
