/**
 * Detector settings chosen at deployment rather than at training: a stricter confidence threshold
 * trades missed keywords for fewer false accepts (Porcupine's "sensitivity"). The network is
 * untouched; only `checkpoint.detector` changes, checked against the same schema as a file.
 */
import { InvalidArgumentError } from '../errors.js';
import { SCHEMA_PARSE_OPTIONS, detectorSchema, type Checkpoint, type DetectorSettings } from './checkpoint-schema.js';

/**
 * A copy of `checkpoint` whose detector settings are `overrides` merged over its own.
 * `labelThresholds` merge per label. A global `threshold` override drops the file's per-label
 * thresholds for labels the override does not name (the user asked for one threshold).
 * @throws InvalidArgumentError naming the field, for a value outside the schema or an unknown label
 */
export function withDetectorSettings(checkpoint: Checkpoint, overrides: Partial<DetectorSettings>): Checkpoint {
  for (const [field, what] of [
    ['labelThresholds', 'threshold'],
    ['countGains', 'count gain'],
  ] as const)
    for (const label of Object.keys(overrides[field] ?? {}))
      if (!checkpoint.labels.includes(label))
        throw new InvalidArgumentError(
          `detector ${what} for "${label}": not a label of ${checkpoint.name} (labels: ${checkpoint.labels.join(', ')})`,
          {
            field,
            value: label,
            expected: checkpoint.labels,
          },
        );
  const base = checkpoint.detector;
  const baseLabelThresholds = overrides.threshold !== undefined ? {} : (base.labelThresholds ?? {});
  const labelThresholds = { ...baseLabelThresholds, ...(overrides.labelThresholds ?? {}) };
  const merged: DetectorSettings = { ...base, ...overrides };
  if (Object.keys(labelThresholds).length) merged.labelThresholds = labelThresholds;
  else delete merged.labelThresholds;
  const r = detectorSchema.safeParse(merged, SCHEMA_PARSE_OPTIONS);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue.path.join('.');
    throw new InvalidArgumentError(
      `detector ${field}: ${issue.message} (got ${JSON.stringify((merged as Record<string, unknown>)[String(issue.path[0])])})`,
      {
        field,
      },
    );
  }
  return { ...checkpoint, detector: r.data };
}
