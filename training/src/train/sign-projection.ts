/**
 * Hard constraints applied to the float weights after an optimizer step, all from the network's
 * chip: every sign group (the chip's `signGroupSize` consecutive post-synaptic weights of an input
 * row) keeps only the sign of its sum (the other sign is set to 0), core weights are clipped to
 * the chip's core ±wMax, frontend weights to [one quantization step, frontend wMax] (positive
 * codes). After this, quantization cannot create a mixed-sign group, so the export is compliant
 * by construction.
 */
import * as tf from '@tensorflow/tfjs';
import { quantStep } from '../quantize/quantize.js';
import { learnableTauRangeS, type HWNetwork } from '../layers/index.js';

/**
 * Zeroes, in each group of `group` consecutive entries of a row, the entries against the sign of
 * the group's sum.
 * @returns how many entries were zeroed
 */
export function projectSignGroups(values: Float32Array, nIn: number, nOut: number, group: number): number {
  let zeroed = 0;
  for (let i = 0; i < nIn; i++) {
    for (let s = 0; s < nOut; s += group) {
      const e = Math.min(nOut, s + group);
      let sum = 0;
      for (let j = s; j < e; j++) sum += values[i * nOut + j];
      const sign = sum >= 0 ? 1 : -1;
      for (let j = s; j < e; j++) {
        const v = values[i * nOut + j];
        if (v * sign < 0) {
          values[i * nOut + j] = 0;
          zeroed++;
        }
      }
    }
  }
  return zeroed;
}

/** Applies the hard constraints of the network's chip in place to the network's variables. */
export function applyHardConstraints(net: HWNetwork, opts: { signGroups: boolean }): void {
  const { chip } = net;
  const wMax = chip.synapse.core.wMax;
  for (const syn of net.synapses()) {
    const [nIn, nOut] = syn.weight.shape as [number, number];
    const v = Float32Array.from(syn.weight.dataSync());
    if (opts.signGroups) projectSignGroups(v, nIn, nOut, chip.signGroupSize);
    for (let i = 0; i < v.length; i++) v[i] = Math.max(-wMax, Math.min(wMax, v[i]));
    tf.tidy(() => syn.weight.assign(tf.tensor(v, syn.weight.shape, 'float32')));
  }
  // Learnt time constants stay in a range the chip's leak can realise.
  const [lo, hi] = learnableTauRangeS(chip);
  for (const layer of net.hwLayers()) {
    const lt = layer.logTau;
    if (lt) tf.tidy(() => lt.assign(tf.clipByValue(lt, Math.log(lo), Math.log(hi))));
  }
  const fe = net.frontend();
  if (fe) {
    const feMax = chip.synapse.frontend.wMax;
    // The smallest positive code of the export grid (bits from the description, else the chip's).
    const feBits = net.description?.layers[0].bits ?? chip.synapse.frontend.maxBits;
    const lo = quantStep(feBits, feMax);
    tf.tidy(() => fe.weight.assign(tf.clipByValue(fe.weight, lo, feMax)));
  }
}
