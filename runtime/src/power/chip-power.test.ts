import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NwaveModel } from '../engine/nwave-model.js';
import { KeywordSpotter } from '../engine/keyword-spotter.js';
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

describe('power of a recurrent 4 x 64 network', () => {
  it('counts all 256 core neurons and every spike, recurrent ones included, in clip and live figures alike', () => {
    const path = new URL('../../../test/fixtures/models/recurrent-deep.nwave.json', import.meta.url).pathname;
    const model = NwaveModel.fromJSON(readFileSync(path, 'utf8'), 'recurrent-deep');
    const rate = 16000;
    const noise = Float64Array.from({ length: rate }, (_, i) => 0.3 * Math.sin(i * 0.2) * Math.sin(i * 0.0031));
    const clip = model.classify(noise, rate);
    const coreSpikes = clip.layerSpikes.slice(1).reduce((a, l) => a + l.spikes, 0);
    expect(coreSpikes).toBeGreaterThan(1000);
    expect(clip.power.staticW).toBeCloseTo(256 * H1V1_ESTIMATE.power.staticPerNeuronW, 18);
    expect(clip.power.dynamicW).toBeCloseTo((coreSpikes * H1V1_ESTIMATE.power.energyPerSpikeJ) / 1, 18);
    // The live meter over the same 1 s (125 steps) gives the same projection.
    const spot = new KeywordSpotter(model, { inputSampleRateHz: rate, powerWindowS: 1 });
    spot.process(model.prepareClip(noise, rate));
    expect(spot.power().totalW).toBeCloseTo(clip.power.totalW, 15);
  });
});
