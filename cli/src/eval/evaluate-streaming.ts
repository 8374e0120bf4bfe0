/**
 * The streaming part of `nwave eval`: plan a seeded stream from the evaluation clips, run it once
 * through the spotter, score the checkpoint's own detector, then sweep the confidence threshold
 * over the same recording for the false-accepts-per-hour / miss-rate curve.
 */
import type { NwaveModel } from '@nwave/runtime';
import { planStream, type StreamPlan, type StreamSource } from './stream-builder.js';
import {
  recordStream,
  replayDetector,
  scoreDetections,
  streamPower,
  type AudioLoader,
  type Hit,
  type StreamRecording,
} from './stream-eval.js';
import { mean, percentile } from '@nwave/data/metrics';
import type { CurvePoint, StreamingSummary } from './summary.js';

/** Thresholds of the sweep; the checkpoint's own threshold is added. Dense near 1: softmax confidences crowd there. */
export const SWEEP_THRESHOLDS: readonly number[] = [0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999, 0.9999];
/** Operating points reported from the curve (openWakeWord reports misses at 0.5 false accepts/h). */
export const FA_TARGETS: readonly number[] = [0.5, 1];
/** Operating points read off the DET curve (issue 11's bar: misses at 10, 50 and 200 false accepts/h). */
export const DET_FA_TARGETS: readonly number[] = [10, 50, 200];
/** Thresholds of the DET curve: a fine grid, denser near 1 where softmax confidences crowd. */
export const DET_THRESHOLDS: readonly number[] = [
  ...Array.from({ length: 18 }, (_, i) => +(i * 0.05).toFixed(2)),
  0.9,
  0.92,
  0.94,
  0.95,
  0.96,
  0.97,
  0.98,
  0.985,
  0.99,
  0.993,
  0.995,
  0.997,
  0.998,
  0.999,
  0.9995,
  0.9999,
  1,
];

export interface StreamingOptions {
  hours: number;
  seed: number;
  toleranceS?: number;
  thresholds?: readonly number[];
  /** Gap of other audio between two keywords, seconds. @defaultValue [4, 10] */
  gapS?: [number, number];
  /** Each keyword right after the first `leadInS` s of another clip, no pause (stream-builder). @defaultValue 0 */
  leadInS?: number;
}

/** Everything the report needs beyond the JSON summary. */
export interface StreamingDetails {
  summary: StreamingSummary;
  plan: StreamPlan;
  recording: StreamRecording;
  hits: Hit[];
}

const ms = (xs: number[]) =>
  xs.length ? { mean: mean(xs) * 1000, p50: percentile(xs, 0.5) * 1000, p90: percentile(xs, 0.9) * 1000 } : null;

/** Lowest miss rate among curve points with at most `target` false accepts per hour. */
export function missRateAt(curve: readonly CurvePoint[], target: number): { missRate: number | null; threshold: number | null } {
  let best: CurvePoint | null = null;
  for (const p of curve) {
    if (p.falseAcceptsPerHour > target) continue;
    // Ties: fewer false accepts, then the stricter (higher, later) threshold.
    if (!best || p.missRate < best.missRate || (p.missRate === best.missRate && p.falseAcceptsPerHour <= best.falseAcceptsPerHour))
      best = p;
  }
  return { missRate: best?.missRate ?? null, threshold: best?.threshold ?? null };
}

/** Runs the streaming evaluation on `sources` (evaluation clips or stream folders; audio re-read through `load`). */
export function evaluateStreaming(
  model: NwaveModel,
  sources: readonly StreamSource[],
  load: AudioLoader,
  opts: StreamingOptions,
): StreamingDetails {
  const tol = opts.toleranceS ?? 0.5;
  const plan = planStream(sources, model.filterbank.sampleRateHz, {
    hours: opts.hours,
    seed: opts.seed,
    gapS: opts.gapS,
    leadInS: opts.leadInS,
  });
  const recording = recordStream(model, plan, load);
  const hours = plan.durationS / 3600;
  // "Other speech": the stream minus the inserted keywords (the DET's false-accept denominator).
  const otherHours = Math.max(0, hours - plan.keywords.reduce((a, k) => a + (k.endS - k.startS), 0) / 3600);
  const labels = model.labels;
  const base0 = model.checkpoint.detector;
  // One threshold for every label: per-label overrides would make the sweep a different curve per label.
  const sweep = (thresholds: readonly number[], perHours: number): CurvePoint[] =>
    [...new Set([...thresholds, base0.threshold])]
      .sort((a, b) => a - b)
      .map((threshold): CurvePoint => {
        const s = scoreDetections(
          plan.keywords,
          replayDetector(model, recording, { ...base0, threshold, labelThresholds: undefined }),
          labels,
          tol,
        );
        return {
          threshold,
          falseAcceptsPerHour: perHours > 0 ? s.falseAccepts.length / perHours : 0,
          missRate: plan.keywords.length ? s.misses.length / plan.keywords.length : 0,
        };
      });
  const det = sweep(DET_THRESHOLDS, otherHours);
  // The deployed detector: the spotter's own events (the sweep's replay reproduces them exactly).
  const own = scoreDetections(plan.keywords, recording.events, labels, tol);
  const curve = sweep(opts.thresholds ?? SWEEP_THRESHOLDS, hours);
  const summary: StreamingSummary = {
    hours,
    ...(opts.leadInS ? { leadInS: opts.leadInS } : {}),
    keywords: plan.keywords.length,
    misses: own.misses.length,
    missRate: plan.keywords.length ? own.misses.length / plan.keywords.length : null,
    wrongLabels: own.wrongLabels.length,
    wrongLabelRate: plan.keywords.length ? own.wrongLabels.length / plan.keywords.length : null,
    otherSpeechHours: otherHours,
    falseAcceptsPerHourOfOtherSpeech: otherHours > 0 ? own.falseAccepts.length / otherHours : 0,
    falseAccepts: own.falseAccepts.length,
    falseAcceptsPerHour: hours > 0 ? own.falseAccepts.length / hours : 0,
    latencyMs: ms(own.hits.map((h) => h.latencyS)),
    latencyFromStartMs: ms(own.hits.map((h) => h.latencyFromStartS)),
    toleranceS: tol,
    meanPowerW: recording.steps > 0 ? streamPower(model, recording) : 0,
    curve,
    missRateAt: FA_TARGETS.map((fa) => ({ falseAcceptsPerHour: fa, ...missRateAt(curve, fa) })),
    det,
    detMissRateAt: DET_FA_TARGETS.map((fa) => ({ falseAcceptsPerHour: fa, ...missRateAt(det, fa) })),
    realTimeFactor: recording.runS > 0 ? plan.durationS / recording.runS : 0,
    seed: opts.seed,
  };
  return { summary, plan, recording, hits: own.hits };
}
