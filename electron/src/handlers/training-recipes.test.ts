import { describe, expect, it } from 'vitest';
import { chipProfileIds, chipShortName, getChipProfile } from '@nwave/runtime';
import { TRAIN_RECIPES, withRecipe } from '@nwave/training/recipes';
import { trainingRecipes } from './training-recipes.js';

describe('training:recipes (what the training panel offers)', () => {
  it("lists the trainer's recipes with their epochs on every chip of the runtime", () => {
    const list = trainingRecipes();
    expect(list.map((r) => r.name)).toEqual(Object.keys(TRAIN_RECIPES));
    const chips = chipProfileIds().map((id) => chipShortName(getChipProfile(id)));
    for (const r of list) {
      expect(r.description).toBe(TRAIN_RECIPES[r.name as keyof typeof TRAIN_RECIPES].description);
      expect(Object.keys(r.epochs)).toEqual(chips);
      for (const chip of chips) expect(r.epochs[chip]).toBe(withRecipe(r.name, { chip }).epochs);
    }
    // The keyword spotter's budget depends on the chip; the SDK's does not.
    const kws = list.find((r) => r.name === 'keyword-spotter')!;
    expect(kws.epochs.h1v1).not.toBe(kws.epochs.h1v2);
    expect(new Set(Object.values(list.find((r) => r.name === 'sdk')!.epochs)).size).toBe(1);
  });
});
