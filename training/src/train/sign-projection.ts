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
import type { ChipProfile } from '@nwave/runtime';
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

/**
 * The hard constraints of one core weight matrix, in place: sign groups of the chip's size (when
 * asked), then the chip's core ±wMax. (One definition, shared by {@link applyHardConstraints} and
 * the fused training step.)
 */
export function constrainSynapse(v: Float32Array, nIn: number, nOut: number, signGroups: boolean, chip: ChipProfile): void {
  if (signGroups) projectSignGroups(v, nIn, nOut, chip.signGroupSize);
  const wMax = chip.synapse.core.wMax;
  for (let i = 0; i < v.length; i++) v[i] = Math.max(-wMax, Math.min(wMax, v[i]));
}

/** Learnt time constants stay in a range the chip's leak can realise (log τ, in place). */
export function constrainLogTau(v: Float32Array, chip: ChipProfile): void {
  const [tLo, tHi] = learnableTauRangeS(chip);
  const lo = Math.fround(Math.log(tLo));
  const hi = Math.fround(Math.log(tHi));
  for (let i = 0; i < v.length; i++) v[i] = Math.max(lo, Math.min(hi, v[i]));
}

/**
 * Frontend weights stay in [one step of the export grid, the chip's frontend wMax] (in place).
 * @param bits - the frontend's export bits (the description's, else the chip's)
 */
export function constrainFrontend(v: Float32Array, chip: ChipProfile, bits: number): void {
  const feMax = chip.synapse.frontend.wMax;
  const lo = Math.fround(quantStep(bits, feMax));
  const hi = Math.fround(feMax);
  for (let i = 0; i < v.length; i++) v[i] = Math.max(lo, Math.min(hi, v[i]));
}

/** The frontend's export bits of a network (its description's, else its chip's). */
export function frontendBitsOf(net: HWNetwork): number {
  return net.description?.layers[0].bits ?? net.chip.synapse.frontend.maxBits;
}

/** Applies the hard constraints of the network's chip in place to the network's variables. */
export function applyHardConstraints(net: HWNetwork, opts: { signGroups: boolean }): void {
  const { chip } = net;
  const assign = (variable: tf.Variable, fix: (v: Float32Array) => void): void => {
    const v = Float32Array.from(variable.dataSync());
    fix(v);
    tf.tidy(() => variable.assign(tf.tensor(v, variable.shape, 'float32')));
  };
  for (const syn of net.synapses()) {
    const [nIn, nOut] = syn.weight.shape as [number, number];
    assign(syn.weight, (v) => constrainSynapse(v, nIn, nOut, opts.signGroups, chip));
  }
  for (const layer of net.hwLayers()) if (layer.logTau) assign(layer.logTau, (v) => constrainLogTau(v, chip));
  const fe = net.frontend();
  if (fe) assign(fe.weight, (v) => constrainFrontend(v, chip, frontendBitsOf(net)));
}
