/**
 * Deployment-time detector settings shared by `nwave detect`, `listen` and `eval`: the operating
 * point (Porcupine's "sensitivity") chosen without retraining. Only the detector changes; the
 * network and its spikes stay the same (the runtime's `withDetectorSettings`).
 *
 *   --threshold <x>                 softmax confidence 0..1 for every keyword
 *   --label-threshold <label=x,...> per-keyword confidence (e.g. yes=0.8,no=0.7)
 *   --min-spikes <n>                minimum spikes of the winning class in the window
 *   --min-input-contrast <x>        input-contrast gate: loudest step >= x times the window's mean level (0: off)
 */
import { checkNumber } from './number-text.js';
import { InvalidArgumentError, withDetectorSettings, type Checkpoint, type DetectorSettings } from '@nwave/runtime';
import type { DetectorCliOptions } from './detector-flags.js';

export { addDetectorOptions, type DetectorCliOptions } from './detector-flags.js';

/** Deployment overrides of a checkpoint's detector (only the fields the user gave). */
export type DetectorOverrides = Partial<Pick<DetectorSettings, 'threshold' | 'labelThresholds' | 'minSpikes' | 'minInputContrast'>>;

const bad = (flag: string, v: string, expected: string, field: string) =>
  new InvalidArgumentError(`--${flag} must be ${expected}, got "${v}"`, { field, value: v, expected });

const confidence = (v: string) => checkNumber(v, { min: 0, max: 1 });

/**
 * Parses and checks the options; labels are checked against the model later (`applyDetectorOverrides`).
 * @throws InvalidArgumentError naming the flag: not a number, out of range, or a malformed `label=x` pair
 */
export function parseDetectorOptions(o: DetectorCliOptions): DetectorOverrides {
  const out: DetectorOverrides = {};
  if (o.threshold !== undefined) {
    const x = confidence(o.threshold);
    if (x === undefined) throw bad('threshold', o.threshold, 'a number in [0, 1]', 'threshold');
    out.threshold = x;
  }
  if (o.labelThreshold !== undefined) {
    const expected = 'label=x pairs separated by commas, x in [0, 1] (e.g. yes=0.8,no=0.7)';
    const thresholds = new Map<string, number>();
    for (const pair of o.labelThreshold.split(',')) {
      const m = /^\s*([^=]+?)\s*=\s*(.*?)\s*$/.exec(pair);
      const x = m ? confidence(m[2]) : undefined;
      if (!m || x === undefined)
        throw new InvalidArgumentError(`--label-threshold must be ${expected}; "${pair}" is not`, {
          field: 'labelThresholds',
          value: o.labelThreshold,
          expected,
        });
      if (thresholds.has(m[1]))
        throw new InvalidArgumentError(`--label-threshold gives "${m[1]}" twice`, { field: 'labelThresholds', value: o.labelThreshold });
      thresholds.set(m[1], x);
    }
    // fromEntries defines own properties, so a label such as __proto__ is kept, not dropped.
    out.labelThresholds = Object.fromEntries(thresholds);
  }
  if (o.minSpikes !== undefined) {
    const x = checkNumber(o.minSpikes, { int: true, min: 0 });
    if (x === undefined) throw bad('min-spikes', o.minSpikes, 'an integer >= 0', 'minSpikes');
    out.minSpikes = x;
  }
  if (o.minInputContrast !== undefined) {
    const x = checkNumber(o.minInputContrast, { min: 0, max: 100 });
    if (x === undefined) throw bad('min-input-contrast', o.minInputContrast, 'a number in [0, 100] (0: off)', 'minInputContrast');
    out.minInputContrast = x;
  }
  return out;
}

/**
 * `checkpoint` with `overrides` merged over its detector settings (the same object when there are
 * none). A global `--threshold` replaces the file's per-label thresholds (see `withDetectorSettings`).
 * @throws InvalidArgumentError for a label the model does not have (the message lists its labels)
 */
export function applyDetectorOverrides(checkpoint: Checkpoint, overrides: DetectorOverrides): Checkpoint {
  if (Object.keys(overrides).length === 0) return checkpoint;
  try {
    return withDetectorSettings(checkpoint, overrides);
  } catch (e) {
    if (e instanceof InvalidArgumentError && e.context.field === 'labelThresholds')
      throw new InvalidArgumentError(`--label-threshold: ${e.message}`, e.context);
    throw e;
  }
}

/** One line for people: `confidence >= 0.9 (yes 0.8), >= 8 spikes[, input contrast >= 2][, chip calibration: counts yes x1.1]`. */
export function describeDetector(d: DetectorSettings): string {
  const per = Object.entries(d.labelThresholds ?? {})
    .map(([l, x]) => `${l} ${x}`)
    .join(', ');
  const contrast = d.minInputContrast ? `, input contrast >= ${d.minInputContrast}` : '';
  const gains = describeCountGains(d.countGains ?? {});
  return `confidence >= ${d.threshold}${per ? ` (${per})` : ''}, >= ${d.minSpikes} spikes${contrast}${gains ? `, chip calibration: counts ${gains}` : ''}`;
}

/** `yes x1.235, no x0.9`: a chip calibration's count gains, for people. */
export function describeCountGains(gains: Record<string, number>): string {
  return Object.entries(gains)
    .map(([l, x]) => `${l} x${+x.toFixed(3)}`)
    .join(', ');
}
