/**
 * `nwave train` flags -> `RunTrainingOptions`, with every number checked: a typo such as
 * `--epochs 4O` must stop with a message naming the flag, not train for NaN epochs.
 * Precedence of training settings: defaults < `--config FILE` < explicit flags.
 */
import { readFileSync } from 'node:fs';
import {
  DEFAULT_CHIP_PROFILE_ID,
  InvalidArgumentError,
  LIMITS,
  chipProfileIds,
  chipShortName,
  findChipProfileByName,
  getChipProfile,
} from '@nwave/runtime';
import type { RunTrainingOptions, TrainConfig } from '@nwave/training';
import { checkNumber, type NumberRule } from '../number-text.js';
import { checkOutputFile } from '../output-path.js';

export interface TrainCliOptions {
  data: string;
  words: string;
  background?: boolean;
  epochs?: string;
  out: string;
  seed?: string;
  hidden?: string;
  extraTrain?: string[];
  valSplit?: string;
  testSplit?: string;
  augment?: string;
  allowViolations?: boolean;
  resume?: boolean;
  cache?: string;
  batchSize?: string;
  lr?: string;
  lrFrontend?: string;
  minRejection?: string;
  backgroundMode?: string;
  backgroundFolders?: string;
  tauRange?: string;
  population?: string;
  logitScale?: string;
  chip?: string;
  mismatch?: string;
  ileakMismatch?: boolean;
  signAnnealing?: boolean;
  fluctInit?: string;
  recurrent?: boolean;
  learnTaus?: boolean;
  patience?: string;
  surrogateSlope?: string;
  config?: string;
  negatives?: string[];
  streamVariants?: string;
  streamAugment?: boolean;
  hardNegativeRounds?: string;
  hardNegativeEpochs?: string;
}

/**
 * Upper bounds of the numeric flags: beyond them a run is a typo (`--hidden 1e9` would ask for
 * petabytes), refused before any data is read. Hidden sizes are also bounded by the checkpoint
 * format (LIMITS) and, together, by the chip's cores (checked at export).
 */
export const MAX = {
  hiddenNeurons: LIMITS.maxNeurons,
  hiddenLayers: 8,
  batchSize: 4096,
  lr: 10,
  logitScale: 100,
  epochs: 100_000,
  seed: 2 ** 32 - 1,
  augment: 100,
  surrogateSlope: 1000,
  /** batch size x total hidden neurons (default 16 x 64 = 1,024). */
  batchNeurons: 262_144,
} as const;

function hiddenSizes(text: string): number[] {
  const sizes = numberList('--hidden', text, { int: true, min: 1, max: MAX.hiddenNeurons });
  if (sizes.length > MAX.hiddenLayers)
    throw new InvalidArgumentError(`--hidden: at most ${MAX.hiddenLayers} hidden layers, got ${sizes.length}`, {
      field: '--hidden',
      value: text,
    });
  return sizes;
}

/** Epochs when neither `--epochs` nor the config file sets them. */
export const DEFAULT_EPOCHS = 40;

/** Parses one numeric flag value. @throws InvalidArgumentError naming the flag */
export function parseNumberFlag(flag: string, text: string, rule: NumberRule = {}): number {
  const x = checkNumber(text, rule);
  const kind = rule.int ? 'an integer' : 'a number';
  const range =
    rule.min !== undefined || rule.max !== undefined
      ? ` ${rule.min !== undefined ? `${rule.exclusiveMin ? '>' : '≥'} ${rule.min}` : ''}${rule.min !== undefined && rule.max !== undefined ? ' and ' : ''}${rule.max !== undefined ? `≤ ${rule.max}` : ''}`
      : '';
  if (x === undefined) throw new InvalidArgumentError(`${flag}: expected ${kind}${range}, got "${text}"`, { field: flag, value: text });
  return x;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function numberList(flag: string, text: string, rule: NumberRule, length?: number): number[] {
  const xs = list(text).map((s) => parseNumberFlag(flag, s, rule));
  if (xs.length === 0 || (length !== undefined && xs.length !== length))
    throw new InvalidArgumentError(`${flag}: expected ${length ?? 'one or more'} comma-separated values, got "${text}"`, {
      field: flag,
      value: text,
    });
  return xs;
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
  if (o.backgroundMode !== undefined && o.backgroundMode !== 'class' && o.backgroundMode !== 'uniform')
    throw new InvalidArgumentError(`--background-mode: expected "class" or "uniform", got "${o.backgroundMode}"`, {
      field: '--background-mode',
      value: o.backgroundMode,
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
  const tauRange = opt(o.tauRange, (t) => numberList('--tau-range', t, { min: 0, exclusiveMin: true }, 2) as [number, number]);
  if (tauRange && tauRange[0] > tauRange[1])
    throw new InvalidArgumentError(`--tau-range: min ${tauRange[0]} exceeds max ${tauRange[1]}`, { field: '--tau-range' });
  const flagConfig: Partial<TrainConfig> = {
    hidden: opt(o.hidden, (t) => hiddenSizes(t)),
    batchSize: opt(o.batchSize, (t) => parseNumberFlag('--batch-size', t, { int: true, min: 1, max: MAX.batchSize })),
    lrCore: opt(o.lr, (t) => parseNumberFlag('--lr', t, { min: 0, exclusiveMin: true, max: MAX.lr })),
    lrFrontend: opt(o.lrFrontend, (t) => parseNumberFlag('--lr-frontend', t, { min: 0, exclusiveMin: true, max: MAX.lr })),
    hiddenTauRangeS: tauRange,
    outputPopulation: opt(o.population, (t) => parseNumberFlag('--population', t, { int: true, min: 1, max: 64 })),
    logitScale: opt(o.logitScale, (t) => parseNumberFlag('--logit-scale', t, { min: 0, exclusiveMin: true, max: MAX.logitScale })),
    chip: opt(o.chip, (t) => {
      const p = findChipProfileByName(t);
      if (!p)
        throw new InvalidArgumentError(
          `--chip: unknown chip "${t}" (known: ${chipProfileIds()
            .map((id) => chipShortName(getChipProfile(id)))
            .join(', ')})`,
          { field: '--chip', value: t },
        );
      return chipShortName(p);
    }),
    stddev: opt(o.mismatch, (t) => parseNumberFlag('--mismatch', t, { min: 0, max: 1 })),
    signAnnealing: o.signAnnealing ? true : undefined,
    fluctInit: opt(o.fluctInit, (t) => ({ xi: parseNumberFlag('--fluct-init', t, { min: 0, exclusiveMin: true, max: 10 }) })),
    ileakMismatch: o.ileakMismatch ? true : undefined,
    recurrent: o.recurrent ? true : undefined,
    learnTaus: o.learnTaus ? true : undefined,
    patience: opt(o.patience, (t) => parseNumberFlag('--patience', t, { int: true, min: 0, max: MAX.epochs })),
    surrogateSlope: opt(o.surrogateSlope, (t) =>
      parseNumberFlag('--surrogate-slope', t, { min: 0, exclusiveMin: true, max: MAX.surrogateSlope }),
    ),
  };
  const config = { ...fileConfig, ...Object.fromEntries(Object.entries(flagConfig).filter(([, v]) => v !== undefined)) };
  // A chip without synaptic mismatch cannot train with it: refused now, not after feature extraction.
  const chip = findChipProfileByName(config.chip ?? DEFAULT_CHIP_PROFILE_ID);
  if (chip && chip.mismatch.synapticSigma === null && (config.stddev ?? 0) > 0)
    throw new InvalidArgumentError(
      `--mismatch: ${chip.chip} has no synaptic mismatch (train with --ileak-mismatch for its neuron mismatch)`,
      {
        field: '--mismatch',
        value: config.stddev,
      },
    );
  // Derived size: activations held per batch grow with batch x neurons (x ~125 steps x layers for
  // BPTT); beyond this bound a run would exhaust memory after minutes of feature extraction.
  const neurons = (config.hidden ?? [64]).reduce((a: number, b: number) => a + b, 0);
  const perBatch = (config.batchSize ?? 16) * neurons;
  if (perBatch > MAX.batchNeurons)
    throw new InvalidArgumentError(
      `--batch-size x hidden neurons = ${config.batchSize ?? 16} x ${neurons} = ${perBatch}, more than ${MAX.batchNeurons}; lower one of them`,
      { field: '--batch-size', value: perBatch, expected: MAX.batchNeurons },
    );
  return {
    data: o.data,
    words,
    background: !!o.background,
    epochs:
      o.epochs !== undefined
        ? parseNumberFlag('--epochs', o.epochs, { int: true, min: 1, max: MAX.epochs })
        : (fileConfig.epochs ?? DEFAULT_EPOCHS),
    out: o.out,
    seed: opt(o.seed, (t) => parseNumberFlag('--seed', t, { int: true, min: 0, max: MAX.seed })),
    extraTrain: o.extraTrain,
    valSplit: opt(o.valSplit, (t) => parseNumberFlag('--val-split', t, { min: 0, max: 0.9 })),
    testSplit: opt(o.testSplit, (t) => parseNumberFlag('--test-split', t, { min: 0, max: 0.9 })),
    augment: opt(o.augment, (t) => parseNumberFlag('--augment', t, { int: true, min: 0, max: MAX.augment })),
    allowViolations: o.allowViolations,
    resume: o.resume,
    cacheDir: o.cache ?? null,
    minRejection: opt(o.minRejection, (t) => parseNumberFlag('--min-rejection', t, { min: 0, max: 1 })),
    backgroundMode: o.backgroundMode as RunTrainingOptions['backgroundMode'],
    backgroundFolders: opt(o.backgroundFolders, list),
    negatives: o.negatives,
    streamVariants: opt(o.streamVariants, (t) => parseNumberFlag('--stream-variants', t, { int: true, min: 1 })),
    streamAugment: o.streamAugment,
    hardNegativeRounds: opt(o.hardNegativeRounds, (t) => parseNumberFlag('--hard-negative-rounds', t, { int: true, min: 0 })),
    hardNegativeEpochs: opt(o.hardNegativeEpochs, (t) => parseNumberFlag('--hard-negative-epochs', t, { int: true, min: 1 })),
    command,
    config,
  };
}
