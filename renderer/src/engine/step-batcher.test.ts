import { describe, expect, it } from 'vitest';
import type { StepView } from '@nwave/runtime';
import { StepBatcher } from './step-batcher.js';

function view(step: number, spikes: number[][], features: number[]): StepView {
  return {
    step,
    timeS: (step + 1) * 0.008,
    features: Float64Array.from(features),
    spikes: spikes.map((s) => Uint8Array.from(s)),
    spikeCounts: Int32Array.from(spikes.map((s) => s.reduce((a, b) => a + b, 0))),
    membranes: spikes.map((s) => new Int32Array(s.length)),
  };
}

describe('StepBatcher', () => {
  it('packs steps row-major (layers concatenated), grows, and hands over own buffers', () => {
    const b = new StepBatcher([2, 1], 2, 0.008, 1);
    expect(b.take()).toBeNull();
    const shared = view(5, [[1, 0], [1]], [0.5, 1.5]);
    b.push(shared);
    shared.spikes[0][0] = 0; // the runtime reuses its views: the batch must have copied
    b.push(view(6, [[0, 1], [0]], [2, 3]));
    b.push(view(7, [[1, 1], [1]], [4, 5]));
    const batch = b.take()!;
    expect(batch).toMatchObject({ firstStep: 5, count: 3, dtS: 0.008, layerSizes: [2, 1], channels: 2 });
    expect(Array.from(batch.spikes)).toEqual([1, 0, 1, 0, 1, 0, 1, 1, 1]);
    expect(Array.from(batch.features)).toEqual([0.5, 1.5, 2, 3, 4, 5]);
    expect(b.pending).toBe(0);
    b.push(view(8, [[0, 0], [1]], [0, 0]));
    expect(b.take()!.firstStep).toBe(8);
  });
});
