/**
 * Finding and loading the demo profile at start (main process and the web dev server): from
 * `--profile <file>` (or `--profile=<file>`), else `NWAVE_PROFILE`, else the profile bundled into
 * a packaged build (`<resources>/profile/demo-profile.json`). Model paths are relative to the
 * profile file. Every error names the profile file and the problem.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { MAX_PROFILE_BYTES, parseDemoProfile, type LoadedDemoProfile } from '../shared/demo-profile.js';
import { readModelFile } from './model-files.js';

/** File name of the profile a packaged build carries as its default (extra resource `profile/`). */
export const BUNDLED_PROFILE_FILE = 'demo-profile.json';
export const PROFILE_ENV = 'NWAVE_PROFILE';

/** The profile named on the command line or in the environment (flag first), or null. */
export function profileFromArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--profile' && argv[i + 1]) return argv[i + 1];
    if (a.startsWith('--profile=') && a.length > '--profile='.length) return a.slice('--profile='.length);
  }
  return env[PROFILE_ENV]?.trim() || null;
}

/** Where the profile to load at start is: flag, environment, then the bundled one (if it exists). */
export async function findStartProfile(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  resourcesDir?: string,
): Promise<string | null> {
  const named = profileFromArgs(argv, env);
  if (named) return path.resolve(named);
  if (!resourcesDir) return null;
  const bundled = path.join(resourcesDir, 'profile', BUNDLED_PROFILE_FILE);
  try {
    await fs.access(bundled);
    return bundled;
  } catch {
    return null;
  }
}

/**
 * Reads and validates a profile and the model file(s) it names.
 * @throws Error naming the profile (or the model) file and the problem
 */
export async function loadDemoProfile(file: string): Promise<LoadedDemoProfile> {
  let text: string;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new Error(`${file}: demo profile is not a file`);
    if (st.size > MAX_PROFILE_BYTES) throw new Error(`${file}: demo profile too large (${st.size} bytes, at most ${MAX_PROFILE_BYTES})`);
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw code === 'ENOENT' ? new Error(`${file}: demo profile not found`) : err;
  }
  const profile = parseDemoProfile(text, file);
  const dir = path.dirname(file);
  const read = async (ref: string): Promise<{ name: string; path: string; text: string }> => {
    const m = await readModelFile(path.resolve(dir, ref)).catch((err: Error) => {
      throw new Error(`${file}: model ${ref}: ${err.message}`);
    });
    return { name: m.name, path: m.path!, text: m.text };
  };
  const a = await read(profile.model);
  const b = profile.compareModel ? await read(profile.compareModel) : undefined;
  return { source: file, profile, models: b ? { a, b } : { a } };
}
