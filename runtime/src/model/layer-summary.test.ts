import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NwaveModel } from '../engine/nwave-model.js';
import { parseCheckpoint } from './checkpoint.js';
import type { Checkpoint } from './checkpoint-schema.js';
import { describeLayers } from './layer-summary.js';

const load = (file: string): Checkpoint => parseCheckpoint(readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8'), file);

/** Expected weights per layer from the shapes alone: one per frontend channel, inputs x size for dense. */
function shapeParameters(ck: Checkpoint): number[] {
  const channels = ck.filterbank.centerFrequenciesHz.length;
  return ck.network.layers.map((l, i) => {
    const inputs = i === 0 ? channels : ck.network.layers[i - 1].size;
    return l.type === 'frontend' ? inputs : inputs * l.size;
  });
}

describe('describeLayers', () => {
  it('tones fixture (13-10-3): every figure', () => {
    const ck = load('test/fixtures/models/tones.nwave.json');
    expect(describeLayers(ck)).toEqual([
      {
        name: 'frontend',
        type: 'frontend',
        inputs: 13,
        size: 13,
        bits: 8,
        wMax: 0.9,
        parameters: 13,
        recurrent: false,
        recurrentParameters: 0,
        tausS: 0.01,
        tauMinS: 0.01,
        tauMaxS: 0.01,
      },
      {
        name: 'hidden',
        type: 'dense',
        inputs: 13,
        size: 10,
        bits: 5,
        wMax: 0.9,
        parameters: 130,
        recurrent: false,
        recurrentParameters: 0,
        tausS: 0.064,
        tauMinS: 0.064,
        tauMaxS: 0.064,
      },
      {
        name: 'output',
        type: 'dense',
        inputs: 10,
        size: 3,
        bits: 5,
        wMax: 0.9,
        parameters: 30,
        recurrent: false,
        recurrentParameters: 0,
        tausS: 0.064,
        tauMinS: 0.064,
        tauMaxS: 0.064,
      },
    ]);
    const layers = describeLayers(ck);
    expect(layers.map((l) => l.parameters)).toEqual(ck.network.layers.map((l) => l.weights.codes.length));
    expect(layers.map((l) => l.parameters)).toEqual(shapeParameters(ck));
    expect(layers.reduce((a, l) => a + l.parameters, 0)).toBe(173);
    expect(new NwaveModel(ck).parameterCount).toBe(173);
  });

  it('models/default.nwave.json: figures from the weight arrays, per-neuron taus summarised', () => {
    const ck = load('models/default.nwave.json');
    const layers = describeLayers(ck);
    const channels = ck.filterbank.centerFrequenciesHz.length;
    expect(layers.map((l) => l.name)).toEqual(ck.network.layers.map((l) => l.name));
    expect(layers.map((l) => l.type)).toEqual(ck.network.layers.map((l) => l.type));
    // Inputs chain: the frontend takes the filterbank channels, each dense layer the previous layer's neurons.
    expect(layers.map((l) => l.inputs)).toEqual([channels, ...layers.slice(0, -1).map((l) => l.size)]);
    expect(layers.map((l) => l.size)).toEqual(ck.network.layers.map((l) => l.size));
    expect(layers.map((l) => [l.bits, l.wMax])).toEqual(ck.network.layers.map((l) => [l.weights.bits, l.weights.wMax]));
    const codes = ck.network.layers.map((l) => l.weights.codes.length);
    expect(layers.map((l) => l.parameters)).toEqual(codes);
    expect(layers.map((l) => l.parameters)).toEqual(shapeParameters(ck));
    const total = codes.reduce((a, b) => a + b, 0);
    expect(layers.reduce((a, l) => a + l.parameters, 0)).toBe(total);
    expect(new NwaveModel(ck).parameterCount).toBe(total);

    ck.network.layers.forEach((l, i) => {
      const t = l.neuron.tausS;
      const sorted = (Array.isArray(t) ? [...t] : [t]).sort((a, b) => a - b);
      expect(layers[i].tausS).toEqual(t);
      expect(layers[i].tauMinS).toBe(sorted[0]);
      expect(layers[i].tauMaxS).toBe(sorted.at(-1));
    });
    // The trained hidden layer has one τ per neuron, spread over a range.
    const hidden = layers.find((l) => Array.isArray(l.tausS))!;
    expect((hidden.tausS as number[]).length).toBe(hidden.size);
    expect(hidden.tauMinS).toBeLessThan(hidden.tauMaxS);
  });

  it('counts recurrent weights in the parameters of a recurrent layer', () => {
    const ck = structuredClone(load('test/fixtures/models/tones.nwave.json'));
    ck.version = 2;
    const hidden = ck.network.layers[1];
    if (hidden.type !== 'dense') throw new Error('fixture: layer 1 is dense');
    hidden.recurrentWeights = { bits: 5, wMax: 0.9, codes: new Array(100).fill(-1) };
    const checked = parseCheckpoint(ck, 'rec');
    const layers = describeLayers(checked);
    expect(layers.map((l) => [l.recurrent, l.recurrentParameters, l.parameters])).toEqual([
      [false, 0, 13],
      [true, 100, 230],
      [false, 0, 30],
    ]);
    expect(new NwaveModel(checked).parameterCount).toBe(273);
  });

  it('returns copies: editing a summary leaves the checkpoint alone', () => {
    const ck = load('models/default.nwave.json');
    const i = ck.network.layers.findIndex((l) => Array.isArray(l.neuron.tausS));
    const before = structuredClone(ck.network.layers[i].neuron.tausS);
    (describeLayers(ck)[i].tausS as number[])[0] = 123;
    expect(ck.network.layers[i].neuron.tausS).toEqual(before);
  });
});
