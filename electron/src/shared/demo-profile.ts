/**
 * Demo profiles: one small JSON file that makes "a demo build for customer X": which model(s)
 * to load, a title, the starting sensitivity, which panels show, and an optional presentation
 * layout (one huge keyword and the chip power). Read by the main process (command-line flag,
 * environment variable, File menu, or the profile bundled into a packaged build) and by the web
 * build (URL query or file picker); both validate with this one schema.
 *
 * ```json
 * { "version": 1, "title": "Acme smart speaker", "model": "default.nwave.json",
 *   "sensitivity": 0.8, "layout": "presentation" }
 * ```
 */
import { z } from 'zod';

/** The Live tab's panels a profile can show or hide (`data-panel` in renderer/index.html). */
export const DEMO_PANELS = [
  'input',
  'files',
  'model',
  'keyword',
  'meters',
  'rasters',
  'power',
  'sensitivity',
  'det',
  'detections',
] as const;
export type DemoPanel = (typeof DEMO_PANELS)[number];

/** Largest profile file read (it names models; it does not hold them). */
export const MAX_PROFILE_BYTES = 64 * 1024;

const modelRef = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'contains a NUL byte')
  .refine((p) => /\.json$/i.test(p), 'a model file ends in .json (*.nwave.json)');

export const demoProfileSchema = z.strictObject({
  version: z.literal(1),
  /** Shown in the top bar (and large in the presentation layout). */
  title: z.string().min(1).max(120),
  subtitle: z.string().max(200).optional(),
  /** Model A: a path relative to the profile file (or absolute); in the web build, a URL relative to the profile's. */
  model: modelRef,
  /** Optional second model: a side-by-side comparison from the start. */
  compareModel: modelRef.optional(),
  /** Starting confidence threshold of model A (the Sensitivity slider's range). */
  sensitivity: z.number().min(0.5).max(0.99).optional(),
  /** Live-tab panels to show (default: all). */
  panels: z.array(z.enum(DEMO_PANELS)).min(1).optional(),
  /** 'presentation': full-window keyword, per-keyword meters and the power figure. */
  layout: z.enum(['standard', 'presentation']).optional(),
});
export type DemoProfile = z.infer<typeof demoProfileSchema>;

/** A profile with its model files read (what the renderer receives). */
export interface LoadedDemoProfile {
  /** Where the profile came from (path or URL), for display and errors. */
  source: string;
  profile: DemoProfile;
  models: { a: { name: string; path: string | null; text: string }; b?: { name: string; path: string | null; text: string } };
}

/**
 * Parses and validates a profile's text.
 * @throws Error naming the source and the first bad field
 */
export function parseDemoProfile(text: string, source: string): DemoProfile {
  if (text.length > MAX_PROFILE_BYTES)
    throw new Error(`${source}: demo profile too large (${text.length} bytes, at most ${MAX_PROFILE_BYTES})`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: demo profile is not JSON (${(err as Error).message})`);
  }
  const r = demoProfileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(root)';
    throw new Error(`${source}: demo profile ${where}: ${issue.message}`);
  }
  return r.data;
}
