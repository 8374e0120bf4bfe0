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

/** Core weights are kept in ±this range; a frontend weight at least its lower bound. */
const DEFAULT_W_MAX = 0.9;
const DEFAULT_FRONTEND_MIN = 0.9 / 127;

/**
 * The hard constraints of one core weight matrix, in place: sign groups (when asked), then ±wMax.
 * (One definition, shared by {@link applyHardConstraints} and the fused training step.)
 */
export function constrainSynapse(v: Float32Array, nIn: number, nOut: number, signGroups: boolean, wMax = DEFAULT_W_MAX): void {
  if (signGroups) projectSignGroups(v, nIn, nOut);
  for (let i = 0; i < v.length; i++) v[i] = Math.max(-wMax, Math.min(wMax, v[i]));
}

/** Learnt time constants stay in a range the chip's leak can realise (log τ, in place). */
export function constrainLogTau(v: Float32Array): void {
  const lo = Math.fround(Math.log(LEARNABLE_TAU_RANGE_S[0]));
  const hi = Math.fround(Math.log(LEARNABLE_TAU_RANGE_S[1]));
  for (let i = 0; i < v.length; i++) v[i] = Math.max(lo, Math.min(hi, v[i]));
}

/** Frontend weights stay positive and within range (in place). */
export function constrainFrontend(v: Float32Array, wMax = DEFAULT_W_MAX, frontendMin = DEFAULT_FRONTEND_MIN): void {
  const lo = Math.fround(frontendMin);
  const hi = Math.fround(wMax);
  for (let i = 0; i < v.length; i++) v[i] = Math.max(lo, Math.min(hi, v[i]));
}

/** Applies the hard constraints in place to the network's variables. */
export function applyHardConstraints(net: HWNetwork, opts: { signGroups: boolean; wMax?: number; frontendMin?: number }): void {
  const assign = (variable: tf.Variable, fix: (v: Float32Array) => void): void => {
    const v = Float32Array.from(variable.dataSync());
    fix(v);
    tf.tidy(() => variable.assign(tf.tensor(v, variable.shape, 'float32')));
  };
  for (const syn of net.synapses()) {
    const [nIn, nOut] = syn.weight.shape as [number, number];
    assign(syn.weight, (v) => constrainSynapse(v, nIn, nOut, opts.signGroups, opts.wMax));
  }
  for (const layer of net.hwLayers()) if (layer.logTau) assign(layer.logTau, constrainLogTau);
  const fe = net.frontend();
  if (fe) assign(fe.weight, (v) => constrainFrontend(v, opts.wMax, opts.frontendMin));
}
