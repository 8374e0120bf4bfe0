/**
 * Hard constraints applied to the float weights after an optimizer step: every group of 5
 * consecutive post-synaptic weights of an input row keeps only the sign of its sum (the other
 * sign is set to 0), core weights are clipped to ±wMax, frontend weights stay positive. After
 * this, quantization cannot create a mixed-sign group, so the export is compliant by construction.
 */
import * as tf from '@tensorflow/tfjs';
import { LEARNABLE_TAU_RANGE_S, type HWNetwork } from '../layers/index.js';

export function projectSignGroups(values: Float32Array, nIn: number, nOut: number, group = 5): number {
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

/** Applies the hard constraints in place to the network's variables. */
export function applyHardConstraints(net: HWNetwork, opts: { signGroups: boolean; wMax?: number; frontendMin?: number }): void {
  const wMax = opts.wMax ?? 0.9;
  for (const syn of net.synapses()) {
    const [nIn, nOut] = syn.weight.shape as [number, number];
    const v = Float32Array.from(syn.weight.dataSync());
    if (opts.signGroups) projectSignGroups(v, nIn, nOut);
    for (let i = 0; i < v.length; i++) v[i] = Math.max(-wMax, Math.min(wMax, v[i]));
    tf.tidy(() => syn.weight.assign(tf.tensor(v, syn.weight.shape, 'float32')));
  }
  // Learnt time constants stay in a range the chip's leak can realise.
  const [lo, hi] = LEARNABLE_TAU_RANGE_S;
  for (const layer of net.hwLayers()) {
    const lt = layer.logTau;
    if (lt) tf.tidy(() => lt.assign(tf.clipByValue(lt, Math.log(lo), Math.log(hi))));
  }
  const fe = net.frontend();
  if (fe) {
    const lo = opts.frontendMin ?? 0.9 / 127;
    tf.tidy(() => fe.weight.assign(tf.clipByValue(fe.weight, lo, wMax)));
  }
}
