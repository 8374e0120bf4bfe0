/**
 * `nwave train` flags -> `RunTrainingOptions`, with every number checked: a typo such as
 * `--epochs 4O` must stop with a message naming the flag, not train for NaN epochs.
 * Precedence of training settings: the SDK defaults < the `--recipe` (train/recipes.ts, for the
 * chip the config or flags name) < `--config FILE` < explicit flags.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, findChipProfileByName } from '@nwave/runtime';
import { resolveAugmentPreset } from '@nwave/data/augment';
import type { RunTrainingOptions } from '@nwave/training';
import { DEFAULT_RECIPE, isTrainRecipeName, trainRecipeNames, withRecipe } from '@nwave/training/recipes';
import { HARD_NEGATIVE_LR_SCALE, describeRange, trainConfigFromFlags, type TrainConfig } from '@nwave/training/train-config';
import { checkNumber, type NumberRule } from '../number-text.js';
import { checkOutputFile } from '../output-path.js';

/** The run's own flags (Commander's values); every training setting's flag (TRAIN_SETTINGS) is read by name too. */
export interface TrainCliOptions {
  data: string;
  words: string;
  background?: boolean;
  out: string;
  extraTrain?: string[];
  valSplit?: string;
  testSplit?: string;
  augment?: string;
  augmentPreset?: string;
  allowViolations?: boolean;
  resume?: boolean;
  cache?: string;
  minRejection?: string;
  backgroundMode?: string;
  backgroundFolders?: string;
  config?: string;
  recipe?: string;
  negatives?: string[];
  streamVariants?: string;
  streamAugment?: boolean;
  hardNegativeRounds?: string;
  hardNegativeEpochs?: string;
  hardNegativeLrScale?: string;
  [settingFlag: string]: unknown;
}

/**
 * Bound of a derived size: activations held per batch grow with batch x neurons (x ~125 steps x
 * layers for BPTT); beyond it a run would exhaust memory after minutes of feature extraction.
 * (Each setting's own range is in the trainer's TRAIN_SETTINGS.)
 */
export const MAX_BATCH_NEURONS = 262_144;
/** Augmented variants per clip beyond this are a typo. */
const MAX_AUGMENT = 100;

/** Parses one numeric flag value. @throws InvalidArgumentError naming the flag */
export function parseNumberFlag(flag: string, text: string, rule: NumberRule = {}): number {
  const x = checkNumber(text, rule);
  if (x === undefined)
    throw new InvalidArgumentError(`${flag}: expected ${describeRange(rule)}, got "${text}"`, { field: flag, value: text });
  return x;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Builds the trainer's options from the flags.
 * @param readConfig parses a `--config` file (the training package's `parseTrainConfig`)
 * @throws InvalidArgumentError for a bad value, naming the flag or file
 */
export function trainOptionsFromFlags(
  o: TrainCliOptions,
  command: string,
  readConfig: (text: string, file: string) => Partial<TrainConfig>,
): RunTrainingOptions {
  checkOutputFile('--out', o.out);
  const words = list(o.words);
  if (words.length === 0)
    throw new InvalidArgumentError('--words: give at least one keyword folder, e.g. --words yes,no', { field: '--words' });
  // Refused now rather than when the trained checkpoint is written (labels cannot be "__proto__").
  if (words.includes('__proto__'))
    throw new InvalidArgumentError('--words: "__proto__" cannot be a keyword label; rename the folder', { field: '--words' });
  const augmentPreset = o.augmentPreset === undefined ? undefined : resolveAugmentPreset(o.augmentPreset, '--augment-preset');
  if (o.augmentPreset !== undefined && !(Number(o.augment) > 0))
    throw new InvalidArgumentError('--augment-preset needs --augment N (N >= 1 augmented variants per clip)', {
      field: '--augment-preset',
      value: o.augmentPreset,
    });
  if (o.backgroundMode !== undefined && o.backgroundMode !== 'class' && o.backgroundMode !== 'uniform')
    throw new InvalidArgumentError(`--background-mode: expected "class" or "uniform", got "${o.backgroundMode}"`, {
      field: '--background-mode',
      value: o.backgroundMode,
    });
  const recipe = o.recipe ?? DEFAULT_RECIPE;
  if (!isTrainRecipeName(recipe))
    throw new InvalidArgumentError(`--recipe: unknown recipe "${recipe}" (known: ${trainRecipeNames().join(', ')})`, {
      field: '--recipe',
      value: recipe,
    });
  let fileConfig: Partial<TrainConfig> = {};
  if (o.config !== undefined) {
    let text: string;
    try {
      text = readFileSync(o.config, 'utf8');
    } catch (err) {
      throw new InvalidArgumentError(`--config: cannot read ${o.config}: ${(err as Error).message}`, { file: o.config });
    }
    fileConfig = readConfig(text, o.config);
  }
  const opt = <T>(text: string | undefined, parse: (t: string) => T): T | undefined => (text === undefined ? undefined : parse(text));
  // Every training setting's flag, checked by the setting's own schema; --epochs and --seed are also run options.
  const { epochs, seed, ...flagConfig } = trainConfigFromFlags(o, (t) => checkNumber(t));
  const config: Partial<TrainConfig> = { ...fileConfig, ...flagConfig };
  // The settings the run will train with (the recipe's for the chip, the file and flags over them).
  const full = withRecipe(recipe, config);
  // A chip without synaptic mismatch cannot train with it: refused now, not after feature extraction.
  const chip = findChipProfileByName(full.chip);
  if (chip && chip.mismatch.synapticSigma === null && (full.stddev ?? 0) > 0)
    throw new InvalidArgumentError(
      `--mismatch: ${chip.chip} has no synaptic mismatch (train with --ileak-mismatch for its neuron mismatch)`,
      {
        field: '--mismatch',
        value: full.stddev,
      },
    );
  const neurons = full.hidden.reduce((a: number, b: number) => a + b, 0);
  const batchSize = full.batchSize;
  const perBatch = batchSize * neurons;
  if (perBatch > MAX_BATCH_NEURONS)
    throw new InvalidArgumentError(
      `--batch-size x hidden neurons = ${batchSize} x ${neurons} = ${perBatch}, more than ${MAX_BATCH_NEURONS}; lower one of them`,
      { field: '--batch-size', value: perBatch, expected: MAX_BATCH_NEURONS },
    );
  return {
    data: o.data,
    words,
    background: !!o.background,
    // --epochs, else the config file's, else the recipe's.
    epochs: epochs ?? full.epochs,
    out: o.out,
    seed,
    extraTrain: o.extraTrain,
    valSplit: opt(o.valSplit, (t) => parseNumberFlag('--val-split', t, { min: 0, max: 0.9 })),
    testSplit: opt(o.testSplit, (t) => parseNumberFlag('--test-split', t, { min: 0, max: 0.9 })),
    augment: opt(o.augment, (t) => parseNumberFlag('--augment', t, { int: true, min: 0, max: MAX_AUGMENT })),
    augmentPreset,
    allowViolations: o.allowViolations,
    resume: o.resume,
    cacheDir: o.cache ?? null,
    minRejection: opt(o.minRejection, (t) => parseNumberFlag('--min-rejection', t, { min: 0, max: 1 })),
    backgroundMode: o.backgroundMode as RunTrainingOptions['backgroundMode'],
    backgroundFolders: opt(o.backgroundFolders, list),
    negatives: o.negatives,
    streamVariants: opt(o.streamVariants, (t) => parseNumberFlag('--stream-variants', t, { int: true, min: 0 })),
    streamAugment: o.streamAugment,
    hardNegativeRounds: opt(o.hardNegativeRounds, (t) => parseNumberFlag('--hard-negative-rounds', t, { int: true, min: 0 })),
    hardNegativeEpochs: opt(o.hardNegativeEpochs, (t) => parseNumberFlag('--hard-negative-epochs', t, { int: true, min: 1 })),
    hardNegativeLrScale: opt(o.hardNegativeLrScale, (t) => parseNumberFlag('--hard-negative-lr-scale', t, HARD_NEGATIVE_LR_SCALE)),
    command,
    recipe,
    config,
  };
}
