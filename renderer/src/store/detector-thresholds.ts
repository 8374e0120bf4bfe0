/**
 * The live view's confidence threshold ("sensitivity"): slider range, the overrides it sends to
 * the engine, and the per-model memory kept in `Settings.detectorThresholds` (checkpoint name ->
 * threshold; a model without an entry runs with its file's detector settings).
 */
import type { DetectorSettings } from '@nwave/runtime';
import { MAX_DETECTOR_THRESHOLDS } from '@nwave/electron/shared/ipc-contract';
import type { DetectorOverrides } from '../engine/engine-messages.js';

/**
 * The slider: softmax confidence from 0.34 (just above a three-way tie of background, yes and no;
 * the bundled default's stream-calibrated threshold is 0.4) to 0.99.
 */
export const THRESHOLD_SLIDER = { min: 0.34, max: 0.99, step: 0.01 } as const;

const isThreshold = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1;

/** A slider value as a threshold: on the 0.01 grid, inside the slider's range; null if not a number. */
export function sliderThreshold(raw: string | number): number | null {
  const x = typeof raw === 'number' ? raw : Number.parseFloat(raw);
  if (!Number.isFinite(x)) return null;
  const { min, max } = THRESHOLD_SLIDER;
  return Math.round(Math.min(max, Math.max(min, x)) * 100) / 100;
}

/** The engine overrides for a threshold (null: the model file's settings, per-label thresholds included). */
export function thresholdOverrides(threshold: number | null): DetectorOverrides {
  return threshold === null ? {} : { threshold };
}

/** The threshold remembered for a model, or null (none, or not a usable value). */
export function rememberedThreshold(saved: Readonly<Record<string, number>> | undefined, modelName: string): number | null {
  if (!saved || !Object.hasOwn(saved, modelName)) return null;
  const x = saved[modelName];
  return isThreshold(x) ? x : null;
}

/**
 * `saved` with `modelName` set to `threshold` (null: forgotten), as a new object: the most
 * recently set model last, the oldest dropped beyond MAX_DETECTOR_THRESHOLDS models.
 */
export function rememberThreshold(
  saved: Readonly<Record<string, number>> | undefined,
  modelName: string,
  threshold: number | null,
): Record<string, number> {
  const entries = Object.entries(saved ?? {}).filter(([name, x]) => name !== modelName && isThreshold(x));
  if (threshold !== null) {
    if (!isThreshold(threshold)) throw new RangeError(`threshold ${threshold} is not within 0..1`);
    entries.push([modelName, threshold]);
  }
  return Object.fromEntries(entries.slice(-MAX_DETECTOR_THRESHOLDS));
}

/** 0.9 -> "0.90", 0.875 -> "0.875". */
export function fmtThreshold(x: number): string {
  return Number.isInteger(Math.round(x * 1e6) / 1e4) ? x.toFixed(2) : String(Number(x.toFixed(4)));
}

/**
 * The model panel's description of the threshold in effect, e.g. "confidence ≥ 0.90 (set in the
 * live view; file: 0.50)" or "confidence ≥ 0.50, yes ≥ 0.70".
 */
export function describeThreshold(file: DetectorSettings, live: { settings: DetectorSettings; overridden: boolean } | null): string {
  const perLabel = (d: DetectorSettings): string =>
    Object.entries(d.labelThresholds ?? {})
      .map(([label, x]) => `, ${label} ≥ ${fmtThreshold(x)}`)
      .join('');
  const fileText = `${fmtThreshold(file.threshold)}${perLabel(file)}`;
  if (!live?.overridden) return `confidence ≥ ${fileText}`;
  return `confidence ≥ ${fmtThreshold(live.settings.threshold)}${perLabel(live.settings)} (set in the live view; file: ${fileText})`;
}
