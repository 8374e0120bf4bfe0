/**
 * Bit-exact integer simulation of Frontend -> HWLayer -> (HWSynapse -> HWLayer)*.
 * Per neuron i and step t, all integers (see fixed-point-format.ts for the units):
 *
 *   leaked = floor((v⁺[i] · B[i] + 2^(L-1)) / 2^L)          round half up
 *   I      = frontend: floor((x_int[i] · W[i] + 2^(F-1)) / 2^F)
 *            dense:    Σ W[j][i] over inputs j that spiked this step
 *                      + Σ W_rec[k][i] over this layer's neurons k that spiked the step before
 *                      (recurrent layers only; none before the first step after a reset)
 *   v      = max(0, leaked + I)                            non-negative membrane
 *   spike  = v >= θ_i                                      θ_i: per-neuron threshold (all θ on a nominal chip)
 *   v⁺[i]  = spike ? 0 : v                                 zero reset (H1v1)
 *   v⁺[i]  = spike ? min(C, v − θ_i) : v                   subtractive reset clamped at 0 (H1v2; v − θ_i >= 0
 *                                                           already), C = the chip's membrane ceiling
 *
 * Integer sums are exact in any order (|I| < 2^31, checked at compile time), so the recurrent term
 * is added first, while the layer's `active` list still holds the previous step's spikes.
 * v⁺ < max(θ_i, C) < 2^31 always (compile-time checks), so every product stays below 2^53 and float64 holds it exactly:
 * the same integers on every platform. State is kept in typed arrays that callers may read
 * after each `step` (spikes for rasters, membranes for debugging) at no extra cost.
 */
import type { FixedPointModel } from './fixed-point-format.js';
import { MAX_INPUT_INT } from './fixed-point-format.js';

export class FixedPointNetwork {
  readonly model: FixedPointModel;
  /** Spikes of the last step, per layer (0/1). Live views: copy to keep. */
  readonly spikes: Uint8Array[];
  /** Membrane after reset of the last step, per layer, in membrane units. Live views. */
  readonly membranes: Int32Array[];
  /** Indices of the neurons that spiked in the last step, per layer (first `spikeCounts[l]`). */
  readonly active: Int32Array[];
  /** Number of spikes in the last step, per layer. */
  readonly spikeCounts: Int32Array;
  private readonly current: Int32Array[];
  private readonly inputScale: number;
  private readonly inputHalf: number;
  private readonly inputInv: number;
  private readonly leakHalf: number;
  private readonly leakInv: number;

  constructor(model: FixedPointModel) {
    this.model = model;
    this.spikes = model.layers.map((l) => new Uint8Array(l.size));
    this.membranes = model.layers.map((l) => new Int32Array(l.size));
    this.active = model.layers.map((l) => new Int32Array(l.size));
    this.current = model.layers.map((l) => new Int32Array(l.size));
    this.spikeCounts = new Int32Array(model.layers.length);
    this.inputScale = 2 ** model.inputFracBits;
    this.inputHalf = model.inputFracBits > 0 ? 2 ** (model.inputFracBits - 1) : 0;
    this.inputInv = 2 ** -model.inputFracBits;
    this.leakHalf = 2 ** (model.leakFracBits - 1);
    this.leakInv = 2 ** -model.leakFracBits;
  }

  /** Number of input channels (filterbank features per step). */
  get inputSize(): number {
    return this.model.layers[0].size;
  }

  /** Zeroes membranes and spikes (start of a clip). */
  reset(): void {
    for (const m of this.membranes) m.fill(0);
    for (const s of this.spikes) s.fill(0);
    this.spikeCounts.fill(0);
  }

  /** Quantizes one feature to the integer input grid. */
  quantizeInput(x: number): number {
    if (!(x > 0)) return 0; // also maps NaN to 0
    const v = Math.floor(x * this.inputScale + 0.5);
    return v > MAX_INPUT_INT ? MAX_INPUT_INT : v;
  }

  /**
   * Advances one time step with one frame of filterbank features (length = channels).
   * @returns the output layer's spikes (a live view).
   */
  step(features: ArrayLike<number>): Uint8Array {
    const layers = this.model.layers;
    // The chip's reset: zero (H1v1) or v − θ_i capped at the membrane ceiling C (H1v2).
    const subtract = this.model.reset === 'subtractive-clamped';
    const ceiling = subtract ? this.model.membraneCeilingInt : 0;
    const leakHalf = this.leakHalf;
    const leakInv = this.leakInv;
    // Frontend: one weight per channel.
    {
      const l = layers[0];
      const w = l.weights;
      const b = l.leak;
      const vm = this.membranes[0];
      const sp = this.spikes[0];
      const act = this.active[0];
      const th = l.thresholds;
      const scale = this.inputScale;
      const half = this.inputHalf;
      const inv = this.inputInv;
      let n = 0;
      for (let i = 0; i < l.size; i++) {
        const x = features[i];
        let xq = x > 0 ? Math.floor(x * scale + 0.5) : 0;
        if (xq > MAX_INPUT_INT) xq = MAX_INPUT_INT;
        const cur = Math.floor((xq * w[i] + half) * inv);
        let v = Math.floor((vm[i] * b[i] + leakHalf) * leakInv) + cur;
        if (v < 0) v = 0;
        const theta = th[i];
        if (v >= theta) {
          const rest = v - theta;
          vm[i] = subtract ? (rest < ceiling ? rest : ceiling) : 0;
          sp[i] = 1;
          act[n++] = i;
        } else {
          vm[i] = v;
          sp[i] = 0;
        }
      }
      this.spikeCounts[0] = n;
    }
    // Dense layers: event-driven accumulation of the rows of the inputs that spiked.
    for (let li = 1; li < layers.length; li++) {
      const l = layers[li];
      const size = l.size;
      const w = l.weights;
      const cur = this.current[li];
      cur.fill(0);
      const rec = l.recurrentWeights;
      if (rec !== undefined) {
        // In-core recurrence: rows of W_rec of this layer's spikes at t-1 (`active` not yet overwritten).
        const ownAct = this.active[li];
        const nOwn = this.spikeCounts[li];
        for (let k = 0; k < nOwn; k++) {
          const row = ownAct[k] * size;
          for (let j = 0; j < size; j++) cur[j] += rec[row + j];
        }
      }
      const prevAct = this.active[li - 1];
      const nPrev = this.spikeCounts[li - 1];
      for (let k = 0; k < nPrev; k++) {
        const row = prevAct[k] * size;
        for (let j = 0; j < size; j++) cur[j] += w[row + j];
      }
      const b = l.leak;
      const vm = this.membranes[li];
      const sp = this.spikes[li];
      const act = this.active[li];
      const th = l.thresholds;
      let n = 0;
      for (let i = 0; i < size; i++) {
        let v = Math.floor((vm[i] * b[i] + leakHalf) * leakInv) + cur[i];
        if (v < 0) v = 0;
        const theta = th[i];
        if (v >= theta) {
          const rest = v - theta;
          vm[i] = subtract ? (rest < ceiling ? rest : ceiling) : 0;
          sp[i] = 1;
          act[n++] = i;
        } else {
          vm[i] = v;
          sp[i] = 0;
        }
      }
      this.spikeCounts[li] = n;
    }
    return this.spikes[layers.length - 1];
  }
}
