/**
 * Builds the desktop app into electron/dist/ (main, preload, training worker, trainer bundle,
 * staged model resources) and renderer/dist/ (Vite). Used by `npm start`, `npm run package`,
 * `npm run make` and `npm run dist`.
 *
 *   node --conditions=source --import tsx electron/scripts/build.ts [--skip-renderer]
 *
 * The trainer (`@nwave/training`, TensorFlow.js) is bundled separately and lazily loaded by the
 * training worker: when it cannot be bundled the app is still built, and training reports that
 * it is unavailable.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild, type BuildOptions } from 'esbuild';
import { parseDemoProfile } from '../src/shared/demo-profile.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = path.join(ROOT, 'electron', 'dist');
const src = (p: string): string => path.join(ROOT, 'electron', 'src', p);

/** CommonJS for Node/Electron, with `import.meta.url` mapped to the bundle's own file URL. */
const node: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  external: ['electron'],
  // The workspaces' TypeScript sources (their `source` export condition): the app never depends on a stale package build.
  conditions: ['source'],
  define: { 'import.meta.url': '__nwaveImportMetaUrl' },
  banner: { js: "const __nwaveImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

export async function buildElectron(): Promise<{ trainer: boolean }> {
  rmSync(DIST, { recursive: true, force: true });
  await esbuild({ ...node, entryPoints: [src('main/main.ts')], outfile: path.join(DIST, 'main.cjs') });
  await esbuild({ ...node, entryPoints: [src('training/training-worker.ts')], outfile: path.join(DIST, 'training-worker.cjs') });
  // Sandboxed preload: no Node built-ins, only `require('electron')`.
  await esbuild({
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    target: 'chrome130',
    sourcemap: true,
    logLevel: 'warning',
    external: ['electron'],
    conditions: ['source'],
    entryPoints: [src('preload/preload.ts')],
    outfile: path.join(DIST, 'preload.cjs'),
  });
  let trainer = true;
  try {
    await esbuild({
      ...node,
      logLevel: 'silent',
      entryPoints: ['@nwave/training'],
      outfile: path.join(DIST, 'trainer.cjs'),
      external: ['electron', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    });
  } catch (err) {
    trainer = false;
    console.warn(`[build] trainer not bundled, in-app training will report it is unavailable: ${(err as Error).message.split('\n')[0]}`);
  }
  stageModels();
  return { trainer };
}

/** Copies the bundled models to electron/dist/resources/models (extra resources of packaged builds). */
function stageModels(): void {
  const out = path.join(DIST, 'resources', 'models');
  mkdirSync(out, { recursive: true });
  const trained = path.join(ROOT, 'models', 'default.nwave.json');
  if (existsSync(trained)) copyFileSync(trained, path.join(out, 'default.nwave.json'));
  else console.warn('[build] models/default.nwave.json not found: the app will fall back to the tones fixture model');
  // The H1v2 default ships beside it, for File > Open model… (the app starts on the H1v1 one).
  const h1v2 = path.join(ROOT, 'models', 'default-h1v2.nwave.json');
  if (existsSync(h1v2)) copyFileSync(h1v2, path.join(out, 'default-h1v2.nwave.json'));
  copyFileSync(path.join(ROOT, 'test', 'fixtures', 'models', 'tones.nwave.json'), path.join(out, 'tones.nwave.json'));
  stageProfile(path.join(DIST, 'resources', 'profile'), process.env.NWAVE_BUNDLE_PROFILE);
}

/**
 * A demo build for a customer: `NWAVE_BUNDLE_PROFILE=demo.json npm run dist` stages that profile
 * and the model files it names as electron/dist/resources/profile/, which the packaged app loads
 * at start (`profile/demo-profile.json`). The models are copied next to it and the staged profile
 * names them by file name. The folder always exists (both packagers list it as an extra resource).
 * @throws Error naming the profile when it is invalid or two of its models share a file name
 */
export function stageProfile(out: string, src: string | undefined): void {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  if (!src) {
    writeFileSync(path.join(out, 'README.txt'), 'No demo profile bundled (set NWAVE_BUNDLE_PROFILE when building).\n');
    return;
  }
  const profile = parseDemoProfile(readFileSync(src, 'utf8'), src);
  const staged = { ...profile };
  const names = new Map<string, string>();
  for (const key of ['model', 'compareModel'] as const) {
    const ref = profile[key];
    if (!ref) continue;
    const name = path.basename(ref);
    const from = path.resolve(path.dirname(src), ref);
    if (names.has(name) && names.get(name) !== from)
      throw new Error(`${src}: ${key} ${ref}: another model of the profile has the file name ${name}`);
    names.set(name, from);
    copyFileSync(from, path.join(out, name));
    staged[key] = name;
  }
  writeFileSync(path.join(out, 'demo-profile.json'), `${JSON.stringify(staged, null, 2)}\n`);
  console.log(`[build] bundled demo profile ${src} (${profile.title})`);
}

export async function buildRenderer(): Promise<void> {
  const { build } = await import('vite');
  // Relative: '@nwave/renderer/vite.config' would make @nwave/electron and @nwave/renderer depend on each other.
  const { rendererConfig } = await import('../../renderer/vite.config.js');
  await build({ ...rendererConfig(), configFile: false, logLevel: 'warn' });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const { trainer } = await buildElectron();
  if (!process.argv.includes('--skip-renderer')) await buildRenderer();
  console.log(
    `[build] electron/dist (main, preload, training worker${trainer ? ', trainer' : ''}) and renderer/dist in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}
