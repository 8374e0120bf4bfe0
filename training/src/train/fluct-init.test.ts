import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../layers/rng.js';
import { buildNetwork } from './build-network.js';
import { applyFluctInit } from './fluct-init.js';
import { DEFAULT_TRAIN_CONFIG } from './train-config.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Filterbank-like features: non-negative, a few units. */
function batch(seed: number) {
  const [B, T, C] = [8, 80, 13];
  const x = Float32Array.from(new Rng(seed).normalArray(B * T * C, 3, 3), (v) => Math.max(0, v));
  return { x, shape: [B, T, C] };
}

function rates(chip: string, xi: number | null): { rates: number[]; sigma: number[]; inputRate: number[] } {
  const net = buildNetwork(13, 2, { ...DEFAULT_TRAIN_CONFIG, chip, hidden: [40], seed: 2 }, 8e-3);
  const b = batch(5);
  const init = xi === null ? [] : applyFluctInit(net, b, xi);
  const sigma = init.map((l) => l.sigmaW);
  const r = tf.tidy(() => net.forward(tf.tensor3d(b.x, b.shape as [number, number, number])).spikes.map((s) => tf.mean(s).dataSync()[0]));
  if (xi !== null) {
    const w = Float32Array.from(net.synapses()[0].weight.dataSync());
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(net.chip.synapse.core.wMax);
    // Drawn at the predicted spread where the chip's range does not clip it.
    if (sigma[0] < net.chip.synapse.core.wMax / 4) {
      const sd = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
      expect(sd / sigma[0]).toBeGreaterThan(0.9);
      expect(sd / sigma[0]).toBeLessThan(1.1);
    }
  }
  net.dispose();
  return { rates: r, sigma, inputRate: init.map((l) => l.inputRate) };
}

describe('fluctuation-driven init', () => {
  it.each(['h1v1', 'h1v2'])('%s: a larger ξ starts every core layer quieter; weights in charge units of the chip', (chip) => {
    const loud = rates(chip, 0.5);
    const quiet = rates(chip, 2);
    expect(loud.rates[1]).toBeGreaterThan(quiet.rates[1]);
    expect(loud.rates[2]).toBeGreaterThan(quiet.rates[2]);
    expect(loud.rates[1]).toBeGreaterThan(0.02);
    // Same ξ, 4x the σ for ξ 4x smaller (the hidden layer sees the same input).
    expect(loud.sigma[0] / quiet.sigma[0]).toBeCloseTo(4, 6);
  });

  it('the charge map is honoured: H1v2 weights are 1.66/0.9 times H1v1 for the same membrane spread', () => {
    const v1 = rates('h1v1', 1);
    const v2 = rates('h1v2', 1);
    // The hidden τ differ (64 ms vs 50 ms snapped) and so do the input rates (subtractive reset).
    const b1 = Math.exp(-8e-3 / 0.064);
    const b2 = Math.exp(-8e-3 / 0.05);
    const expected = (1.66 / 0.9) * Math.sqrt(((1 - b2 * b2) / (1 - b1 * b1)) * (v1.inputRate[0] / v2.inputRate[0]));
    expect(v2.sigma[0] / v1.sigma[0]).toBeCloseTo(expected, 4);
  });
});
