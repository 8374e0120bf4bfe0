/**
 * The decision rule shared by whole-clip classification and the streaming detector:
 * spike-count argmax (ties -> lowest index, as the SDK's `accuracy`), softmax confidence over
 * the counts (the trainer's cross-entropy is on these same counts), then the rejection path.
 */
import type { DetectorSettings } from '../model/checkpoint-schema.js';

export type RejectReason = 'background' | 'low-confidence' | 'too-few-spikes' | 'quiet-input';

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
  return { labels, isBackground: labels.map((l) => bg.has(l)), thresholds, settings };
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
 */
export function decide(ctx: DecisionContext, counts: ArrayLike<number>, meanInputLevel: number): Decision {
  const { index, label, confidence, rejectedBy } = decideInto(ctx, counts, meanInputLevel, newDecision());
  return rejectedBy ? { index, label, confidence, accepted: false, rejectedBy } : { index, label, confidence, accepted: true };
}

/** A Decision to reuse with `decideInto`. */
export function newDecision(): Decision {
  return { index: 0, label: '', confidence: 0, accepted: false, rejectedBy: undefined };
}

/**
 * `decide` writing into `out` (`rejectedBy` undefined when accepted) instead of allocating a
 * Decision: the streaming detector's per-step path.
 */
export function decideInto(ctx: DecisionContext, counts: ArrayLike<number>, meanInputLevel: number, out: Decision): Decision {
  const index = argmaxCounts(counts);
  const confidence = softmaxAt(counts, index, ctx.settings.countScale ?? 1);
  let rejectedBy: RejectReason | undefined;
  if (ctx.isBackground[index]) rejectedBy = 'background';
  else if (counts[index] < ctx.settings.minSpikes) rejectedBy = 'too-few-spikes';
  else if (meanInputLevel < ctx.settings.minInputLevel) rejectedBy = 'quiet-input';
  else if (confidence < ctx.thresholds[index]) rejectedBy = 'low-confidence';
  out.index = index;
  out.label = ctx.labels[index];
  out.confidence = confidence;
  out.accepted = rejectedBy === undefined;
  out.rejectedBy = rejectedBy;
  return out;
}
