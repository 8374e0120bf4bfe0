import { describe, expect, it } from 'vitest';
import { H1V1_ESTIMATE } from '../model/chip-profile.js';
import { PowerMeter, getChipConsumption } from './chip-power.js';

describe('projected chip power (h1v1-estimate)', () => {
  it('reproduces NWAVE Tutorial 2: 66 neurons, 3,952 + 44 spikes per 1 s clip -> ~0.016 uW, ~16 nJ', () => {
    const p = getChipConsumption(
      [
        { name: 'frontend', neurons: 13, spikes: 5000, frontend: true },
        { name: 'hidden', neurons: 64, spikes: 3952 },
        { name: 'output', neurons: 2, spikes: 44 },
      ],
      1.0,
      H1V1_ESTIMATE,
    );
    expect(p.estimate).toBe(true);
    expect(p.totalW * 1e6).toBeCloseTo(0.016, 3);
    expect(p.energyJ * 1e9).toBeGreaterThan(15.5);
    expect(p.energyJ * 1e9).toBeLessThan(16.5);
    expect(p.staticW).toBeCloseTo(66 * 0.121e-9, 18);
    expect(p.layers[0].includedInTotal).toBe(false);
    expect(p.spikeRateHz).toBe(3996);
  });

  it('rolling meter equals the batch estimate over its window', () => {
    const layers = [
      { name: 'hidden', neurons: 4 },
      { name: 'out', neurons: 2 },
    ];
    const m = new PowerMeter(layers, 0.01, 10, H1V1_ESTIMATE);
    for (let t = 0; t < 25; t++) m.update([t % 3, 1]);
    // last 10 steps: t = 15..24 -> t%3 sums to 0+1+2+0+1+2+0+1+2+0 = 9, out 10
    const p = m.current();
    expect(p.durationS).toBeCloseTo(0.1, 12);
    expect(p.layers.map((l) => l.spikes)).toEqual([9, 10]);
    const ref = getChipConsumption(
      [
        { ...layers[0], spikes: 9 },
        { ...layers[1], spikes: 10 },
      ],
      0.1,
      H1V1_ESTIMATE,
    );
    expect(p.totalW).toBeCloseTo(ref.totalW, 20);
  });
});
