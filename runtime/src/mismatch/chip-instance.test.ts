import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { NwaveModel } from '../engine/nwave-model.js';
import { KeywordSpotter } from '../engine/keyword-spotter.js';
import { quantStep } from '../model/quantization.js';
import { chipInstanceModel, describeSimulatedChip, sampleChipInstance, sampleChips, simulatedChip } from './chip-instance.js';
import { chipSeed, seededRandom, standardNormal } from './random.js';

const fixture = new URL('../../../test/fixtures/models/tones.nwave.json', import.meta.url).pathname;
const model = NwaveModel.fromJSON(readFileSync(fixture, 'utf8'), 'tones');
const M = 2 ** model.fixedPoint.membraneFracBits;

function tone(freq: number, seconds = 1, rate = 16000): Float64Array {
  return Float64Array.from({ length: Math.round(seconds * rate) }, (_, i) => 0.3 * Math.sin((2 * Math.PI * freq * i) / rate));
}

describe('seeded random numbers', () => {
  it('repeat for a seed and look standard normal', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
    const rng = seededRandom(1);
    const xs = Array.from({ length: 20000 }, () => standardNormal(rng));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(sd).toBeGreaterThan(0.97);
    expect(sd).toBeLessThan(1.03);
    expect(new Set([0, 1, 2, 3].map((k) => chipSeed(5, k))).size).toBe(4);
  });
});

describe('sampleChipInstance', () => {
  it('gives the deployed integers exactly at stddev 0 without leak mismatch', () => {
    const fp = sampleChipInstance(model, seededRandom(3), { stddev: 0, leakMismatch: false });
    fp.layers.forEach((l, i) => {
      expect(Array.from(l.weights)).toEqual(Array.from(model.fixedPoint.layers[i].weights));
      expect(Array.from(l.leak)).toEqual(Array.from(model.fixedPoint.layers[i].leak));
    });
    expect(fp.thresholdInt).toBe(model.fixedPoint.thresholdInt);
  });

  it('adds N(0, stddev) to dense weights in weight units, leaves the frontend alone by default', () => {
    const stddev = 0.05;
    const fp = sampleChipInstance(model, seededRandom(11), { stddev, leakMismatch: false });
    expect(Array.from(fp.layers[0].weights)).toEqual(Array.from(model.fixedPoint.layers[0].weights));
    const diffs: number[] = [];
    fp.layers.slice(1).forEach((l, k) => {
      const spec = model.checkpoint.network.layers[k + 1];
      const step = quantStep(spec.weights.bits, spec.weights.wMax);
      l.floatWeights.forEach((w, i) => diffs.push(w - spec.weights.codes[i] * step));
      l.weights.forEach((w, i) => expect(Math.abs(w - l.floatWeights[i] * M)).toBeLessThanOrEqual(0.5));
    });
    const sd = Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length);
    expect(sd).toBeGreaterThan(stddev * 0.8);
    expect(sd).toBeLessThan(stddev * 1.2);
    const withFrontend = sampleChipInstance(model, seededRandom(11), { stddev, leakMismatch: false, frontend: true });
    expect(Array.from(withFrontend.layers[0].weights)).not.toEqual(Array.from(model.fixedPoint.layers[0].weights));
    // Same seed: the dense layers are the same chip whether the frontend is perturbed or not.
    expect(Array.from(withFrontend.layers[1].weights)).toEqual(Array.from(fp.layers[1].weights));
  });

  it('draws leak mismatch tau_i = tau exp(0.1 eps) per neuron', () => {
    const fp = sampleChipInstance(model, seededRandom(5), { stddev: 0 });
    const spec = model.checkpoint.network.layers[1];
    const logRatios = Array.from(fp.layers[1].beta, (b) => Math.log(-spec.neuron.dtS / Math.log(b) / (spec.neuron.tausS as number)));
    expect(new Set(fp.layers[1].leak).size).toBeGreaterThan(1);
    for (const r of logRatios) expect(Math.abs(r)).toBeLessThan(0.5); // |0.1 eps| < 0.5: eps within 5 sigma
    fp.layers.forEach((l) => l.leak.forEach((x, i) => expect(x).toBe(Math.round(l.beta[i] * 2 ** model.fixedPoint.leakFracBits))));
  });

  it('is the same chip at every stddev for one seed (paired Monte Carlo), different across chips', () => {
    const [a] = sampleChips(model, 1, 9, { stddev: 0.01, leakMismatch: false });
    const [b] = sampleChips(model, 2, 9, { stddev: 0.02, leakMismatch: false });
    const nominal = model.fixedPoint.layers[1].weights;
    a.layers[1].weights.forEach((w, i) =>
      expect(Math.abs(2 * (w - nominal[i]) - (b.layers[1].weights[i] - nominal[i]))).toBeLessThanOrEqual(2),
    );
    const chips = sampleChips(model, 3, 9);
    expect(Array.from(chips[0].layers[2].weights)).not.toEqual(Array.from(chips[1].layers[2].weights));
  });

  it('runs in classify and streaming like any model; large mismatch changes the outputs', () => {
    const chip = chipInstanceModel(model, sampleChipInstance(model, seededRandom(1)));
    expect(chip.fixedPoint).not.toBe(model.fixedPoint);
    expect(chip.classify(tone(400), 16000).label).toBe('low');
    expect(chip.classify(tone(4000), 16000).label).toBe('high');
    const spotter = new KeywordSpotter(chip, { inputSampleRateHz: 16000 });
    expect(spotter.process(Float64Array.from([...new Float64Array(8000), ...tone(400)])).map((e) => e.label)).toEqual(['low']);
    const counts = (m: NwaveModel) => m.classify(tone(4000), 16000).spikeCounts;
    const wild = chipInstanceModel(model, sampleChipInstance(model, seededRandom(1), { stddev: 1 }));
    expect(counts(wild)).not.toEqual(counts(model));
  });

  it('refuses a negative or non-finite stddev', () => {
    expect(() => sampleChipInstance(model, seededRandom(1), { stddev: -0.1 })).toThrow(InvalidArgumentError);
    expect(() => sampleChipInstance(model, seededRandom(1), { stddev: Number.NaN })).toThrow(InvalidArgumentError);
  });
});

describe('simulatedChip', () => {
  it("is chip k of a Monte Carlo run (sampleChips' draws), named after it", () => {
    const chip = simulatedChip(model, { index: 4, seed: 9 });
    const fromRun = sampleChips(model, 5, 9)[4];
    chip.fixedPoint.layers.forEach((l, i) => {
      expect(Array.from(l.weights)).toEqual(Array.from(fromRun.layers[i].weights));
      expect(Array.from(l.leak)).toEqual(Array.from(fromRun.layers[i].leak));
    });
    expect(chip.checkpoint).toBe(model.checkpoint);
    expect(describeSimulatedChip({ index: 4, seed: 9 })).toBe('simulated chip 4, seed 9');
    const other = simulatedChip(model, { index: 5, seed: 9 });
    expect(Array.from(other.fixedPoint.layers[1].weights)).not.toEqual(Array.from(chip.fixedPoint.layers[1].weights));
  });

  it('refuses an index or seed that is not a whole number in range, naming it', () => {
    for (const [bad, field] of [
      [{ index: -1, seed: 1 }, 'index'],
      [{ index: 1.5, seed: 1 }, 'index'],
      [{ index: 10_000, seed: 1 }, 'index'],
      [{ index: 0, seed: Number.NaN }, 'seed'],
      [{ index: 0, seed: 2 ** 32 }, 'seed'],
    ] as const) {
      expect(() => simulatedChip(model, bad)).toThrow(InvalidArgumentError);
      expect(() => simulatedChip(model, bad)).toThrow(new RegExp(`simulated chip ${field}`));
    }
  });
});

describe('mismatch on recurrent layers', () => {
  const recModel = NwaveModel.fromJSON(
    readFileSync(new URL('../../../test/fixtures/models/recurrent.nwave.json', import.meta.url).pathname, 'utf8'),
    'recurrent',
  );
  const nominal = recModel.fixedPoint.layers[1];

  it('perturbs recurrent weights like feed-forward ones, and keeps them exact at stddev 0', () => {
    const exact = sampleChipInstance(recModel, seededRandom(3), { stddev: 0, leakMismatch: false });
    expect(Array.from(exact.layers[1].recurrentWeights!)).toEqual(Array.from(nominal.recurrentWeights!));
    const chip = sampleChipInstance(recModel, seededRandom(3), { stddev: 0.036, leakMismatch: false });
    const rec = chip.layers[1].recurrentWeights!;
    const diffs = Array.from(rec, (w, i) => (w - nominal.recurrentWeights![i]) / M);
    const sd = Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length);
    expect(diffs.length).toBe(24 * 24);
    expect(sd).toBeGreaterThan(0.03);
    expect(sd).toBeLessThan(0.042);
    expect(chip.layers[1].floatRecurrentWeights![0]).toBeCloseTo(rec[0] / M, 4);
    // The simulated chip runs (and differs from the deployed network).
    const a = recModel.classify(tone(300), 16000).layerSpikes.map((l) => l.spikes);
    const b = chipInstanceModel(recModel, chip)
      .classify(tone(300), 16000)
      .layerSpikes.map((l) => l.spikes);
    expect(a[1]).toBeGreaterThan(0);
    expect(b).not.toEqual(a);
  });
});
