/**
 * Mismatch Monte Carlo: N simulated chips, each evaluated on the same clip features at every σ
 * of the sweep. Chip k keeps its random draws across levels (paired comparison), so the curve
 * shows what σ does rather than which chips happened to be drawn.
 */
import path from 'node:path';
import {
  InvalidArgumentError,
  MAX_CALIBRATION_CLIPS,
  outputCalibrator,
  simulatedChip,
  withCountGains,
  type CalibrationClip,
  type ChipProfile,
  type NwaveModel,
} from '@nwave/runtime';
import { bootstrapInterval, mean, percentile, scoreClips, type ClipDecision, type ClipScores } from '@nwave/data/metrics';
import { EVAL_LAYOUTS, loadEvalData, seededSubset, type EvalClip, type EvalData } from './dataset.js';
import type { ChipScores, MismatchLevel, MismatchSummary } from './summary.js';

/**
 * σ levels of the "accuracy vs mismatch" sweep for a chip, weight units, around its nominal σ
 * (H1v1: 0.036); only 0 on a chip without synaptic mismatch (its leak and threshold spreads still apply).
 */
export function mismatchLevels(chip: ChipProfile): number[] {
  const nominal = chip.mismatch.synapticSigma;
  return nominal === null ? [0] : [...new Set([0, 0.01, 0.02, nominal, 0.05])].sort((a, b) => a - b);
}
/**
 * The `--chip-calibration` folder's clips: unlabeled audio in the layouts of `--data`, at most
 * MAX_CALIBRATION_CLIPS clips (seeded subset); unreadable files are named through `log` and
 * left out. Errors name the flag and the folder.
 * @throws InvalidArgumentError for a folder that cannot be read or holds no readable clip
 */
export function loadCalibrationData(model: NwaveModel, dir: string, seed: number, log: (msg: string) => void): EvalClip[] {
  let data: EvalData;
  try {
    data = loadEvalData(model, dir, { maxClips: MAX_CALIBRATION_CLIPS, seed });
  } catch (err) {
    throw new InvalidArgumentError(`--chip-calibration ${dir}: ${(err as Error).message}`, { field: 'chip-calibration', value: dir });
  }
  for (const f of data.failures) log(`chip calibration: skipped ${path.join(dir, f.file)}: ${f.reason}`);
  if (data.clips.length === 0)
    throw new InvalidArgumentError(`--chip-calibration ${dir}: no readable audio clip (layouts: ${EVAL_LAYOUTS})`, {
      field: 'chip-calibration',
      value: dir,
    });
  return data.clips;
}

/** Simulated chips per level. */
export const DEFAULT_CHIPS = 20;
/**
 * Clips per chip by default: the Monte Carlo costs chips x levels full evaluations, so a subset
 * bounds the run (~20 s for a 13-64 network on one core); every chip sees the same clips.
 */
export const DEFAULT_MISMATCH_CLIPS = 1000;

/**
 * The clips the chips are evaluated on: keyword clips first (keyword accuracy, the headline of
 * the Monte Carlo, is computed on them alone), the rest of the budget from non-keyword clips
 * (for the rejection figure); each part a seeded random subset, file order kept.
 */
export function mismatchSubset(clips: readonly EvalClip[], n: number, seed: number): EvalClip[] {
  if (n >= clips.length) return [...clips];
  const kw = seededSubset(
    clips.filter((c) => c.keyword),
    n,
    seed,
  );
  const other = seededSubset(
    clips.filter((c) => !c.keyword),
    n - kw.length,
    seed + 1,
  );
  const keep = new Set([...kw, ...other]);
  return clips.filter((c) => keep.has(c));
}

export interface MismatchRunOptions {
  chips: number;
  seed: number;
  levels?: readonly number[];
  leakMismatch?: boolean;
  frontend?: boolean;
  /**
   * Unlabeled audio to calibrate each chip's outputs on (`calibrateOutputGains`): every chip is
   * then also scored with its own count gains (`calibrated` of each level).
   */
  calibration?: readonly CalibrationClip[];
  /** Called after each chip and level. */
  onProgress?: (done: number, total: number) => void;
}

/** Decisions of one model on every clip (whole-clip classification, full rejection rule). */
export function classifyAll(model: NwaveModel, clips: readonly EvalClip[]): ClipDecision[] {
  return clips.map((c) => {
    const r = model.classifyFeatures(c.features, c.frames);
    return { index: r.index, accepted: r.accepted };
  });
}

const P5 = 0.05;

/** Keyword accuracy over chips (mean, 5th percentile with its bootstrap interval, range) and their mean rejection. */
function chipScores(scores: readonly ClipScores[]): ChipScores {
  const acc = scores.map((s) => s.accuracy);
  const known = acc.filter((a): a is number => a !== null);
  const rej = scores.map((s) => s.rejection).filter((x): x is number => x !== null);
  return {
    mean: known.length ? mean(known) : null,
    p5: known.length ? percentile(known, P5) : null,
    p5Interval: bootstrapInterval(known, (xs) => percentile(xs, P5)),
    min: known.length ? Math.min(...known) : null,
    max: known.length ? Math.max(...known) : null,
    rejectionMean: rej.length ? mean(rej) : null,
    accuracies: acc,
  };
}

/** Runs the Monte Carlo. Levels where every chip is the deployed one (σ = 0, no leak mismatch) are run once. */
export function evaluateMismatch(model: NwaveModel, clips: readonly EvalClip[], opts: MismatchRunOptions): MismatchSummary {
  const levels = [...(opts.levels ?? mismatchLevels(model.chip))];
  const leakMismatch = opts.leakMismatch ?? true;
  const frontend = opts.frontend ?? false;
  const calibration = opts.calibration?.length ? opts.calibration : null;
  const calibrate = calibration ? outputCalibrator(model, calibration) : null;
  const total = levels.length * opts.chips;
  let done = 0;
  // The deployed integers on the same clips: the reference the chips are compared with.
  const deployed = scoreClips(clips, classifyAll(model, clips));
  // No spread at all: every chip is the deployed one.
  const exact = (stddev: number) => stddev === 0 && !leakMismatch && model.chip.mismatch.thresholdSpread === 0;
  const results = levels.map((stddev): MismatchLevel => {
    const runs = exact(stddev)
      ? new Array<{ raw: ClipScores; calibrated: ClipScores }>(opts.chips).fill({ raw: deployed, calibrated: deployed })
      : Array.from({ length: opts.chips }, (_, k) => {
          const chip = simulatedChip(model, { index: k, seed: opts.seed }, { stddev, leakMismatch, frontend });
          const raw = scoreClips(clips, classifyAll(chip, clips));
          const calibrated = calibrate ? scoreClips(clips, classifyAll(withCountGains(chip, calibrate(chip).countGains), clips)) : raw;
          opts.onProgress?.(++done, total);
          return { raw, calibrated };
        });
    if (exact(stddev)) opts.onProgress?.((done += opts.chips), total);
    const argmax = runs.map((r) => r.raw.argmaxAccuracy).filter((x): x is number => x !== null);
    return {
      stddev,
      ...chipScores(runs.map((r) => r.raw)),
      argmaxMean: argmax.length ? mean(argmax) : null,
      calibrated: calibration ? chipScores(runs.map((r) => r.calibrated)) : null,
    };
  });
  return {
    chips: opts.chips,
    clips: clips.length,
    seed: opts.seed,
    leakMismatch,
    frontend,
    nominalStddev: model.chip.mismatch.synapticSigma ?? 0,
    calibrationClips: calibration?.length ?? null,
    deployed,
    levels: results,
  };
}
