/**
 * Output calibration of one chip. Fabrication mismatch makes a chip's output populations fire
 * more or less than the nominal network's on the same sound, so a keyword's population loses its
 * margin over the background one and the chip misses keywords the nominal network detects. Play
 * the same unlabeled audio (any speech, keywords or not) through the nominal network and through
 * the chip, and scale each label's counts by nominal mean / chip mean: the detector then reads
 * the chip's counts on the nominal network's scale. The weights stay as trained: the gains are
 * the detector's `countGains`, applied on the host.
 */
import { InvalidArgumentError } from '../errors.js';
import { NwaveModel } from '../engine/nwave-model.js';
import { withDetectorSettings } from '../model/detector-overrides.js';

/** Features of one calibration clip, as `NwaveModel.features` gives them. */
export interface CalibrationClip {
  features: ArrayLike<number>;
  frames: number;
}

/**
 * Gains are kept in this range: beyond it the chip's population is broken (almost silent or
 * saturated) rather than shifted, and a gain would only amplify noise.
 */
export const COUNT_GAIN_RANGE: readonly [number, number] = [0.25, 4];
/**
 * Calibration clips per chip at most (the CLI's seeded subset of `--chip-calibration`, the app's
 * first audio files): every chip runs them once, and a few hundred clips make stable means.
 */
export const MAX_CALIBRATION_CLIPS = 400;
/** Added to both mean counts: a label that hardly fires on the calibration audio keeps a gain near 1. */
const COUNT_PRIOR = 0.5;

export interface OutputCalibration {
  /** Per-label gains for `detector.countGains`. */
  countGains: Record<string, number>;
  /** Mean count per label over the calibration clips: nominal network, chip. */
  nominalMeans: number[];
  chipMeans: number[];
  clips: number;
  /** Labels whose gain hit `COUNT_GAIN_RANGE`. */
  clamped: string[];
}

function meanCounts(model: NwaveModel, clips: readonly CalibrationClip[]): number[] {
  const sum = new Array<number>(model.labels.length).fill(0);
  for (const c of clips) model.classifyFeatures(c.features, c.frames).spikeCounts.forEach((n, k) => (sum[k] += n));
  return sum.map((s) => s / clips.length);
}

/**
 * Calibrates `chip` (e.g. `chipInstanceModel(nominal, sampleChipInstance(...))`) against
 * `nominal` on the same clips. Labels are not needed: what matters is that both hear the same
 * sound. A few hundred clips of ordinary speech are enough (the means are over all of them).
 * @throws InvalidArgumentError without clips, or when the two models' labels differ
 */
export function calibrateOutputGains(nominal: NwaveModel, chip: NwaveModel, clips: readonly CalibrationClip[]): OutputCalibration {
  return outputCalibrator(nominal, clips)(chip);
}

/**
 * `calibrateOutputGains` for many chips of one model: the nominal network runs the clips once.
 * @throws InvalidArgumentError without clips (and, per chip, when its labels differ)
 */
export function outputCalibrator(nominal: NwaveModel, clips: readonly CalibrationClip[]): (chip: NwaveModel) => OutputCalibration {
  if (clips.length === 0) throw new InvalidArgumentError('chip calibration: no clips to calibrate on', { field: 'clips' });
  const nominalMeans = meanCounts(nominal, clips);
  const [lo, hi] = COUNT_GAIN_RANGE;
  return (chip) => {
    if (nominal.labels.join('\n') !== chip.labels.join('\n'))
      throw new InvalidArgumentError(
        `chip calibration: the chip's labels (${chip.labels.join(', ')}) differ from the nominal model's (${nominal.labels.join(', ')})`,
        { field: 'labels' },
      );
    const chipMeans = meanCounts(chip, clips);
    const countGains: Record<string, number> = {};
    const clamped: string[] = [];
    nominal.labels.forEach((label, k) => {
      const g = (nominalMeans[k] + COUNT_PRIOR) / (chipMeans[k] + COUNT_PRIOR);
      if (g < lo || g > hi) clamped.push(label);
      countGains[label] = Math.min(hi, Math.max(lo, g));
    });
    return { countGains, nominalMeans, chipMeans, clips: clips.length, clamped };
  };
}

/** The same chip (integer tables) deciding with `countGains`. */
export function withCountGains(chip: NwaveModel, countGains: Record<string, number>, name?: string): NwaveModel {
  return new NwaveModel(
    withDetectorSettings(chip.checkpoint, { countGains }),
    name ?? `${chip.checkpoint.name} (calibrated)`,
    chip.fixedPoint,
  );
}
