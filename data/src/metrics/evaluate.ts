/**
 * Accuracy as deployed: every number here comes from the runtime's fixed-point simulation of the
 * exported checkpoint (the trainer's float model is only compared against it).
 */
import { NwaveModel, decide, makeDecisionContext, type DetectorSettings } from '@nwave/runtime';
import { NON_KEYWORD, clipMetrics, scoreClips, type ClipDecision, type ClipMetrics, type ScoredClip } from './clip-metrics.js';
import { mean, percentile } from './stats.js';

/** A clip to evaluate: its scoring facts and its filterbank features [frames][channels]. */
export interface FeatureClip extends ScoredClip {
  features: Float32Array;
  /** Steps to run (filterbank frames). */
  frames: number;
}

/** What the runtime decided and measured on one clip. */
export interface ClipOutcome extends ClipDecision {
  confidence: number;
  /** Projected chip power over the clip (estimate), watts. */
  powerW: number;
  /** Projected energy of the clip's inference, joules. */
  energyJ: number;
}

/** Projected power per clip (estimate): mean and 5th / 95th percentiles, watts; mean energy per inference, joules. All 0 without clips. */
export interface PowerStats {
  meanW: number;
  p5W: number;
  p95W: number;
  energyPerInferenceJ: number;
}

export function powerStats(outcomes: readonly Pick<ClipOutcome, 'powerW' | 'energyJ'>[]): PowerStats {
  if (outcomes.length === 0) return { meanW: 0, p5W: 0, p95W: 0, energyPerInferenceJ: 0 };
  const powers = outcomes.map((o) => o.powerW);
  return {
    meanW: mean(powers),
    p5W: percentile(powers, 0.05),
    p95W: percentile(powers, 0.95),
    energyPerInferenceJ: mean(outcomes.map((o) => o.energyJ)),
  };
}

/** Scores, per-clip outcomes, power and firing rates of a model on some clips. */
export interface ClipEvaluation {
  metrics: ClipMetrics;
  /** `outcomes[i]` belongs to `clips[i]`. */
  outcomes: ClipOutcome[];
  power: PowerStats;
  /** Mean spikes per neuron per step, per layer (0 without clips). */
  firingRates: { name: string; rate: number }[];
}

/**
 * The one evaluation of `nwave eval` and the trainer: every clip through the runtime's
 * fixed-point simulation of the checkpoint as deployed, then {@link clipMetrics} and
 * {@link powerStats}.
 */
export function evaluateClips(model: NwaveModel, clips: readonly FeatureClip[]): ClipEvaluation {
  const rateSums = model.powerLayers.map(() => 0);
  const outcomes = clips.map((c): ClipOutcome => {
    const r = model.classifyFeatures(c.features, c.frames);
    r.layerSpikes.forEach((l, i) => (rateSums[i] += c.frames > 0 ? l.spikes / (l.neurons * c.frames) : 0));
    return { index: r.index, accepted: r.accepted, confidence: r.confidence, powerW: r.power.totalW, energyJ: r.power.energyJ };
  });
  const n = clips.length;
  return {
    metrics: clipMetrics(model.labels, clips, outcomes),
    outcomes,
    power: powerStats(outcomes),
    firingRates: model.powerLayers.map((l, i) => ({ name: l.name, rate: n ? rateSums[i] / n : 0 })),
  };
}

/** True when a label index is a keyword of the model (not background, not non-keyword). */
export function isKeywordLabel(model: NwaveModel, label: number): boolean {
  return label >= 0 && !model.decision.isBackground[label];
}

export interface EvalItem {
  features: Float32Array;
  /** Class index, or -1 for a non-keyword clip the model has no class for. */
  label: number;
  file?: string;
}

/** The trainer's view of {@link evaluateClips} (same scores), plus the SDK's all-class accuracy. */
export interface EvalResult {
  n: number;
  /** Arg-max accuracy over all classes, a non-keyword clip counting as right when rejected (the SDK's `accuracy`). */
  accuracy: number;
  /** Mean per-class recall (arg-max; non-keyword row: rejection) over the classes present. */
  balancedAccuracy: number;
  /** Keyword clips detected as the right keyword with the full rejection rule (null: no keyword clip). */
  keywordAccuracy: number | null;
  /** Keyword clips whose arg-max is the right keyword (null: no keyword clip). */
  keywordArgmaxAccuracy: number | null;
  /** Non-keyword clips (background labels, label -1) not accepted as any keyword (null: no such clip). */
  rejection: number | null;
  /** confusion[true][predicted] (arg-max); an extra last row holds non-keyword clips (label -1), if any. */
  confusion: number[][];
  /** Row names of `confusion`. */
  rowLabels: string[];
  perClass: { label: string; n: number; recall: number }[];
  /** Mean spikes per neuron per step, per layer. */
  firingRates: { name: string; rate: number }[];
  power: PowerStats;
  /** Per-clip predictions (arg-max index, accepted). */
  predictions: { label: number; predicted: number; accepted: boolean; confidence: number; file?: string }[];
}

/** {@link evaluateClips} on clips of `steps` frames each. */
export function evaluateModel(model: NwaveModel, items: readonly EvalItem[], steps: number): EvalResult {
  const clips = items.map((it) => ({ features: it.features, frames: steps, label: it.label, keyword: isKeywordLabel(model, it.label) }));
  const { metrics: m, outcomes, power, firingRates } = evaluateClips(model, clips);
  const n = items.length;
  const K = model.labels.length;
  const perClass = m.perClass.map((r, i) => ({ label: r.label, n: r.n, recall: (i < K ? r.argmaxRecall : r.rejection) ?? 0 }));
  // A non-keyword clip counts as correct when it is rejected (it has no class of its own).
  const correct =
    m.confusion.slice(0, K).reduce((a, row, i) => a + row[i], 0) +
    outcomes.filter((o, i) => items[i].label === NON_KEYWORD && !o.accepted).length;
  const present = perClass.filter((c) => c.n > 0);
  return {
    n,
    accuracy: n ? correct / n : 0,
    balancedAccuracy: present.length ? present.reduce((a, c) => a + c.recall, 0) / present.length : 0,
    keywordAccuracy: m.accuracy,
    keywordArgmaxAccuracy: m.argmaxAccuracy,
    rejection: m.rejection,
    confusion: m.confusion,
    rowLabels: m.confusionRows,
    perClass,
    firingRates,
    power,
    predictions: outcomes.map((o, i) => ({
      label: items[i].label,
      predicted: o.index,
      accepted: o.accepted,
      confidence: o.confidence,
      ...(items[i].file ? { file: items[i].file } : {}),
    })),
  };
}

/**
 * Picks the detector's confidence threshold and minimum spike count on validation clips: the
 * setting with the best keyword accuracy among those rejecting at least `minRejection` of the
 * background clips (ties: the stricter setting).
 */
export function calibrateDetector(
  model: NwaveModel,
  items: readonly EvalItem[],
  steps: number,
  minRejection = 0.95,
): Partial<DetectorSettings> {
  const base = model.checkpoint.detector;
  const runs = items.map((it) => {
    const r = model.classifyFeatures(it.features, steps);
    return { counts: r.spikeCounts, level: r.meanInputLevel, peak: r.peakInputLevel };
  });
  const scored = items.map((it) => ({ label: it.label, keyword: isKeywordLabel(model, it.label) }));
  let best: { score: number; rej: number; threshold: number; minSpikes: number } | null = null;
  for (const threshold of [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99]) {
    for (const minSpikes of [0, 1, 2, 3, 4, 6, 8, 10, 12, 16]) {
      const ctx = makeDecisionContext(model.labels, model.checkpoint.backgroundLabels, { ...base, threshold, minSpikes });
      const s = scoreClips(
        scored,
        runs.map((r) => decide(ctx, r.counts, r.level, r.peak)),
      );
      // Nothing to reject (or to detect) constrains no choice.
      const rej = s.rejection ?? 1;
      const score = s.accuracy ?? 0;
      const feasible = rej >= minRejection;
      const bestFeasible = best ? best.rej >= minRejection : false;
      if (!best || (feasible && !bestFeasible) || (feasible === bestFeasible && (feasible ? score > best.score : rej > best.rej))) {
        best = { score, rej, threshold, minSpikes };
      }
    }
  }
  return best ? { threshold: best.threshold, minSpikes: best.minSpikes } : {};
}

/** The input-contrast settings {@link calibrateInputContrast} tries (0: off). */
export const INPUT_CONTRAST_CANDIDATES: readonly number[] = [0, 1.5, 2, 2.5, 3];

/**
 * Picks the detector's input-contrast gate (`minInputContrast`) on validation clips: the largest
 * of {@link INPUT_CONTRAST_CANDIDATES} that costs at most `maxKeywordLoss` of the keyword clips
 * (right keyword accepted by the model's detector without the gate, rejected with it). Steady
 * noise is what the gate rejects; a model whose keywords are steady sounds (tones) gets 0, off.
 * No keyword clip: 0 (nothing to measure the cost on).
 */
export function calibrateInputContrast(model: NwaveModel, items: readonly EvalItem[], steps: number, maxKeywordLoss = 0.01): number {
  const base = model.checkpoint.detector;
  const ctxOf = (minInputContrast: number) =>
    makeDecisionContext(model.labels, model.checkpoint.backgroundLabels, { ...base, minInputContrast });
  const keywords = items.filter((it) => isKeywordLabel(model, it.label));
  if (keywords.length === 0) return 0;
  const off = ctxOf(0);
  // Keyword clips the detector gets right without the gate: the ones the gate could cost.
  const right = keywords.flatMap((it) => {
    const r = model.classifyFeatures(it.features, steps);
    const d = decide(off, r.spikeCounts, r.meanInputLevel, r.peakInputLevel);
    return d.accepted && d.index === it.label ? [r] : [];
  });
  for (const c of [...INPUT_CONTRAST_CANDIDATES].sort((a, b) => b - a)) {
    if (c === 0) return 0;
    const ctx = ctxOf(c);
    const lost = right.filter((r) => !decide(ctx, r.spikeCounts, r.meanInputLevel, r.peakInputLevel).accepted).length;
    if (lost <= maxKeywordLoss * keywords.length) return c;
  }
  return 0;
}
