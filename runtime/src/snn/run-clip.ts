/** Whole-clip simulation: reset, run T frames, count spikes (the tutorial's `accuracy` input). */
import type { FixedPointNetwork } from './fixed-point-network.js';

export interface ClipRun {
  /** Spike count per neuron, per layer. */
  counts: Int32Array[];
  /** Total spikes per layer. */
  totals: number[];
  /** Frames simulated. */
  steps: number;
  /** Per-layer rasters [T][N] (0/1), only when `record` is set. */
  rasters?: Uint8Array[];
}

/**
 * Runs a network from rest over `steps` frames of features (row-major [T][C]).
 * @param record also return each layer's spike raster.
 */
export function runClip(net: FixedPointNetwork, features: ArrayLike<number>, steps: number, record = false): ClipRun {
  const channels = net.inputSize;
  const layers = net.model.layers;
  const counts = layers.map((l) => new Int32Array(l.size));
  const totals = layers.map(() => 0);
  const rasters = record ? layers.map((l) => new Uint8Array(steps * l.size)) : undefined;
  const frame = new Float64Array(channels);
  net.reset();
  for (let t = 0; t < steps; t++) {
    const base = t * channels;
    for (let c = 0; c < channels; c++) frame[c] = features[base + c];
    net.step(frame);
    for (let li = 0; li < layers.length; li++) {
      const n = net.spikeCounts[li];
      if (n === 0) continue;
      totals[li] += n;
      const act = net.active[li];
      const cnt = counts[li];
      for (let k = 0; k < n; k++) cnt[act[k]]++;
      if (rasters) {
        const r = rasters[li];
        const off = t * layers[li].size;
        for (let k = 0; k < n; k++) r[off + act[k]] = 1;
      }
    }
  }
  return { counts, totals, steps, ...(rasters ? { rasters } : {}) };
}
