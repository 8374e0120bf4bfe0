/**
 * Training hyper-parameters, written once: each setting's type and range (a zod schema), default,
 * help text and `nwave train` flag live in {@link TRAIN_SETTINGS}, and the `TrainConfig` type, its
 * defaults, the `--config` file validation and the CLI flags are all derived from it. Defaults
 * follow NWAVE Tutorial 2 (lr, clip, topology weight, firing-rate target, taus) where it states
 * them, plus the nwave-ts additions that export needs (sign projection, class balancing, early
 * stopping). To add a setting: one entry here (the trainer reads it from `TrainConfig`).
 */
import { z } from 'zod';
import { InvalidArgumentError, LIMITS, chipShortName } from '@nwave/runtime';
import { DEFAULT_CHIP, resolveTrainChip, trainChipNames } from '../chip.js';

/** Range of a numeric setting (or of each number of a list setting). */
export interface NumberRange {
  int?: boolean;
  min?: number;
  max?: number;
  /** The bound `min` itself is not allowed. */
  exclusiveMin?: boolean;
}

/** How a setting's value is written on the command line. */
export type SettingKind =
  | { type: 'number'; range: NumberRange }
  /** Comma-separated numbers: `length` exactly, else 1..`maxLength`. */
  | { type: 'numbers'; range: NumberRange; length?: number; maxLength?: number }
  | { type: 'boolean' }
  | { type: 'choice'; values: readonly string[] }
  | { type: 'text' };

/** One training setting. */
export interface Setting<T> {
  schema: z.ZodType<T>;
  default: T;
  /** One line of help (the CLI appends the range and the default). */
  help: string;
  kind: SettingKind;
  /** `nwave train` flag name without dashes; default: the key in kebab-case. */
  flag?: string;
  /** Value placeholder in `--help` (`<n>`, `<x>`, …). */
  placeholder?: string;
  /** Flag text of a nullable setting that means null (`--mismatch none`). */
  nullText?: string;
  /** The setting's value from the parsed flag value (when the flag says less than the setting holds). */
  fromFlag?: (value: unknown) => unknown;
}

/** The zod schema of a number in `r`. */
function numberSchema(r: NumberRange): z.ZodNumber {
  let s = r.int ? z.int() : z.number();
  if (r.min !== undefined) s = r.exclusiveMin ? s.gt(r.min) : s.min(r.min);
  if (r.max !== undefined) s = s.max(r.max);
  return s;
}

/** Whether `x` is a number in `r` (the settings' own check, for options outside the config). */
export function inNumberRange(x: number, r: NumberRange): boolean {
  return numberSchema(r).safeParse(x).success;
}

const num = (range: NumberRange, dflt: number, help: string, more: Partial<Setting<number>> = {}): Setting<number> => ({
  schema: numberSchema(range),
  default: dflt,
  help,
  kind: { type: 'number', range },
  placeholder: range.int ? '<n>' : '<x>',
  ...more,
});
/** A number that may be null (off); `none` on the command line. */
const numOrNull = (
  range: NumberRange,
  dflt: number | null,
  help: string,
  more: Partial<Setting<number | null>> = {},
): Setting<number | null> => ({
  schema: numberSchema(range).nullable(),
  default: dflt,
  help,
  kind: { type: 'number', range },
  placeholder: range.int ? '<n|none>' : '<x|none>',
  nullText: 'none',
  ...more,
});
const bool = (dflt: boolean, help: string, more: Partial<Setting<boolean>> = {}): Setting<boolean> => ({
  schema: z.boolean(),
  default: dflt,
  help,
  kind: { type: 'boolean' },
  ...more,
});
const choice = <const V extends readonly [string, ...string[]]>(values: V, dflt: V[number], help: string): Setting<V[number]> => ({
  schema: z.enum(values) as unknown as z.ZodType<V[number]>,
  default: dflt,
  help,
  kind: { type: 'choice', values },
  placeholder: `<${values.join('|')}>`,
});
/** `[min, max]`, min not above max. */
const minMax = (
  r: NumberRange,
  dflt: [number, number] | null,
  help: string,
  more: Partial<Setting<[number, number] | null>> = {},
): Setting<[number, number] | null> => ({
  schema: z
    .tuple([numberSchema(r), numberSchema(r)])
    .refine(([lo, hi]) => lo <= hi, { error: (iss) => `min ${(iss.input as number[])[0]} exceeds max ${(iss.input as number[])[1]}` })
    .nullable(),
  default: dflt,
  help,
  kind: { type: 'numbers', range: r, length: 2 },
  placeholder: '<min,max|none>',
  nullText: 'none',
  ...more,
});

/** Comma-separated numbers, 1..`maxLength` of them. */
const layerSizes = (r: NumberRange, maxLength: number, dflt: number[], help: string): Setting<number[]> => ({
  schema: z.array(numberSchema(r)).min(1).max(maxLength, `at most ${maxLength} hidden layers`),
  default: dflt,
  help,
  kind: { type: 'numbers', range: r, maxLength },
  placeholder: '<sizes>',
});

const POSITIVE: NumberRange = { min: 0, exclusiveMin: true };
const SHARE: NumberRange = { min: 0, max: 1 };
const WEIGHT: NumberRange = { min: 0 };
/** Epochs beyond this are a typo. */
const MAX_EPOCHS = 100_000;

/**
 * Every training setting. Upper bounds make a typo (`--hidden 1e9` would ask for petabytes) fail
 * before any data is read; hidden sizes are also bounded by the chip's cores (checked at export).
 */
export const TRAIN_SETTINGS = {
  /** Everything chip-specific (ranges, bits, charge, reset, θ, sign groups, cores, filters, τ, mismatch) is read from that profile. */
  chip: {
    schema: z.string().refine(
      (name) => {
        try {
          resolveTrainChip(name);
          return true;
        } catch {
          return false;
        }
      },
      { error: (iss) => `unknown chip ${JSON.stringify(iss.input)} (known: ${trainChipNames().join(', ')})` },
    ),
    default: chipShortName(DEFAULT_CHIP),
    help: 'chip to train for: h1v1, h1v2 or a registered chip profile id',
    kind: { type: 'text' },
    placeholder: '<name>',
  } satisfies Setting<string>,
  hidden: layerSizes(
    { int: true, min: 1, max: LIMITS.maxNeurons },
    8,
    [64],
    "hidden layer sizes, comma-separated (the tutorial's 13-64-2 is 64)",
  ),
  outputPopulation: num({ int: true, min: 1, max: 64 }, 1, 'output neurons per class (population readout; class score = summed counts)', {
    flag: 'population',
  }),
  epochs: num({ int: true, min: 1, max: MAX_EPOCHS }, 40, 'epochs'),
  batchSize: num({ int: true, min: 1, max: 4096 }, 16, 'batch size'),
  lrFrontend: num({ ...POSITIVE, max: 10 }, 1e-4, 'Adam learning rate of the Frontend weights (10-100x below the core, as NWAVE advises)'),
  lrCore: num({ ...POSITIVE, max: 10 }, 1e-3, 'Adam learning rate of the core (HWSynapse) weights', { flag: 'lr' }),
  gradClip: num(POSITIVE, 0.5, 'global gradient-norm clip'),
  logitScale: num({ ...POSITIVE, max: 100 }, 1, 'cross-entropy logits = x * spike counts (1 = the SDK; stored as the detector countScale)'),
  learnCountScale: bool(false, 'train the logit scale too (a learnable softmax temperature; the learned value is exported)'),
  /**
   * A keyword clip is right when some window says its keyword, a non-keyword clip only when every
   * window rejects (see losses/detector-loss). A window as long as the clip = clip cross-entropy.
   */
  detectorWindowS: num({ ...POSITIVE, max: 10 }, 1.0, 'detector window the objective scores (and the exported detector.windowS), seconds'),
  detectorStrideS: num({ ...POSITIVE, max: 10 }, 0.1, 'steps between the scored detector windows, seconds'),
  /** See trainer `withStreamContext`. */
  streamContext: bool(
    false,
    'train on 2-clip streams: each clip after a random non-keyword clip whose windows must reject (2x steps per batch)',
  ),
  /** Clips end right after the word; without a tail nothing teaches the network to fall quiet after it. */
  tailSilenceS: num(
    { min: 0, max: 2 },
    0,
    'seconds of silence appended to every training clip (not scored); keyword neurons must be silent over its second half (no self-sustained firing after a word)',
    { flag: 'tail-silence' },
  ),
  lamTail: num(
    WEIGHT,
    0,
    'weight of the after-word quiet term: spike rate of every output neuron over the second half of --tail-silence (needs --tail-silence > 0)',
  ),
  lamSilence: num(WEIGHT, 0, 'weight of the keyword-silence term (spike rate of keyword neurons where their keyword is not)'),
  lamTopology: num(WEIGHT, 0.05, 'topology_loss weight (sign groups)'),
  lamMagnitude: num(WEIGHT, 1, 'weight_magnitude_loss weight'),
  lamFiringRate: num(WEIGHT, 10, 'firing_rate_target_mse_loss multiplier'),
  outputRateTarget: numOrNull(SHARE, 0.15, 'target firing rate of the output layer, spikes per neuron per step (Tutorial 2: 0.15)'),
  hiddenRateTarget: numOrNull(SHARE, null, 'target firing rate of every hidden layer'),
  frontendTauS: num(POSITIVE, 0.01, 'Frontend time constant, seconds'),
  coreTauS: num(POSITIVE, 0.064, 'core neuron time constant, seconds'),
  hiddenTauRangeS: minMax(POSITIVE, null, 'log-spaced hidden time constants in [min, max] seconds instead of the core tau, e.g. 0.02,0.4', {
    flag: 'tau-range',
  }),
  surrogateSlope: num(
    { ...POSITIVE, max: 1000 },
    25,
    'fast_sigmoid surrogate slope of every HWLayer (Tutorial 2: 25; smaller = wider gradient)',
  ),
  frontendInitMean: num(POSITIVE, 0.1, 'mean of the Frontend weight init (Tutorial 2: 0.1)'),
  bits: numOrNull({ int: true, min: 2, max: 16 }, null, "core weight quantization bits (none: the chip's core maxBits)"),
  frontendBits: numOrNull(
    { int: true, min: 2, max: 16 },
    null,
    "Frontend weight bits at export (the Frontend trains in float, as in the SDK; none: the chip's frontend maxBits)",
  ),
  stddev: numOrNull({ min: 0, max: 1 }, null, 'synaptic mismatch stddev (weight units), redrawn every batch (NWAVE `stddev`)', {
    flag: 'mismatch',
  }),
  /** Büchel et al. 2022 adversarial regularization (train/mismatch-robustness.ts); trains with the tfjs step. */
  robustMismatch: numOrNull(
    { min: 0, max: 100 },
    null,
    "weight λ of the mismatch-robustness term: λ·KL(nominal detector windows ‖ a simulated chip's), chip = random synaptic draw pushed towards the worst (tfjs step, slower)",
  ),
  robustAttackSteps: num(
    { int: true, min: 0, max: 20 },
    2,
    'sign-gradient ascent steps that push the simulated chip of --robust-mismatch towards the worst (0 = the random draw alone)',
  ),
  robustAttackSize: num(
    { min: 0, max: 10 },
    1,
    'how far the ascent steps of --robust-mismatch may move each weight in all, as a fraction of sigma (Büchel et al.: 1; a coherent push of every weight by sigma is far worse than a random chip)',
  ),
  robustSigma: numOrNull(
    { min: 0, exclusiveMin: true, max: 1 },
    null,
    "synaptic sigma (weight units) of the simulated chip of --robust-mismatch (none: the chip's own)",
  ),
  ileakMismatch: bool(
    false,
    "the chip's neuron mismatch redrawn every batch: leak (tau) spread, and threshold spread on chips with one (h1v2)",
  ),
  /** nwavesdk 1.0 `SignAnnealing` (layers/sign-annealing.ts). */
  signAnnealing: bool(false, 'SignAnnealing (nwavesdk 1.0): soft sign groups hardened over the epochs'),
  signAnnealingAlphas: {
    schema: z.tuple([numberSchema(POSITIVE), numberSchema(POSITIVE)]),
    default: [0.5, 20],
    help: 'SignAnnealing alpha of the first and the last epoch (geometric in between)',
    kind: { type: 'numbers', range: POSITIVE, length: 2 },
    placeholder: '<start,end>',
  } satisfies Setting<[number, number]>,
  /** nwavesdk 1.0 `fluct_init` (train/fluct-init.ts). */
  fluctInit: numOrNull(
    { ...POSITIVE, max: 10 },
    null,
    'fluctuation-driven init: core membranes xi standard deviations below threshold (none: Tutorial 2 init)',
  ),
  recurrent: bool(false, 'in-core recurrence in every hidden layer (I += s(t-1) W_rec; each must fit one core)'),
  learnTaus: bool(false, "train every core neuron's time constant (exported per neuron)"),
  signProjectFrom: num({ min: 0 }, 0.5, 'from this fraction of the epochs on, every step projects each sign group onto one sign'),
  balanceClasses: bool(true, 'weight the cross-entropy by inverse class frequency (background classes are large)'),
  /** The background pool is large and varied; balanced batches train far more stably than class weights alone. */
  backgroundPerEpoch: num(
    { min: 0 },
    1.5,
    'background clips drawn afresh each epoch, x the mean keyword-class size (0 = every clip every epoch)',
  ),
  patience: num(
    { int: true, min: 0, max: MAX_EPOCHS },
    0,
    'early stopping: stop after n epochs without a better validation score (0 = never)',
  ),
  /** Long runs settle instead of hopping between minima. */
  lrSchedule: choice(
    ['constant', 'cosine'],
    'constant',
    'learning-rate schedule over the epochs (cosine: both rates decay to the final fraction below)',
  ),
  lrMinFraction: num(SHARE, 0.05, 'final learning rate of the cosine schedule, as a fraction of the initial one'),
  /** Plain injection trains the average chip; the worst of a few draws weighs the tail (fused-step.ts). */
  worstOfChips: num(
    { int: true, min: 1, max: 16 },
    1,
    'mismatch draws per training step; the step trains on the one with the highest detector loss (1 = plain injection)',
  ),
  /**
   * A checkpoint runs on fabricated chips, not on the nominal network: the best epoch can be
   * chosen by how its worst chips score too (trainer.ts, `epochScore`).
   */
  selectChips: num(
    { int: true, min: 0, max: 200 },
    0,
    'choose the best epoch by the validation score averaged with its worst quarter of n simulated chips (0 = nominal score only)',
  ),
  selectChipSeed: num(
    { int: true, min: 0, max: 2 ** 31 - 1 },
    97,
    'chip seed of the chips that choose the best epoch (keep it apart from the chips you report)',
  ),
  /** Scoring costs more than a short epoch trains. */
  evalEvery: num({ int: true, min: 1 }, 1, 'score on validation (runtime export + calibration) every n epochs and at the last'),
  seed: num({ int: true, min: 0, max: 2 ** 32 - 1 }, 42, 'seed of init, split and shuffles'),
};

type SettingValue<S> = S extends Setting<infer T> ? T : never;

/** The training settings (see {@link TRAIN_SETTINGS} for each one's meaning, range and default). */
export type TrainConfig = { -readonly [K in keyof typeof TRAIN_SETTINGS]: SettingValue<(typeof TRAIN_SETTINGS)[K]> };

const entries = Object.entries(TRAIN_SETTINGS) as [keyof TrainConfig, Setting<unknown>][];

export const DEFAULT_TRAIN_CONFIG = Object.fromEntries(entries.map(([k, s]) => [k, s.default])) as TrainConfig;

/** Schema of a `--config` file: any subset of {@link TrainConfig}; unknown keys are refused (typos). */
export const trainConfigSchema = z.strictObject(
  Object.fromEntries(entries.map(([k, s]) => [k, s.schema.optional()])),
) as unknown as z.ZodType<Partial<TrainConfig>>;

/** The problems of a failed parse, `field: message; …`. */
function problems(error: z.ZodError, prefix = ''): string {
  return error.issues.map((i) => `${prefix}${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * Parses the text of a training-config JSON file (`nwave train --config FILE`).
 * @throws InvalidArgumentError naming the file, the field and the problem
 */
export function parseTrainConfig(text: string, file: string): Partial<TrainConfig> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`${file}: not valid JSON (${(err as Error).message})`, { file });
  }
  const r = trainConfigSchema.safeParse(json);
  if (!r.success) {
    throw new InvalidArgumentError(`${file}: invalid training config: ${problems(r.error)}`, {
      file,
      field: String(r.error.issues[0].path[0] ?? ''),
    });
  }
  return r.data;
}

/** `camelCase` -> `kebab-case`. */
const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `hardNegativeLrScale` (`--hard-negative-lr-scale`): a fraction of the run's learning rates. */
export const HARD_NEGATIVE_LR_SCALE: NumberRange = { min: 0, exclusiveMin: true, max: 1 };

/** "an integer ≥ 1 and ≤ 4096", "a number > 0". */
export function describeRange(r: NumberRange): string {
  const kind = r.int ? 'an integer' : 'a number';
  const lo = r.min !== undefined ? `${r.exclusiveMin ? '>' : '≥'} ${r.min}` : '';
  const hi = r.max !== undefined ? `≤ ${r.max}` : '';
  return [kind, [lo, hi].filter(Boolean).join(' and ')].filter(Boolean).join(' ');
}

/** One `nwave train` flag of a training setting. */
export interface TrainFlag {
  key: keyof TrainConfig;
  /** Commander flag spec: `--batch-size <n>`, `--recurrent`, `--no-balance-classes`. */
  spec: string;
  /** Commander's attribute name of the parsed value. */
  attribute: string;
  /** Help line: the setting's help, its range and default. */
  description: string;
}

const textOfDefault = (v: unknown): string => (v === null ? 'none' : Array.isArray(v) ? v.join(',') : String(v));

/** The flags of every training setting (a boolean whose default is true gets a `--no-` flag). */
export function trainFlags(): TrainFlag[] {
  return entries.map(([key, s]) => {
    const name = s.flag ?? kebab(key);
    const k = s.kind;
    if (k.type === 'boolean') {
      const spec = s.default ? `--no-${name}` : `--${name}`;
      return { key, spec, attribute: attributeOf(name), description: s.default ? `off: ${s.help}` : s.help };
    }
    const rangeText =
      k.type === 'number' || k.type === 'numbers'
        ? describeRange(k.range).replace(/^an? (integer|number) ?/, (_, w: string) => (w === 'integer' ? 'integer ' : ''))
        : '';
    const extra = [rangeText, `default ${textOfDefault(s.default)}`].filter(Boolean).join('; ');
    return { key, spec: `--${name} ${s.placeholder ?? '<value>'}`, attribute: attributeOf(name), description: `${s.help} (${extra})` };
  });
}

/** Commander's camelCase attribute of a flag name. */
const attributeOf = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The flag name of a setting, for messages. */
export function flagOf(key: keyof TrainConfig): string {
  return `--${(TRAIN_SETTINGS[key] as Setting<unknown>).flag ?? kebab(key)}`;
}

/**
 * The setting values the parsed flags give (absent flags left out), each checked by its schema.
 * @param parsed Commander's option values (text for valued flags, booleans for switches)
 * @param number parses one number as the CLI does (strict decimal), undefined when not one
 * @throws InvalidArgumentError naming the flag, what it expects and what it got
 */
export function trainConfigFromFlags(parsed: Record<string, unknown>, number: (text: string) => number | undefined): Partial<TrainConfig> {
  const out: Record<string, unknown> = {};
  for (const flag of trainFlags()) {
    const s = TRAIN_SETTINGS[flag.key] as Setting<unknown>;
    const raw = parsed[flag.attribute];
    if (raw === undefined) continue;
    const name = flagOf(flag.key);
    const k = s.kind;
    const fail = (expected: string, got = raw) =>
      new InvalidArgumentError(`${name}: expected ${expected}, got "${String(got)}"`, { field: name, value: got });
    let value: unknown;
    if (k.type === 'boolean') {
      // Only the switch that changes the default is a flag; Commander reports the default too.
      if (raw === s.default) continue;
      value = raw;
    } else {
      const text = String(raw);
      if (s.nullText !== undefined && text.trim() === s.nullText) value = null;
      else if (k.type === 'number') {
        value = number(text);
        // The range is checked on the number itself, before `fromFlag` wraps it (`{ xi }`).
        if (value === undefined || !numberSchema(k.range).safeParse(value).success) throw fail(describeRange(k.range));
      } else if (k.type === 'numbers') {
        const parts = text
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
        if (parts.length === 0 || (k.length !== undefined && parts.length !== k.length))
          throw fail(`${k.length ?? 'one or more'} comma-separated values`);
        value = parts.map((p) => {
          const x = number(p);
          if (x === undefined || !numberSchema(k.range).safeParse(x).success) throw fail(describeRange(k.range), p);
          return x;
        });
      } else value = text;
      if (s.fromFlag && value !== null) value = s.fromFlag(value);
    }
    const r = s.schema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0];
      const expected =
        k.type === 'number' ? describeRange(k.range) : k.type === 'choice' ? k.values.map((v) => `"${v}"`).join(' or ') : null;
      throw expected !== null && issue.path.length === 0
        ? fail(expected)
        : new InvalidArgumentError(`${name}: ${issue.message}`, { field: name, value: raw });
    }
    out[flag.key] = r.data;
  }
  return out as Partial<TrainConfig>;
}
