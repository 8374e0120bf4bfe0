/**
 * Demo profiles in the renderer: from `?profile=<url>` (the web build; model URLs are relative to
 * the profile's), from files the user picks (the profile together with its model files, matched
 * by file name), or from the main process (`getDemoProfile`: Electron's flag, environment, File
 * menu or bundled profile; the dev server's `--profile`). All validate with the shared schema.
 */
import { parseDemoProfile, type LoadedDemoProfile } from '@nwave/electron/shared/demo-profile';

/** The profile URL of `?profile=…`, resolved against the page, or null. */
export function profileUrlFromQuery(href: string): string | null {
  const url = new URL(href);
  const p = url.searchParams.get('profile');
  return p ? new URL(p, url).href : null;
}

async function fetchText(url: string, what: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new Error(`${url}: ${what} cannot be fetched (${(err as Error).message})`);
  }
  if (!res.ok) throw new Error(`${url}: ${what} not found (HTTP ${res.status})`);
  return res.text();
}

const baseName = (ref: string): string => ref.split(/[\\/]/).pop() ?? ref;

/** Fetches a profile and the model files it names (relative to the profile's URL). */
export async function profileFromUrl(url: string): Promise<LoadedDemoProfile> {
  const profile = parseDemoProfile(await fetchText(url, 'demo profile'), url);
  const read = async (ref: string): Promise<{ name: string; path: null; text: string }> => {
    const modelUrl = new URL(ref, url).href;
    return { name: baseName(ref), path: null, text: await fetchText(modelUrl, `model ${ref} of ${url}`) };
  };
  const a = await read(profile.model);
  const b = profile.compareModel ? await read(profile.compareModel) : undefined;
  return { source: url, profile, models: b ? { a, b } : { a } };
}

/**
 * A profile picked with its model files: the one file that parses as a profile, and the models it
 * names found among the others by file name.
 * @throws Error naming the profile and what is missing
 */
export async function profileFromFiles(files: readonly File[]): Promise<LoadedDemoProfile> {
  const texts = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
  const candidates = texts.filter((t) => /"title"\s*:/.test(t.text) && !/"network"\s*:/.test(t.text));
  if (candidates.length !== 1)
    throw new Error(
      candidates.length
        ? `pick one demo profile at a time (${candidates.map((c) => c.name).join(', ')})`
        : 'none of the picked files is a demo profile',
    );
  const { name, text } = candidates[0];
  const profile = parseDemoProfile(text, name);
  const find = (ref: string): { name: string; path: null; text: string } => {
    const m = texts.find((t) => t.name === baseName(ref));
    if (!m) throw new Error(`${name}: model ${ref}: pick it together with the profile`);
    return { name: m.name, path: null, text: m.text };
  };
  const a = find(profile.model);
  const b = profile.compareModel ? find(profile.compareModel) : undefined;
  return { source: name, profile, models: b ? { a, b } : { a } };
}
