/**
 * Accuracy as deployed: every number here comes from the runtime's fixed-point simulation of the
 * exported checkpoint (the trainer's float model is only compared against it).
 */
import { NwaveModel, decide, makeDecisionContext, type DetectorSettings } from '@nwave/runtime';

export interface EvalItem {
  features: Float32Array;
  /** Class index, or -1 for a non-keyword clip the model has no class for. */
  label: number;
  file?: string;
}

export interface EvalResult {
  n: number;
  /** Arg-max accuracy over all classes (the SDK's `accuracy`). */
  accuracy: number;
  /** Mean per-class recall (arg-max). */
  balancedAccuracy: number;
  /** Keyword clips detected as the right keyword with the full rejection rule. */
  keywordAccuracy: number;
  /** Keyword clips whose arg-max is the right keyword. */
  keywordArgmaxAccuracy: number;
  /** Background clips not accepted as any keyword. */
  rejection: number;
  /** confusion[true][predicted] (arg-max); an extra last row holds non-keyword clips (label -1), if any. */
  confusion: number[][];
  /** Row names of `confusion`. */
  rowLabels: string[];
  perClass: { label: string; n: number; recall: number }[];
  /** Mean spikes per neuron per step, per layer. */
  firingRates: { name: string; rate: number }[];
  /** Projected power per clip (estimate): mean and 5th/95th percentiles, watts; energy per inference, joules. */
  power: { meanW: number; p5W: number; p95W: number; meanEnergyJ: number };
  /** Per-clip predictions (arg-max index, accepted). */
  predictions: { label: number; predicted: number; accepted: boolean; confidence: number; file?: string }[];
}

const pctl = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0;
};

export function evaluateModel(model: NwaveModel, items: readonly EvalItem[], steps: number): EvalResult {
  const labels = model.labels;
  const K = labels.length;
  const bg = new Set(model.checkpoint.backgroundLabels);
  const hasOther = items.some((it) => it.label < 0);
  const confusion = [...labels, ...(hasOther ? ['(non-keyword)'] : [])].map(() => new Array<number>(K).fill(0));
  const rateSums = model.powerLayers.map(() => 0);
  const powers: number[] = [];
  let energy = 0;
  let kwN = 0;
  let kwOk = 0;
  let kwArg = 0;
  let bgN = 0;
  let bgRej = 0;
  const predictions: EvalResult['predictions'] = [];
  for (const it of items) {
    const r = model.classifyFeatures(it.features, steps);
    confusion[it.label < 0 ? K : it.label][r.index]++;
    r.layerSpikes.forEach((l, i) => (rateSums[i] += l.spikes / (l.neurons * steps)));
    powers.push(r.power.totalW);
    energy += r.power.energyJ;
    const isBg = it.label < 0 || bg.has(labels[it.label]);
    if (isBg) {
      bgN++;
      if (!r.accepted) bgRej++;
    } else {
      kwN++;
      if (r.index === it.label) kwArg++;
      if (r.accepted && r.index === it.label) kwOk++;
    }
    predictions.push({
      label: it.label,
      predicted: r.index,
      accepted: r.accepted,
      confidence: r.confidence,
      ...(it.file ? { file: it.file } : {}),
    });
  }
  const n = items.length;
  // A non-keyword clip counts as correct when it is rejected (it has no class of its own).
  const correct =
    labels.reduce((a, _, i) => a + confusion[i][i], 0) + (hasOther ? predictions.filter((p) => p.label < 0 && !p.accepted).length : 0);
  const perClass = labels.map((label, i) => {
    const m = confusion[i].reduce((a, b) => a + b, 0);
    return { label, n: m, recall: m ? confusion[i][i] / m : 0 };
  });
  if (hasOther) {
    const other = predictions.filter((p) => p.label < 0);
    perClass.push({ label: '(non-keyword)', n: other.length, recall: other.filter((p) => !p.accepted).length / other.length });
  }
  const present = perClass.filter((c) => c.n > 0);
  return {
    rowLabels: [...labels, ...(hasOther ? ['(non-keyword)'] : [])],
    n,
    accuracy: n ? correct / n : 0,
    balancedAccuracy: present.length ? present.reduce((a, c) => a + c.recall, 0) / present.length : 0,
    keywordAccuracy: kwN ? kwOk / kwN : 0,
    keywordArgmaxAccuracy: kwN ? kwArg / kwN : 0,
    rejection: bgN ? bgRej / bgN : 1,
    confusion,
    perClass,
    firingRates: model.powerLayers.map((l, i) => ({ name: l.name, rate: n ? rateSums[i] / n : 0 })),
    power: {
      meanW: n ? powers.reduce((a, b) => a + b, 0) / n : 0,
      p5W: pctl(powers, 0.05),
      p95W: pctl(powers, 0.95),
      meanEnergyJ: n ? energy / n : 0,
    },
    predictions,
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
    return { label: it.label, counts: r.spikeCounts, level: r.meanInputLevel };
  });
  const bg = new Set(model.checkpoint.backgroundLabels);
  let best: { score: number; rej: number; threshold: number; minSpikes: number } | null = null;
  for (const threshold of [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99]) {
    for (const minSpikes of [0, 1, 2, 3, 4, 6, 8, 10, 12, 16]) {
      const ctx = makeDecisionContext(model.labels, model.checkpoint.backgroundLabels, { ...base, threshold, minSpikes });
      let kwN = 0;
      let kwOk = 0;
      let bgN = 0;
      let bgRej = 0;
      for (const r of runs) {
        const d = decide(ctx, r.counts, r.level);
        if (r.label < 0 || bg.has(model.labels[r.label])) {
          bgN++;
          if (!d.accepted) bgRej++;
        } else {
          kwN++;
          if (d.accepted && d.index === r.label) kwOk++;
        }
      }
      const rej = bgN ? bgRej / bgN : 1;
      const score = kwN ? kwOk / kwN : 0;
      const feasible = rej >= minRejection;
      const bestFeasible = best ? best.rej >= minRejection : false;
      if (!best || (feasible && !bestFeasible) || (feasible === bestFeasible && (feasible ? score > best.score : rej > best.rej))) {
        best = { score, rej, threshold, minSpikes };
      }
    }
  }
  return best ? { threshold: best.threshold, minSpikes: best.minSpikes } : {};
}
