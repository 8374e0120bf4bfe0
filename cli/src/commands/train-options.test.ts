import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@nwave/runtime';
import { DEFAULT_TRAIN_CONFIG, parseTrainConfig, trainFlags } from '@nwave/training/train-config';
import { runTrainConfig } from '@nwave/training';
import { withRecipe } from '@nwave/training/recipes';
import { parseNumberFlag, trainOptionsFromFlags } from './train-options.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-train-opts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = { data: 'data', words: 'yes, no', out: 'm.nwave.json' };
const build = (o: Record<string, unknown>) => trainOptionsFromFlags({ ...base, ...o }, 'nwave train', parseTrainConfig);

describe('nwave train flags', () => {
  it('maps every flag onto the trainer options', () => {
    const r = build({
      background: true,
      epochs: '12',
      seed: '3',
      hidden: '32,16',
      lr: '0.003',
      lrFrontend: '2e-4',
      tauRange: '0.02,0.4',
      population: '3',
      logitScale: '0.2',
      mismatch: '0.036',
      ileakMismatch: true,
      recurrent: true,
      learnTaus: true,
      patience: '5',
      surrogateSlope: '10',
      valSplit: '0.25',
      minRejection: '0.9',
      backgroundFolders: '_silence_, _unknown_',
      backgroundMode: 'uniform',
      augment: '2',
      augmentPreset: 'speaker',
      chip: 'h1v1-estimate',
      signAnnealing: true,
      fluctInit: '1.5',
      negatives: ['speech'],
      streamVariants: '0',
      hardNegativeRounds: '2',
      hardNegativeEpochs: '40',
      hardNegativeLrScale: '0.2',
    });
    expect(r).toMatchObject({ words: ['yes', 'no'], background: true, epochs: 12, seed: 3, valSplit: 0.25, minRejection: 0.9 });
    expect(r.backgroundFolders).toEqual(['_silence_', '_unknown_']);
    expect(r.backgroundMode).toBe('uniform');
    expect([r.augment, r.augmentPreset]).toEqual([2, 'speaker']);
    expect([r.negatives, r.streamVariants, r.hardNegativeRounds, r.hardNegativeEpochs, r.hardNegativeLrScale]).toEqual([
      ['speech'],
      0,
      2,
      40,
      0.2,
    ]);
    expect(r.config).toEqual({
      chip: 'h1v1-estimate',
      signAnnealing: true,
      fluctInit: 1.5,
      hidden: [32, 16],
      lrCore: 0.003,
      lrFrontend: 2e-4,
      hiddenTauRangeS: [0.02, 0.4],
      outputPopulation: 3,
      logitScale: 0.2,
      stddev: 0.036,
      ileakMismatch: true,
      recurrent: true,
      learnTaus: true,
      patience: 5,
      surrogateSlope: 10,
    });
  });

  it.each([
    [{ epochs: '4O' }, /--epochs: expected an integer ≥ 1 and ≤ 100000, got "4O"/],
    [{ epochs: '0' }, /--epochs/],
    [{ lr: '-1' }, /--lr: expected a number > 0/],
    [{ hidden: '64,x' }, /--hidden: expected an integer ≥ 1 and ≤ 4096, got "x"/],
    // Issue 14: absurd sizes and bad output paths are refused before any data is read.
    [{ hidden: '1e9' }, /--hidden: expected an integer ≥ 1 and ≤ 4096, got "1e9"/],
    [{ hidden: '8,8,8,8,8,8,8,8,8' }, /--hidden: at most 8 hidden layers/],
    [{ batchSize: '1e9' }, /--batch-size: expected an integer ≥ 1 and ≤ 4096/],
    [{ epochs: '1e12' }, /--epochs: expected an integer ≥ 1 and ≤ 100000/],
    [{ augment: '1000000' }, /--augment/],
    [{ augmentPreset: 'loud' }, /--augment-preset: expected one of basic, speaker, got "loud"/],
    [{ augmentPreset: 'speaker' }, /--augment-preset needs --augment N/],
    [{ seed: '-1' }, /--seed/],
    [{ out: '' }, /--out: expected a file path, got an empty string/],
    [{ batchSize: '4096', hidden: '4096' }, /--batch-size x hidden neurons = 4096 x 4096 = 16777216, more than 262144/],
    [{ out: dir }, /--out: ".*" is a folder; give a file name/],
    [{ out: 'models/' }, /--out: "models\/" is a folder/],
    [{ tauRange: '0.4' }, /--tau-range: expected 2 comma-separated values/],
    [{ tauRange: '0.4,0.02' }, /--tau-range: min 0.4 exceeds max 0.02/],
    [{ valSplit: '2' }, /--val-split: expected a number ≥ 0 and ≤ 0.9/],
    [{ backgroundMode: 'folders' }, /--background-mode: expected "class" or "uniform"/],
    [{ words: ' , ' }, /--words: give at least one keyword/],
    [{ mismatch: '' }, /--mismatch/],
    [{ chip: 'h3' }, /--chip.*unknown chip "h3" \(known: h1v1, h1v2/],
    [{ chip: 'h1v2', mismatch: '0.036' }, /--mismatch: Neuronova H1v2 has no synaptic mismatch/],
    [{ fluctInit: '0' }, /--fluct-init: expected a number > 0/],
    [{ streamVariants: '-1' }, /--stream-variants: expected an integer ≥ 0/],
    [{ hardNegativeLrScale: '0' }, /--hard-negative-lr-scale: expected a number > 0 and ≤ 1, got "0"/],
    [{ hardNegativeLrScale: '2' }, /--hard-negative-lr-scale: expected a number > 0 and ≤ 1, got "2"/],
    [{ recipe: 'kws' }, /--recipe: unknown recipe "kws" \(known: sdk, keyword-spotter\)/],
    [{ recipe: 'constructor' }, /--recipe: unknown recipe "constructor"/],
  ])('refuses %o with a message naming the flag', (flags, message) => {
    expect(() => build(flags)).toThrow(InvalidArgumentError);
    expect(() => build(flags)).toThrow(message);
  });

  it('reads --config files; flags on the command line win over the file', () => {
    const file = path.join(dir, 'cfg.json');
    writeFileSync(file, JSON.stringify({ hidden: [48], lrCore: 0.01, epochs: 7, stddev: null, hiddenTauRangeS: [0.01, 0.1] }));
    const fromFile = build({ config: file });
    expect(fromFile.epochs).toBe(7);
    expect(fromFile.config).toEqual({ hidden: [48], lrCore: 0.01, epochs: 7, stddev: null, hiddenTauRangeS: [0.01, 0.1] });
    const overridden = build({ config: file, lr: '0.002', epochs: '3' });
    expect(overridden.epochs).toBe(3);
    expect(overridden.config?.lrCore).toBe(0.002);
    expect(overridden.config?.hidden).toEqual([48]);
    expect(build({}).epochs).toBe(DEFAULT_TRAIN_CONFIG.epochs);
  });

  it('--recipe is the base: the config file and the flags override it, and the chip picks its values', () => {
    // No --recipe: the SDK defaults, as before recipes existed.
    expect(build({}).recipe).toBe('sdk');
    const kws = build({ recipe: 'keyword-spotter' });
    expect(kws.recipe).toBe('keyword-spotter');
    expect(kws.config).toEqual({}); // the recipe travels by name; runTraining applies it
    const h1v1 = runTrainConfig(kws);
    expect(h1v1).toEqual({ ...withRecipe('keyword-spotter'), seed: DEFAULT_TRAIN_CONFIG.seed });
    expect(kws.epochs).toBe(withRecipe('keyword-spotter').epochs);
    expect(h1v1).toMatchObject({ recurrent: true, learnTaus: true, lrSchedule: 'cosine', batchSize: 64 });
    expect(h1v1.epochs).toBeGreaterThan(DEFAULT_TRAIN_CONFIG.epochs);
    // The chip named by a flag or by the config file picks the recipe's chip-dependent values.
    const h1v2 = runTrainConfig(build({ recipe: 'keyword-spotter', chip: 'h1v2' }));
    expect(h1v2).toEqual({ ...withRecipe('keyword-spotter', { chip: 'h1v2' }), seed: DEFAULT_TRAIN_CONFIG.seed });
    expect(h1v2.hidden).not.toEqual(h1v1.hidden);
    expect(h1v2.stddev).toBeNull(); // H1v2 has no synaptic mismatch: the recipe does not ask for it
    const file = path.join(dir, 'recipe-over.json');
    writeFileSync(file, JSON.stringify({ chip: 'h1v2', lrCore: 0.01, epochs: 9 }));
    const fromFile = build({ recipe: 'keyword-spotter', config: file, batchSize: '32' });
    expect(fromFile.epochs).toBe(9);
    expect(runTrainConfig(fromFile)).toMatchObject({ chip: 'h1v2', hidden: h1v2.hidden, lrCore: 0.01, batchSize: 32, epochs: 9 });
    expect(build({ recipe: 'keyword-spotter', epochs: '3' }).epochs).toBe(3);
  });

  it('refuses unreadable, malformed or misspelt config files, naming the file and field', () => {
    const bad = (name: string, text: string) => {
      const f = path.join(dir, name);
      writeFileSync(f, text);
      return () => build({ config: f });
    };
    expect(() => build({ config: path.join(dir, 'missing.json') })).toThrow(/--config: cannot read .*missing\.json/);
    expect(bad('trunc.json', '{"hidden": [64')).toThrow(/trunc\.json: not valid JSON/);
    expect(bad('typo.json', '{"hiden": [64]}')).toThrow(/typo\.json: invalid training config: .*hiden/);
    expect(bad('type.json', '{"lrCore": "fast"}')).toThrow(/type\.json: invalid training config: lrCore/);
    expect(bad('range.json', '{"hiddenTauRangeS": [0.4, 0.02]}')).toThrow(/hiddenTauRangeS: min 0.4 exceeds max 0.02/);
  });

  it('gives every training setting one flag, checked by the same schema as the config file', () => {
    const flags = trainFlags();
    expect(flags.map((f) => f.key).sort()).toEqual(Object.keys(DEFAULT_TRAIN_CONFIG).sort());
    expect(new Set(flags.map((f) => f.spec.split(' ')[0])).size).toBe(flags.length);
    expect(flags.find((f) => f.key === 'lrSchedule')).toMatchObject({
      spec: '--lr-schedule <constant|cosine>',
      description: expect.stringMatching(/\(default constant\)$/),
    });
    expect(flags.find((f) => f.key === 'batchSize')?.description).toMatch(/\(integer ≥ 1 and ≤ 4096; default 16\)$/);
    expect(flags.find((f) => f.key === 'balanceClasses')?.spec).toBe('--no-balance-classes');
    const r = build({
      lrSchedule: 'cosine',
      lrMinFraction: '0.1',
      evalEvery: '5',
      balanceClasses: false,
      outputRateTarget: 'none',
      hiddenRateTarget: '0.05',
      gradClip: '1.5',
    });
    expect(r.config).toEqual({
      lrSchedule: 'cosine',
      lrMinFraction: 0.1,
      evalEvery: 5,
      balanceClasses: false,
      outputRateTarget: null,
      hiddenRateTarget: 0.05,
      gradClip: 1.5,
    });
    // Commander reports a --no- switch's default (true) when it is not given: no setting then.
    expect(build({ balanceClasses: true }).config).toEqual({});
    expect(() => build({ lrSchedule: 'linear' })).toThrow(/--lr-schedule: expected "constant" or "cosine", got "linear"/);
    expect(() => build({ evalEvery: '0' })).toThrow(/--eval-every: expected an integer ≥ 1, got "0"/);
    // One range for both ways in: the flag and the config file refuse the same value.
    expect(() => build({ batchSize: '5000' })).toThrow(/--batch-size: expected an integer ≥ 1 and ≤ 4096/);
    const f = path.join(dir, 'big-batch.json');
    writeFileSync(f, '{"batchSize": 5000}');
    expect(() => build({ config: f })).toThrow(/big-batch\.json: invalid training config: batchSize: .*4096/);
  });

  it('parseNumberFlag accepts exactly the allowed range', () => {
    expect(parseNumberFlag('--x', '0.5', { min: 0, max: 1 })).toBe(0.5);
    expect(parseNumberFlag('--x', '1', { min: 0, max: 1 })).toBe(1);
    expect(() => parseNumberFlag('--x', '0', { min: 0, exclusiveMin: true })).toThrow(/> 0/);
    expect(() => parseNumberFlag('--x', '1.5', { int: true })).toThrow(/an integer/);
    expect(() => parseNumberFlag('--x', 'Infinity')).toThrow(/a number/);
  });
});
