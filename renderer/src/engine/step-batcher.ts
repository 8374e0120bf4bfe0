/**
 * Packs the spikes and features of consecutive steps into one transferable batch per display
 * frame (a step is 8 ms; a 60 Hz frame holds about two). Buffers grow geometrically and are
 * handed over (transferred) by `take()`.
 */
import type { StepView } from '@nwave/runtime';
import type { StepBatch } from './engine-messages.js';

export class StepBatcher {
  private readonly neurons: number;
  private spikes: Uint8Array;
  private features: Float32Array;
  private count = 0;
  private firstStep = 0;

  constructor(
    readonly layerSizes: readonly number[],
    readonly channels: number,
    readonly dtS: number,
    initialSteps = 16,
  ) {
    this.neurons = layerSizes.reduce((a, b) => a + b, 0);
    this.spikes = new Uint8Array(initialSteps * this.neurons);
    this.features = new Float32Array(initialSteps * channels);
  }

  get pending(): number {
    return this.count;
  }

  /** Copies one step (the runtime's views are reused, so they must be copied now). */
  push(view: StepView): void {
    if (this.count === 0) this.firstStep = view.step;
    if ((this.count + 1) * this.neurons > this.spikes.length) {
      const s = new Uint8Array(this.spikes.length * 2);
      s.set(this.spikes);
      this.spikes = s;
      const f = new Float32Array(this.features.length * 2);
      f.set(this.features);
      this.features = f;
    }
    let o = this.count * this.neurons;
    for (const layer of view.spikes) {
      this.spikes.set(layer, o);
      o += layer.length;
    }
    this.features.set(view.features, this.count * this.channels);
    this.count++;
  }

  /** The pending steps as a batch (own buffers, safe to transfer), or null when there are none. */
  take(): StepBatch | null {
    if (this.count === 0) return null;
    const batch: StepBatch = {
      firstStep: this.firstStep,
      count: this.count,
      dtS: this.dtS,
      layerSizes: [...this.layerSizes],
      spikes: this.spikes.slice(0, this.count * this.neurons),
      channels: this.channels,
      features: this.features.slice(0, this.count * this.channels),
    };
    this.count = 0;
    return batch;
  }

  clear(): void {
    this.count = 0;
  }
}
