/**
 * The decision rule shared by whole-clip classification and the streaming detector:
 * spike-count argmax (ties -> lowest index, as the SDK's `accuracy`), softmax confidence over
 * the counts (the trainer's cross-entropy is on these same counts), then the rejection path.
 */
import type { DetectorSettings } from '../model/checkpoint-schema.js';

export type RejectReason = 'background' | 'low-confidence' | 'too-few-spikes' | 'quiet-input' | 'steady-input';

export interface Decision {
  /** Arg-max class over spike counts (ties to the lowest index). */
  index: number;
  label: string;
  /** Softmax of the counts at `index`, 0..1. */
  confidence: number;
  /** True when the winner is a keyword that passed every gate. */
  accepted: boolean;
  /** Why a keyword was not accepted (undefined when accepted). */
  rejectedBy?: RejectReason;
}

export interface DecisionContext {
  labels: readonly string[];
  isBackground: readonly boolean[];
  thresholds: Float64Array;
  /** Per-label count multipliers (`settings.countGains`); null when there are none. */
  gains: Float64Array | null;
  /** The counts times `gains` of the decision being made (reused). */
  scaled: Float64Array;
  settings: DetectorSettings;
}

export function makeDecisionContext(
  labels: readonly string[],
  backgroundLabels: readonly string[],
  settings: DetectorSettings,
): DecisionContext {
  const bg = new Set(backgroundLabels);
  const thresholds = new Float64Array(labels.length);
  // Own properties only: a label named "constructor" or "toString" must not read Object.prototype.
  const per = settings.labelThresholds;
  labels.forEach((l, i) => (thresholds[i] = per && Object.hasOwn(per, l) ? per[l] : settings.threshold));
  const g = settings.countGains;
  const gains = g && Object.keys(g).length ? Float64Array.from(labels, (l) => (Object.hasOwn(g, l) ? g[l] : 1)) : null;
  return { labels, isBackground: labels.map((l) => bg.has(l)), thresholds, gains, scaled: new Float64Array(labels.length), settings };
}

/**
 * Class scores from output-neuron counts: the sum over each label's population of P contiguous
 * neurons (P = 1: the counts themselves). Writes into `out` (length = labels).
 */
export function populationCounts(neuronCounts: ArrayLike<number>, population: number, out: Int32Array | number[]): Int32Array | number[] {
  for (let k = 0; k < out.length; k++) {
    let s = 0;
    for (let j = k * population; j < (k + 1) * population; j++) s += neuronCounts[j];
    out[k] = s;
  }
  return out;
}

/** Index of the largest count, lowest index on ties. */
export function argmaxCounts(counts: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i] > counts[best]) best = i;
  return best;
}

/** Softmax probability of class `index` given integer counts (times `scale`, the trainer's logit scale). */
export function softmaxAt(counts: ArrayLike<number>, index: number, scale = 1): number {
  let max = -Infinity;
  for (let i = 0; i < counts.length; i++) if (counts[i] > max) max = counts[i];
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += Math.exp((counts[i] - max) * scale);
  return Math.exp((counts[index] - max) * scale) / sum;
}

/**
 * Decides on one set of counts.
 * @param meanInputLevel mean filterbank feature over the same span (activity gate).
 * @param peakInputLevel largest step level over the same span (a step's level: the mean of its
 *   features over the channels), for the input-contrast gate.
 */
export function decide(ctx: DecisionContext, counts: ArrayLike<number>, meanInputLevel: number, peakInputLevel: number): Decision {
  const { index, label, confidence, rejectedBy } = decideInto(ctx, counts, meanInputLevel, peakInputLevel, newDecision());
  return rejectedBy ? { index, label, confidence, accepted: false, rejectedBy } : { index, label, confidence, accepted: true };
}

/** A Decision to reuse with `decideInto`. */
export function newDecision(): Decision {
  return { index: 0, label: '', confidence: 0, accepted: false, rejectedBy: undefined };
}

/**
 * The input-contrast gate: a spoken word is a transient, steady noise (fan, tap, pink noise) is
 * not, so a window whose loudest step is under `minInputContrast` times its mean level is not a
 * word. Off when the setting is absent or 0.
 */
export function isSteadyInput(settings: DetectorSettings, meanInputLevel: number, peakInputLevel: number): boolean {
  const contrast = settings.minInputContrast ?? 0;
  return contrast > 0 && peakInputLevel < contrast * meanInputLevel;
}

/**
 * The input levels of a clip of features [steps][channels]: the mean feature over the clip (summed
 * in storage order, as the activity gate has always read it) and the largest step level (a step's
 * level is the mean of its features over the channels, as the streaming detector is fed).
 */
export function clipInputLevels(features: ArrayLike<number>, steps: number, channels: number): { mean: number; peak: number } {
  let total = 0;
  let peak = 0;
  for (let t = 0, i = 0; t < steps; t++) {
    let step = 0;
    for (let c = 0; c < channels; c++, i++) {
      const x = features[i];
      total += x;
      step += x;
    }
    const level = step / channels;
    if (t === 0 || level > peak) peak = level;
  }
  return steps > 0 ? { mean: total / (steps * channels), peak } : { mean: 0, peak: 0 };
}

/**
 * `decide` writing into `out` (`rejectedBy` undefined when accepted) instead of allocating a
 * Decision: the streaming detector's per-step path.
 */
export function decideInto(
  ctx: DecisionContext,
  counts: ArrayLike<number>,
  meanInputLevel: number,
  peakInputLevel: number,
  out: Decision,
): Decision {
  if (ctx.gains) {
    for (let k = 0; k < ctx.scaled.length; k++) ctx.scaled[k] = counts[k] * ctx.gains[k];
    counts = ctx.scaled;
  }
  const index = argmaxCounts(counts);
  const settings = ctx.settings;
  const confidence = softmaxAt(counts, index, settings.countScale ?? 1);
  let rejectedBy: RejectReason | undefined;
  if (ctx.isBackground[index]) rejectedBy = 'background';
  else if (counts[index] < settings.minSpikes) rejectedBy = 'too-few-spikes';
  else if (meanInputLevel < settings.minInputLevel) rejectedBy = 'quiet-input';
  else if (isSteadyInput(settings, meanInputLevel, peakInputLevel)) rejectedBy = 'steady-input';
  else if (confidence < ctx.thresholds[index]) rejectedBy = 'low-confidence';
  out.index = index;
  out.label = ctx.labels[index];
  out.confidence = confidence;
  out.accepted = rejectedBy === undefined;
  out.rejectedBy = rejectedBy;
  return out;
}
