import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CheckpointFormatError } from '../errors.js';
import { parseCheckpoint, serializeCheckpoint } from './checkpoint.js';

const FIXTURE = new URL('../../../test/fixtures/models/tones.nwave.json', import.meta.url);
const text = readFileSync(FIXTURE, 'utf8');
const clone = () => JSON.parse(text);

function expectError(input: unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    parseCheckpoint(input, 'bad.nwave.json');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CheckpointFormatError);
  const msg = (err as Error).message;
  expect(msg.startsWith('bad.nwave.json: ')).toBe(true);
  expect(msg).toMatch(pattern);
}

describe('checkpoint parsing', () => {
  it('reads the fixture and round-trips through serializeCheckpoint', () => {
    const ck = parseCheckpoint(text, 'tones');
    expect(ck.labels).toEqual(['high', 'low', '_background_']);
    expect(parseCheckpoint(serializeCheckpoint(ck))).toEqual(ck);
  });

  it('rejects truncated JSON, naming the file', () => expectError(text.slice(0, text.length / 2), /not valid JSON.*truncated/));
  it('rejects an empty file', () => expectError('  ', /empty/));
  it('rejects a non-checkpoint JSON', () => expectError('{"hello": 1}', /not an nwave checkpoint/));
  it('rejects a wrong version', () =>
    expectError({ ...clone(), version: 3 }, /unsupported checkpoint version 3; this runtime reads versions 1 and 2/));

  it('reads version-1 files as they are (the fixture is v1); the bundled model is v2 with a recurrent hidden layer', () => {
    expect(clone().version).toBe(1);
    expect(parseCheckpoint(text).version).toBe(1);
    expect(parseCheckpoint(text).network.layers.every((l) => l.type === 'frontend' || l.recurrentWeights === undefined)).toBe(true);
    const bundled = readFileSync(new URL('../../../models/default.nwave.json', import.meta.url), 'utf8');
    const ck = parseCheckpoint(bundled, 'default');
    expect(ck.version).toBe(2);
    const rec = ck.network.layers.flatMap((l) =>
      l.type === 'dense' && l.recurrentWeights ? [{ size: l.size, codes: l.recurrentWeights.codes }] : [],
    );
    expect(rec.length).toBeGreaterThan(0);
    for (const l of rec) expect(l.codes).toHaveLength(l.size * l.size);
  });

  /** The fixture as version 2 with a recurrent hidden layer (10 neurons). */
  const recurrent = () => {
    const ck = clone();
    ck.version = 2;
    const codes = Array.from({ length: 100 }, (_, i) => ((i * 7) % 31) - 15);
    ck.network.layers[1].recurrentWeights = { bits: 5, wMax: 0.9, codes };
    return ck;
  };

  it('reads version 2 with recurrent weights and round-trips them', () => {
    const ck = parseCheckpoint(recurrent(), 'rec');
    const hidden = ck.network.layers[1];
    expect(hidden.type === 'dense' && hidden.recurrentWeights?.codes.length).toBe(100);
    expect(parseCheckpoint(serializeCheckpoint(ck))).toEqual(ck);
  });

  it('rejects recurrent weights of the wrong length, outside the bit range, on a frontend or in a v1 file', () => {
    const short = recurrent();
    short.network.layers[1].recurrentWeights.codes.pop();
    expectError(short, /expected 100 codes \(10 x 10\), got 99 \(at network\.layers\[1\]\.recurrentWeights\.codes\)/);
    const big = recurrent();
    big.network.layers[1].recurrentWeights.codes[42] = -16;
    expectError(big, /code -16 outside ±15 for 5 bits \(at network\.layers\[1\]\.recurrentWeights\.codes\[42\]\)/);
    const v1 = recurrent();
    v1.version = 1;
    expectError(v1, /recurrent weights need checkpoint version 2/);
    const front = recurrent();
    front.network.layers[0].recurrentWeights = { bits: 8, wMax: 0.9, codes: [] };
    expectError(front, /network\.layers\[0\]/);
  });

  it('rejects unknown fields', () => {
    const ck = clone();
    ck.network.layers[1].bias = [0];
    expectError(ck, /network\.layers\[1\]/);
  });

  it('rejects wrong weight shapes', () => {
    const ck = clone();
    ck.network.layers[1].weights.codes.pop();
    expectError(ck, /expected 130 codes \(13 x 10\), got 129/);
  });

  it('rejects broken layer chaining', () => {
    const ck = clone();
    ck.network.layers[2].inputs = 9;
    expectError(ck, /expected 10 \(size of hidden\), got 9/);
  });

  it('rejects NaN and non-numbers in weights', () => {
    const ck = clone();
    ck.network.layers[1].weights.codes[3] = 'NaN';
    expectError(ck, /codes\[3\]/);
    const ck2 = clone();
    ck2.network.layers[1].weights.codes[3] = 0.5;
    expectError(ck2, /codes\[3\]/);
  });

  it('rejects codes outside the bit range', () => {
    const ck = clone();
    ck.network.layers[1].weights.codes[0] = 16;
    expectError(ck, /code 16 outside ±15 for 5 bits/);
  });

  it('rejects absurd sizes before allocating', () => {
    const ck = clone();
    ck.network.layers[1].size = 1e9;
    expectError(ck, /size/);
  });

  it('rejects labels that do not match the output layer', () => {
    const ck = clone();
    ck.labels = ['a', 'b'];
    ck.backgroundLabels = [];
    expectError(ck, /2 labels for 3 output neurons/);
  });

  it('rejects a bin that is not a whole number of samples', () => {
    const ck = clone();
    ck.filterbank.binS = 0.00801;
    for (const l of ck.network.layers) l.neuron.dtS = 0.00801;
    expectError(ck, /whole number of samples/);
  });

  it('rejects filters at or above Nyquist', () => {
    const ck = clone();
    ck.filterbank.centerFrequenciesHz[12] = 8000;
    expectError(ck, /at or above Nyquist/);
  });
});
