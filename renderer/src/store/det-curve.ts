/**
 * A model's streaming DET curve (miss rate against false accepts per hour, one point per detector
 * threshold), as `nwave eval --json` writes it (`streaming.det`) and as a trained checkpoint may
 * carry it (`provenance.metrics.streamingDet`), and the operating point at a given threshold.
 */
import { z } from 'zod';

export const detPointSchema = z.object({
  threshold: z.number().min(0).max(1),
  missRate: z.number().min(0).max(1),
  falseAcceptsPerHour: z.number().min(0),
});
export type DetPoint = z.infer<typeof detPointSchema>;

const detSchema = z.array(detPointSchema).min(1);

/** Sorted by threshold; throws a message naming the source and the field. */
function parseDet(raw: unknown, source: string, field: string): DetPoint[] {
  const r = detSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`${source}: ${[field, ...issue.path].join('.')}: ${issue.message}`);
  }
  return [...r.data].sort((a, b) => a.threshold - b.threshold);
}

/** The DET curve a checkpoint carries (`provenance.metrics.streamingDet`), or null when it has none. */
export function detFromCheckpoint(provenance: { metrics?: Record<string, unknown> } | undefined, source: string): DetPoint[] | null {
  const raw = provenance?.metrics?.streamingDet;
  return raw === undefined ? null : parseDet(raw, source, 'provenance.metrics.streamingDet');
}

/** The DET curve of an `nwave eval --json` report (`streaming.det`). */
export function detFromEvalReport(text: string, source: string): DetPoint[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not JSON (${(err as Error).message})`);
  }
  const streaming = (json as { streaming?: { det?: unknown } } | null)?.streaming;
  if (!streaming || streaming.det === undefined) throw new Error(`${source}: no streaming.det (write it with nwave eval --json)`);
  return parseDet(streaming.det, source, 'streaming.det');
}

/**
 * The operating point at `threshold`, between the two nearest measured thresholds (clamped at the
 * ends): miss rate linear, false accepts per hour geometric (linear on the plot's log axis, so the
 * point lies on the drawn curve; linear when either end is 0).
 */
export function detAt(points: readonly DetPoint[], threshold: number): DetPoint {
  if (threshold <= points[0].threshold) return { ...points[0], threshold };
  const last = points[points.length - 1];
  if (threshold >= last.threshold) return { ...last, threshold };
  let i = 1;
  while (points[i].threshold < threshold) i++;
  const a = points[i - 1];
  const b = points[i];
  const f = (threshold - a.threshold) / (b.threshold - a.threshold);
  return {
    threshold,
    missRate: a.missRate + f * (b.missRate - a.missRate),
    falseAcceptsPerHour:
      a.falseAcceptsPerHour > 0 && b.falseAcceptsPerHour > 0
        ? a.falseAcceptsPerHour * Math.pow(b.falseAcceptsPerHour / a.falseAcceptsPerHour, f)
        : a.falseAcceptsPerHour + f * (b.falseAcceptsPerHour - a.falseAcceptsPerHour),
  };
}
