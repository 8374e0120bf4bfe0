import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CheckpointFormatError, InvalidArgumentError } from '../errors.js';
import { NwaveModel } from '../engine/nwave-model.js';
import { formatPowerUw, getChipConsumption } from '../power/chip-power.js';
import { parseCheckpoint } from './checkpoint.js';
import type { Checkpoint } from './checkpoint-schema.js';
import {
  H1V1_ESTIMATE,
  H1V2_ESTIMATE,
  chipProfileIds,
  chipProfileProblems,
  describeChip,
  findChipProfile,
  getChipProfile,
  registerChipProfile,
  snapTau,
} from './chip-profile.js';
import { checkConstraints, placeLayers } from './constraints.js';

const fixture = (name: string): Checkpoint =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/models/${name}`, import.meta.url), 'utf8')) as Checkpoint;

describe('chip profiles', () => {
  it('are looked up by id only: "__proto__" and "constructor" are unknown, with a clear error', () => {
    expect(chipProfileIds()).toEqual(expect.arrayContaining(['h1v1-estimate', 'h1v2-estimate']));
    expect(findChipProfile('__proto__')).toBeUndefined();
    expect(findChipProfile('constructor')).toBeUndefined();
    expect(() => getChipProfile('__proto__', 'x.nwave.json')).toThrow(CheckpointFormatError);
    expect(() => getChipProfile('__proto__', 'x.nwave.json')).toThrow(
      /x\.nwave\.json: unknown chip profile "__proto__" \(known: .*h1v2-estimate/,
    );
    const ck = fixture('tones.nwave.json');
    ck.chipProfile = '__proto__';
    expect(() => new NwaveModel(parseCheckpoint(ck), 'tones')).toThrow(/tones: unknown chip profile "__proto__"/);
  });

  it('built-in profiles are valid descriptions; broken or duplicate registrations are refused', () => {
    expect(chipProfileProblems(H1V1_ESTIMATE)).toEqual([]);
    expect(chipProfileProblems(H1V2_ESTIMATE)).toEqual([]);
    expect(() => registerChipProfile({ ...H1V2_ESTIMATE })).toThrow(/"h1v2-estimate" is already defined/);
    expect(() => registerChipProfile({ ...H1V2_ESTIMATE, id: 'broken', coreSizes: [] })).toThrow(InvalidArgumentError);
    expect(() => registerChipProfile({ ...H1V2_ESTIMATE, id: 'broken2', placement: { recurrence: 'in-core', outputCore: 3 } })).toThrow(
      /placement\.outputCore 3: not a core index/,
    );
    expect(findChipProfile('broken')).toBeUndefined();
  });

  it('H1v2 snaps taus to its hardware profiles on a log scale and reports the move', () => {
    expect(snapTau(H1V2_ESTIMATE, 0.064)).toEqual({ tauS: 0.05, relativeMove: expect.closeTo(0.21875, 12) });
    expect(snapTau(H1V2_ESTIMATE, 0.0101).tauS).toBe(0.01);
    expect(snapTau(H1V2_ESTIMATE, 0.0101).relativeMove).toBeLessThan(H1V2_ESTIMATE.neuron.tau.kind === 'snapped' ? 0.01 : 0);
    expect(snapTau(H1V2_ESTIMATE, 0.032).tauS).toBe(0.05); // log midpoint of 20 and 50 ms is 31.6 ms
    expect(snapTau(H1V2_ESTIMATE, 0.031).tauS).toBe(0.02);
    expect(snapTau(H1V1_ESTIMATE, 0.064)).toEqual({ tauS: 0.064, relativeMove: 0 });
  });

  it('names the chip, its cores and whether its power constants are calibrated', () => {
    expect(describeChip(H1V2_ESTIMATE)).toMatch(
      /^Neuronova H1v2 \(profile h1v2-estimate\): 3 cores 50\+50\+100 \(outputs in core 2\), weights ±1\.66 \(charge x0\.5422\), subtractive reset, tau on 5\/10\/20\/50\/100 ms, power UNCALIBRATED estimate$/,
    );
    expect(describeChip(H1V1_ESTIMATE)).toMatch(/4 cores 64\+64\+64\+64, weights ±0\.9, zero reset, tau free, power calibrated estimate$/);
    const p = getChipConsumption([{ name: 'h', neurons: 10, spikes: 100 }], 1, H1V2_ESTIMATE);
    expect(p.calibrated).toBe(false);
    expect(formatPowerUw(p.totalW, 4, H1V2_ESTIMATE)).toMatch(/µW \(projected estimate, uncalibrated profile\)$/);
    expect(formatPowerUw(p.totalW, 4, H1V1_ESTIMATE)).toMatch(/µW \(projected estimate\)$/);
  });
});

describe('H1v2 checker rules', () => {
  const h1v2 = () => fixture('h1v2.nwave.json');

  it('passes the H1v2 fixture: 50r in a small core, 40 in the other, the 3 x 20 output population in the 100-neuron core', () => {
    const r = checkConstraints(parseCheckpoint(h1v2()), H1V2_ESTIMATE);
    expect(r.violations).toEqual([]);
    expect(r.checked.find((c) => c.rule === 'core-placement')?.detail).toBe(
      'layers placed on the cores: hidden1 -> core 0; hidden2 -> core 1; output -> core 2',
    );
  });

  it('refuses an H1v1 checkpoint on H1v2 (grid range), and taus off the hardware profiles', () => {
    const r = checkConstraints(parseCheckpoint(fixture('recurrent.nwave.json')), H1V2_ESTIMATE);
    expect(r.violations.map((v) => v.rule)).toEqual(expect.arrayContaining(['quantization-grid', 'tau-profiles']));
    expect(r.violations.find((v) => v.rule === 'tau-profiles')?.message).toMatch(
      /off the chip's profiles 5\/10\/20\/50\/100 ms .*snap them at export/,
    );
    const ck = h1v2();
    ck.network.layers[2].neuron.tausS = 0.064;
    expect(checkConstraints(parseCheckpoint(ck), H1V2_ESTIMATE).violations.map((v) => [v.rule, v.layer])).toEqual([
      ['tau-profiles', 'hidden2'],
    ]);
  });

  it('places layers by the 50 + 50 + 100 rules: output wholly in the large core, recurrent layers wholly in one core', () => {
    const ck = parseCheckpoint(h1v2());
    const sized = (sizes: number[], recurrent: boolean[]) => {
      const c = structuredClone(ck);
      const dense = c.network.layers.filter((l) => l.type === 'dense');
      dense.forEach((l, i) => {
        l.size = sizes[i];
        if (!recurrent[i]) delete l.recurrentWeights;
        else l.recurrentWeights = { bits: 5, wMax: 1.66, codes: [] };
      });
      return c;
    };
    // A 60-neuron recurrent layer only fits the large core, which then must also hold the output.
    expect(placeLayers(sized([60, 20, 40], [true, false, false]), H1V2_ESTIMATE)).toEqual({
      ok: true,
      layers: [
        { layer: 'hidden1', parts: [{ core: 2, neurons: 60 }] },
        { layer: 'hidden2', parts: [{ core: 0, neurons: 20 }] },
        { layer: 'output', parts: [{ core: 2, neurons: 40 }] },
      ],
    });
    const tooBig = placeLayers(sized([60, 20, 60], [true, false, false]), H1V2_ESTIMATE);
    expect(tooBig).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /recurrent layers hidden1 \(60\) cannot each get one core of 50\+50\+100 next to the output layer in core 2/,
      ),
    });
    // A feed-forward layer may span the two small cores.
    expect(placeLayers(sized([30, 70, 60], [false, false, false]), H1V2_ESTIMATE)).toMatchObject({
      ok: true,
      layers: [
        { parts: [{ core: 0, neurons: 30 }] },
        {
          parts: [
            { core: 0, neurons: 20 },
            { core: 1, neurons: 50 },
          ],
        },
        { parts: [{ core: 2, neurons: 60 }] },
      ],
    });
    expect(placeLayers(sized([20, 20, 101], [false, false, false]), H1V2_ESTIMATE)).toEqual({
      ok: false,
      reason: 'output layer output (101 neurons) does not fit the output core 2 (100 neurons)',
    });
    // The same network on H1v1 (no output core, 4 x 64) places the output anywhere.
    expect(placeLayers(sized([60, 20, 101], [true, false, false]), H1V1_ESTIMATE).ok).toBe(true);
  });

  it('the network threshold must be the chip threshold', () => {
    const ck = h1v2();
    ck.network.threshold = 1.5;
    expect(checkConstraints(parseCheckpoint(ck), H1V2_ESTIMATE).violations).toEqual([
      { rule: 'threshold', message: 'network threshold 1.5, the chip fires at 1' },
    ]);
  });
});
