import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, chipProfileIds, getChipProfile, type ChipProfile } from '@nwave/runtime';
import { resolveTrainChip, trainChipNames } from '../chip.js';
import { describeNetwork } from './build-network.js';
import { DEFAULT_RECIPE, TRAIN_RECIPES, resolveTrainRecipe, trainRecipeNames, withRecipe } from './recipes.js';
import { runTrainConfig } from './run-training.js';
import { DEFAULT_TRAIN_CONFIG, trainConfigSchema } from './train-config.js';

describe('training recipes', () => {
  it('every recipe gives valid settings on every chip (the --config schema accepts them)', () => {
    for (const name of trainRecipeNames())
      for (const chip of trainChipNames()) {
        const settings = TRAIN_RECIPES[name].settings(resolveTrainChip(chip));
        expect(trainConfigSchema.safeParse(settings).success, `${name} on ${chip}`).toBe(true);
        expect(trainConfigSchema.safeParse(withRecipe(name, { chip })).success).toBe(true);
      }
  });

  it('sdk is the SDK defaults, and the default of a run that names no recipe', () => {
    expect(DEFAULT_RECIPE).toBe('sdk');
    expect(withRecipe('sdk')).toEqual(DEFAULT_TRAIN_CONFIG);
    expect(runTrainConfig({ epochs: 3, config: { lrCore: 0.01 } })).toEqual({ ...DEFAULT_TRAIN_CONFIG, lrCore: 0.01, epochs: 3 });
  });

  it("keyword-spotter follows the chip: a hidden core that is not the outputs', a sign group per class, the chip's mismatch", () => {
    for (const id of chipProfileIds()) {
      const chip: ChipProfile = getChipProfile(id);
      const cfg = withRecipe('keyword-spotter', { chip: id });
      const hiddenCores = chip.coreSizes.filter((_, i) => i !== chip.placement.outputCore);
      expect(hiddenCores).toContain(cfg.hidden[0]);
      expect(cfg.outputPopulation).toBe(chip.signGroupSize);
      expect(cfg.stddev).toBe(chip.mismatch.synapticSigma);
      // The network it describes fits the chip (13 filters in, yes/no/background out).
      expect(() => describeNetwork(13, 3, cfg, 0.008, () => undefined)).not.toThrow();
    }
  });

  it('keyword-spotter is the recipe of the shipped models (regression pin of its chip-dependent values)', () => {
    // The values the shipped default models were trained with (scripts/train-default-model.ts).
    expect(withRecipe('keyword-spotter', { chip: 'h1v1' })).toMatchObject({
      chip: 'h1v1',
      hidden: [64],
      outputPopulation: 5,
      epochs: 250,
      stddev: 0.036,
      recurrent: true,
      learnTaus: true,
      ileakMismatch: true,
      lrSchedule: 'cosine',
    });
    expect(withRecipe('keyword-spotter', { chip: 'h1v2' })).toMatchObject({
      chip: 'h1v2',
      hidden: [50],
      outputPopulation: 5,
      epochs: 100,
      stddev: null,
    });
  });

  it('overrides win over the recipe; the chip they name picks its values', () => {
    const cfg = withRecipe('keyword-spotter', { chip: 'h1v2', hidden: [20], epochs: 7 });
    expect(cfg.hidden).toEqual([20]);
    expect(cfg.epochs).toBe(7);
    expect(cfg.stddev).toBeNull();
    expect(cfg.recurrent).toBe(true);
  });

  it('an unknown recipe or chip is a clear error naming the valid ones', () => {
    expect(() => resolveTrainRecipe('kws')).toThrow(InvalidArgumentError);
    expect(() => resolveTrainRecipe('kws')).toThrow('unknown recipe "kws" (known: sdk, keyword-spotter)');
    expect(() => resolveTrainRecipe('constructor')).toThrow(/unknown recipe "constructor"/);
    expect(() => runTrainConfig({ recipe: 'nope', epochs: 1 })).toThrow(/unknown recipe "nope"/);
    expect(() => withRecipe('keyword-spotter', { chip: 'h9' })).toThrow(/unknown chip "h9" \(known: h1v1, h1v2/);
  });
});
