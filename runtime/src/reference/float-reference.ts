/**
 * A straightforward float64 implementation of the whole pipeline (filterbank, HWLayers,
 * spike counts), written for clarity, not speed. It is the yardstick of `npm run bench` and the
 * float side of the fixed-point parity tests: same equations, no integer rounding, dense loops.
 */
import type { Checkpoint } from '../model/checkpoint-schema.js';
import { getChipProfile, type ChipProfile } from '../model/chip-profile.js';
import { designPeakFilter } from '../dsp/filterbank-design.js';
import { codesToWeights } from '../model/quantization.js';

/** Filterbank features [T][C] of a clip at the model rate, sample by sample, channel by channel. */
export function referenceFeatures(samples: ArrayLike<number>, ck: Checkpoint): number[][] {
  const fb = ck.filterbank;
  const bin = Math.round(fb.binS * fb.sampleRateHz);
  const filters = fb.centerFrequenciesHz.map((f) => designPeakFilter(f, fb.q, fb.sampleRateHz));
  const state = filters.map(() => ({ x1: 0, x2: 0, y1: 0, y2: 0 }));
  const frames: number[][] = [];
  let acc = filters.map(() => 0);
  for (let n = 0; n < samples.length; n++) {
    const x = samples[n];
    filters.forEach((f, c) => {
      const s = state[c];
      const y = f.b0 * x + f.b2 * s.x2 - f.a1 * s.y1 - f.a2 * s.y2;
      s.x2 = s.x1;
      s.x1 = x;
      s.y2 = s.y1;
      s.y1 = y;
      acc[c] += Math.abs(y);
    });
    if ((n + 1) % bin === 0) {
      frames.push(acc.map((a) => (a / bin) * fb.gain));
      acc = filters.map(() => 0);
    }
  }
  return frames;
}

/**
 * Float64 HWLayer network of the chip: v = max(0, β·v⁺ + I), I = c·(x·W (+ s_{t-1}·W_rec)) with the
 * chip's charge per unit weight c, spike at v ≥ θ, then the chip's reset (zero, or v − θ capped at
 * the membrane ceiling).
 */
export class FloatReferenceNetwork {
  private readonly layers: { type: string; inputs: number; size: number; w: Float64Array; wRec?: Float64Array; beta: number[] }[];
  private readonly theta: number;
  private readonly subtract: boolean;
  private readonly ceiling: number;
  private v: number[][];
  spikes: number[][];

  constructor(ck: Checkpoint, chip: ChipProfile = getChipProfile(ck.chipProfile)) {
    this.theta = ck.network.threshold;
    this.subtract = chip.neuron.reset === 'subtractive-clamped';
    this.ceiling = chip.neuron.membraneCeiling * this.theta;
    const charge = (w: { codes: number[]; bits: number; wMax: number }, c: number) =>
      codesToWeights(w.codes, w.bits, w.wMax).map((x) => c * x);
    this.layers = ck.network.layers.map((l) => {
      const taus = Array.isArray(l.neuron.tausS) ? l.neuron.tausS : new Array<number>(l.size).fill(l.neuron.tausS);
      const c = (l.type === 'frontend' ? chip.synapse.frontend : chip.synapse.core).chargeScale;
      return {
        type: l.type,
        inputs: l.type === 'dense' ? l.inputs : l.size,
        size: l.size,
        w: charge(l.weights, c),
        ...(l.type === 'dense' && l.recurrentWeights ? { wRec: charge(l.recurrentWeights, c) } : {}),
        beta: taus.map((t) => Math.exp(-l.neuron.dtS / t)),
      };
    });
    this.v = this.layers.map((l) => new Array<number>(l.size).fill(0));
    this.spikes = this.layers.map((l) => new Array<number>(l.size).fill(0));
  }

  reset(): void {
    this.v = this.layers.map((l) => new Array<number>(l.size).fill(0));
    this.spikes = this.layers.map((l) => new Array<number>(l.size).fill(0));
  }

  step(features: ArrayLike<number>): number[] {
    let input: ArrayLike<number> = features;
    this.layers.forEach((l, li) => {
      const out = new Array<number>(l.size).fill(0);
      for (let j = 0; j < l.size; j++) {
        let cur = 0;
        if (l.type === 'frontend') cur = input[j] * l.w[j];
        else for (let i = 0; i < l.inputs; i++) cur += input[i] * l.w[i * l.size + j];
        // In-core recurrence: this layer's spikes of the previous step (zeros after a reset).
        if (l.wRec) for (let k = 0; k < l.size; k++) cur += this.spikes[li][k] * l.wRec[k * l.size + j];
        const v = Math.max(0, l.beta[j] * this.v[li][j] + cur);
        if (v >= this.theta) {
          out[j] = 1;
          this.v[li][j] = this.subtract ? Math.min(this.ceiling, v - this.theta) : 0;
        } else this.v[li][j] = v;
      }
      this.spikes[li] = out;
      input = out;
    });
    return this.spikes[this.spikes.length - 1];
  }

  /** Output spike counts of a whole clip from rest. */
  runClip(frames: ArrayLike<number>[]): number[][] {
    this.reset();
    const counts = this.layers.map((l) => new Array<number>(l.size).fill(0));
    for (const f of frames) {
      this.step(f);
      this.spikes.forEach((s, li) => s.forEach((x, j) => (counts[li][j] += x)));
    }
    return counts;
  }
}
