/**
 * Fluctuation-driven initialisation (nwavesdk 1.0 `fluct_init`, after Rossbroich, Gygax & Zenke
 * 2022): each core layer's weights are drawn so that its neurons' membrane, driven by the spikes
 * the layer actually receives, sits `ξ` standard deviations below threshold: `ξ = (θ − μ_U)/σ_U`.
 *
 * nwave-ts's reading (the SDK documents the target, not the formulas): zero-mean weights
 * (μ_U = 0), and shot-noise (Campbell) statistics of a leaky sum of Bernoulli spike trains,
 * `σ_U² = n·ν·σ²·Σ_k β^{2k} = n·ν·σ²/(1 − β²)` with n inputs firing ν per step, σ the std of the
 * effective weight (charge units) and β the layer's mean decay; hence `σ = (θ/ξ)·√((1 − β²)/(n·ν))`.
 * Layers are set in order, each measured on the batch with the layers before it already set.
 * The frontend keeps its init (its one weight per channel is a gain, not a fan-in); recurrent
 * weights keep theirs.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, type HWNetwork } from '../layers/index.js';

export interface FluctInitLayer {
  layer: string;
  /** Mean input spikes per input neuron per step on the batch. */
  inputRate: number;
  /** Std of the drawn weights, weight units (0 when the input was silent and the init was kept). */
  sigmaW: number;
}

/**
 * Re-draws every dense synapse of `net` (see the module comment).
 * @param batch - one training batch `{x, shape: [B, T, C]}`
 * @param xi - target ξ (larger: quieter start)
 * @param rng - weight generator @defaultValue a generator seeded with 1
 */
export function applyFluctInit(
  net: HWNetwork,
  batch: { x: Float32Array; shape: readonly number[] },
  xi: number,
  rng: Rng = new Rng(1),
): FluctInitLayer[] {
  const { chip } = net;
  const theta = chip.neuron.threshold;
  const charge = chip.synapse.core.chargeScale;
  const wMax = chip.synapse.core.wMax;
  const lifs = net.hwLayers();
  const out: FluctInitLayer[] = [];
  const input = tf.tensor3d(batch.x, batch.shape as [number, number, number]);
  try {
    for (let l = 1; l < lifs.length; l++) {
      const syn = net.synapses().find((s) => s.name === net.layers[2 * l].name);
      if (!syn) continue;
      const inputRate = tf.tidy(() => tf.mean(net.forward(input).spikes[l - 1]).dataSync()[0]);
      const beta = lifs[l].nominalBeta();
      const b = beta.reduce((a, x) => a + x, 0) / beta.length;
      const n = syn.nb_inputs;
      if (!(inputRate > 0)) {
        out.push({ layer: syn.name, inputRate, sigmaW: 0 });
        continue;
      }
      const sigmaEff = (theta / xi) * Math.sqrt((1 - b * b) / (n * inputRate));
      const sigmaW = sigmaEff / charge;
      const values = rng.normalArray(syn.weight.size, 0, sigmaW).map((w) => Math.max(-wMax, Math.min(wMax, w)));
      tf.tidy(() => syn.weight.assign(tf.tensor(values, syn.weight.shape, 'float32')));
      out.push({ layer: syn.name, inputRate, sigmaW });
    }
  } finally {
    input.dispose();
  }
  return out;
}
