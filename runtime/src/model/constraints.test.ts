import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from './checkpoint.js';
import { H1V1_ESTIMATE } from './chip-profile.js';
import { checkConstraints, signGroupViolations } from './constraints.js';
import { codesToWeights, quantStep, quantizeToCodes, roundHalfAway } from './quantization.js';

const text = readFileSync(new URL('../../../test/fixtures/models/tones.nwave.json', import.meta.url), 'utf8');
const load = () => JSON.parse(text);

describe('quantization grid', () => {
  it('5 bits in ±0.9: step 0.06, 31 levels, round half away from zero, clipping', () => {
    expect(quantStep(5, 0.9)).toBeCloseTo(0.06, 15);
    expect(Array.from(quantizeToCodes([0.031, -0.031, 0.0299, 0.89, 2, -2, 0.091], 5, 0.9))).toEqual([1, -1, 0, 15, 15, -15, 2]);
    expect(roundHalfAway(-2.5)).toBe(-3);
    expect(roundHalfAway(2.5)).toBe(3);
    expect(Array.from(codesToWeights([15, -15], 5, 0.9)).map((w) => +w.toFixed(12))).toEqual([0.9, -0.9]);
  });
});

describe('constraint checker', () => {
  it('passes the hand-built fixture', () => {
    const r = checkConstraints(parseCheckpoint(text), H1V1_ESTIMATE);
    expect(r.violations).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.checked.map((c) => c.rule)).toEqual([
      'weight-range',
      'quantization-grid',
      'sign-groups',
      'frontend-positive',
      'frontend-filters',
      'threshold',
      'tau-profiles',
      'core-capacity',
      'recurrent-core',
      'core-placement',
    ]);
  });

  it('finds mixed-sign groups of 5, including a short last group', () => {
    // 1 input row, 7 outputs: groups [0..4] and [5..6].
    expect(signGroupViolations([1, 2, 0, 3, 1, 1, -1], 1, 7, 5)).toEqual([{ row: 0, start: 5, end: 7 }]);
    expect(signGroupViolations([1, -2, 0, 3, 1, 1, 1], 1, 7, 5)).toEqual([{ row: 0, start: 0, end: 5 }]);
    expect(signGroupViolations([0, 0, -1, 0, -3, 2, 0], 1, 7, 5)).toEqual([]);
    const ck = load();
    ck.network.layers[1].weights.codes[1] = -ck.network.layers[1].weights.codes[1];
    const r = checkConstraints(parseCheckpoint(ck), H1V1_ESTIMATE);
    expect(r.ok).toBe(false);
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0].rule).toBe('sign-groups');
    expect(r.violations[0].message).toMatch(/hidden: 1 mixed-sign groups of 5 \(e\.g\. input 0 -> neurons 0\.\.4\)/);
  });

  it('reports range, bits, frontend sign and capacity with one message each', () => {
    const ck = load();
    ck.network.layers[1].weights = { bits: 8, wMax: 2, codes: ck.network.layers[1].weights.codes.map((c: number) => c * 16) };
    ck.network.layers[0].weights.codes[2] = -3;
    const r = checkConstraints(parseCheckpoint(ck), H1V1_ESTIMATE);
    const rules = r.violations.map((v) => v.rule).sort();
    expect(rules).toEqual(['frontend-positive', 'quantization-grid', 'quantization-grid', 'weight-range'].sort());
    expect(r.violations.find((v) => v.rule === 'weight-range')?.message).toMatch(
      /hidden: largest \|weight\| .* exceeds the chip range ±0.9/,
    );
    expect(r.violations.find((v) => v.rule === 'frontend-positive')?.message).toMatch(/channels 2/);
  });

  it('counts core capacity over all dense layers', () => {
    const ck = load();
    const H = 300;
    ck.network.layers[1] = { ...ck.network.layers[1], size: H, weights: { bits: 5, wMax: 0.9, codes: new Array(13 * H).fill(1) } };
    ck.network.layers[2] = { ...ck.network.layers[2], inputs: H, weights: { bits: 5, wMax: 0.9, codes: new Array(H * 3).fill(1) } };
    const r = checkConstraints(parseCheckpoint(ck), H1V1_ESTIMATE);
    expect(r.violations.map((v) => v.message)).toContain('303 core neurons, the chip has 4 cores x 64 = 256');
  });

  /** The fixture as v2 with a recurrent hidden layer of `H` neurons (sign-grouped codes). */
  function recurrentFixture(H: number, code = (row: number, col: number) => (Math.floor(col / 5) % 2 ? -1 : 2) * ((row % 3) + 1)) {
    const ck = load();
    ck.version = 2;
    ck.network.layers[1] = {
      ...ck.network.layers[1],
      size: H,
      weights: { bits: 5, wMax: 0.9, codes: new Array(13 * H).fill(1) },
      recurrentWeights: { bits: 5, wMax: 0.9, codes: Array.from({ length: H * H }, (_, i) => code(Math.floor(i / H), i % H)) },
    };
    ck.network.layers[2] = { ...ck.network.layers[2], inputs: H, weights: { bits: 5, wMax: 0.9, codes: new Array(H * 3).fill(1) } };
    return ck;
  }

  it('passes a compliant recurrent layer of one full core', () => {
    const r = checkConstraints(parseCheckpoint(recurrentFixture(64)), H1V1_ESTIMATE);
    expect(r.violations).toEqual([]);
  });

  it('refuses a recurrent layer larger than one core, naming the layer', () => {
    const r = checkConstraints(parseCheckpoint(recurrentFixture(65)), H1V1_ESTIMATE);
    expect(r.violations).toEqual([
      {
        rule: 'recurrent-core',
        layer: 'hidden',
        message:
          'hidden: recurrent layer of 65 neurons does not fit one core (Neuronova H1 (H1v1) cores have 64 neurons; recurrence stays inside one core)',
      },
    ]);
  });

  it('judges recurrent weights by the same range, bits and sign-group rules', () => {
    const mixed = recurrentFixture(10, (row, col) => (col === 2 && row === 4 ? -1 : 1));
    const r = checkConstraints(parseCheckpoint(mixed), H1V1_ESTIMATE);
    expect(r.violations.map((v) => [v.rule, v.layer, v.message])).toEqual([
      ['sign-groups', 'hidden', 'hidden recurrent: 1 mixed-sign groups of 5 (e.g. input 4 -> neurons 0..4)'],
    ]);
    const wide = recurrentFixture(10);
    wide.network.layers[1].recurrentWeights = { bits: 8, wMax: 2, codes: new Array(100).fill(100) };
    const r2 = checkConstraints(parseCheckpoint(wide), H1V1_ESTIMATE);
    expect(r2.violations.map((v) => v.message)).toEqual([
      expect.stringMatching(/^hidden recurrent: largest \|weight\| 1\.5748 exceeds the chip range ±0.9$/),
      'hidden recurrent: 8-bit weights, the chip takes at most 5 bits',
      "hidden recurrent: grid range ±2 differs from the chip's ±0.9",
    ]);
  });
});
