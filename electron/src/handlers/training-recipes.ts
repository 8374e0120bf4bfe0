/**
 * The trainer's recipes as the training panel offers them: each with its epochs for every chip the
 * runtime knows (the panel pre-fills the epochs field from them). Read from the trainer's recipe
 * table (a light module: no TensorFlow.js), never restated here.
 */
import { chipProfileIds, chipShortName, getChipProfile } from '@nwave/runtime';
import { TRAIN_RECIPES, trainRecipeNames, withRecipe } from '@nwave/training/recipes';
import type { TrainingRecipeInfo } from '../shared/ipc-contract.js';

export function trainingRecipes(): TrainingRecipeInfo[] {
  const chips = chipProfileIds().map((id) => chipShortName(getChipProfile(id)));
  return trainRecipeNames().map((name) => ({
    name,
    description: TRAIN_RECIPES[name].description,
    epochs: Object.fromEntries(chips.map((chip) => [chip, withRecipe(name, { chip }).epochs])),
  }));
}
