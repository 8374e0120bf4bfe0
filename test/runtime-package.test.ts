/**
 * `@nwave/runtime` as an app gets it: `npm pack` → `npm install ./tarball` in an empty project
 * (offline, dependencies from the npm cache `npm ci` filled) → a plain `.mjs` in Node, and the same
 * code bundled with esbuild in headless Chromium. Both must give exactly the spike counts,
 * detections and projected power that the repository's sources give (run here through vitest).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, chromiumSkipReason } from './e2e/helpers/browser.js';

const root = path.resolve(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const MODEL = path.join(root, 'models', 'default.nwave.json');
const CLIPS = ['yes-18f8afd5_nohash_0.wav', 'no-0c40e715_nohash_0.wav', '_unknown_-bed_28497c5b_nohash_0.wav'].map((f) =>
  path.join(root, 'models', 'examples', f),
);

/**
 * The app: everything through the package's public entry points. Whole clips at their own rate,
 * then one stream of all clips at 44.1 kHz pushed in 10 ms chunks (a microphone's rate and block).
 */
const APP = `
import { KeywordSpotter, NwaveModel, resample } from '@nwave/runtime';
import { decodeWav } from '@nwave/runtime/wav';

export function run(checkpointJson, wavFiles) {
  const model = NwaveModel.fromJSON(checkpointJson, 'default.nwave.json');
  const clips = wavFiles.map((bytes, i) => decodeWav(bytes, 'clip' + i));
  const classified = clips.map((c) => {
    const r = model.classify(c.samples, c.sampleRateHz);
    return { label: r.label, accepted: r.accepted, spikeCounts: r.spikeCounts, powerW: r.power.totalW };
  });
  const rate = 44100;
  const parts = clips.flatMap((c) => [resample(c.samples, c.sampleRateHz, rate), new Float64Array(rate / 2)]);
  const stream = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (stream.set(p, at), at + p.length), 0);
  const layerSpikes = model.powerLayers.map(() => 0);
  const spotter = new KeywordSpotter(model, {
    inputSampleRateHz: rate,
    onStep: (v) => v.spikeCounts.forEach((n, l) => (layerSpikes[l] += n)),
  });
  const events = [];
  for (let i = 0; i < stream.length; i += 441) events.push(...spotter.process(stream.subarray(i, i + 441)));
  const power = spotter.power();
  return {
    classified,
    events: events.map((e) => ({ label: e.label, startTime: e.startTime, confidence: e.confidence })),
    layerSpikes,
    streamPowerW: power.totalW,
  };
}
`;

/** The dependencies and their dependencies, as hoisted in the repository's lockfile. */
function lockedClosure(direct: string[], locked: Record<string, { dependencies?: Record<string, string> }>): string[] {
  const seen = new Set<string>();
  const visit = (d: string) => {
    if (seen.has(d) || !locked[`node_modules/${d}`]) return;
    seen.add(d);
    for (const sub of Object.keys(locked[`node_modules/${d}`].dependencies ?? {})) visit(sub);
  };
  direct.forEach(visit);
  return [...seen].sort();
}

const work = mkdtempSync(path.join(os.tmpdir(), 'nwave-runtime-pkg-'));
const project = path.join(work, 'app');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('@nwave/runtime as an npm package', () => {
  let expected: unknown;
  let tarball = '';

  beforeAll(async () => {
    // In-repo reference: the same app code against the workspace sources.
    const inRepo = path.join(root, 'test', '.artifacts', 'runtime-package');
    mkdirSync(inRepo, { recursive: true });
    writeFileSync(path.join(inRepo, 'app.mjs'), APP);
    const { run } = (await import(path.join(inRepo, 'app.mjs'))) as { run: (ck: string, wavs: Uint8Array[]) => unknown };
    expected = run(
      readFileSync(MODEL, 'utf8'),
      CLIPS.map((f) => new Uint8Array(readFileSync(f))),
    );

    // The tarball users get: build (incremental), then `npm pack`.
    execFileSync(
      process.execPath,
      [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', path.join(root, 'runtime/tsconfig.build.json')],
      {
        stdio: 'pipe',
      },
    );
    execFileSync(npm, ['pack', '--pack-destination', work, '--silent'], { cwd: path.join(root, 'runtime'), stdio: 'pipe' });
    tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    mkdirSync(project);
    // Offline, as on a build server: a lockfile pins the tarball and the runtime's dependencies
    // at the repository's locked versions, whose tarballs `npm ci` left in the npm cache.
    const spec = `file:../${tarball}`;
    const runtimePkg = JSON.parse(readFileSync(path.join(root, 'runtime/package.json'), 'utf8'));
    const locked = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')).packages;
    const lock = {
      name: 'nwave-embed-check',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'nwave-embed-check', dependencies: { '@nwave/runtime': spec } },
        'node_modules/@nwave/runtime': {
          version: runtimePkg.version,
          resolved: spec,
          integrity: `sha512-${createHash('sha512')
            .update(readFileSync(path.join(work, tarball)))
            .digest('base64')}`,
          dependencies: runtimePkg.dependencies,
        },
        ...Object.fromEntries(
          lockedClosure(Object.keys(runtimePkg.dependencies), locked).map((d) => [`node_modules/${d}`, locked[`node_modules/${d}`]]),
        ),
      },
    };
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'nwave-embed-check', private: true, type: 'module', dependencies: { '@nwave/runtime': spec } }),
    );
    writeFileSync(path.join(project, 'package-lock.json'), JSON.stringify(lock));
    execFileSync(npm, ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project, stdio: 'pipe' });
    writeFileSync(path.join(project, 'app.mjs'), APP);
  }, 300_000);

  it('ships the build (JavaScript + declarations), not TypeScript sources to run', () => {
    const listing = execFileSync('tar', ['-tzf', path.join(work, tarball)], { encoding: 'utf8' }).split('\n');
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/dist/index.d.ts');
    expect(listing).toContain('package/dist/node/index.js');
    expect(listing.filter((f) => f.endsWith('.test.ts'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(path.join(project, 'node_modules/@nwave/runtime/package.json'), 'utf8'));
    expect(pkg.exports['.'].default).toBe('./dist/index.js');
    // The WASM audio decoders are loaded by `@nwave/runtime/node` on demand, never by the core.
    expect(Object.keys(pkg.dependencies).sort()).toEqual([
      '@wasm-audio-decoders/flac',
      '@wasm-audio-decoders/ogg-vorbis',
      'mpg123-decoder',
      'wavefile',
      'zod',
    ]);
    expect(existsSync(path.join(project, 'node_modules/zod'))).toBe(true);
  });

  it('runs from a plain .mjs in Node with the same results as the repository', () => {
    writeFileSync(
      path.join(project, 'main.mjs'),
      `import { readFileSync } from 'node:fs';
import { readCheckpointFile } from '@nwave/runtime/node';
import { run } from './app.mjs';
const [model, ...clips] = process.argv.slice(2);
await readCheckpointFile(model); // the Node subpath loads and validates files
console.log(JSON.stringify(run(readFileSync(model, 'utf8'), clips.map((f) => new Uint8Array(readFileSync(f))))));
`,
    );
    const out = execFileSync(process.execPath, ['main.mjs', MODEL, ...CLIPS], { cwd: project, encoding: 'utf8' });
    const got = JSON.parse(out);
    expect(got).toEqual(expected);
    // Not a vacuous match: the clips are told apart and the stream fires.
    const labels = got.classified.map((c: { label: string }) => c.label);
    expect(labels[0]).toBe('yes');
    expect(new Set(labels).size).toBeGreaterThan(1);
    expect(got.events.length).toBeGreaterThan(0);
  });

  it.skipIf(chromiumSkipReason() !== null)('runs bundled with esbuild in headless Chromium with the same results', async () => {
    writeFileSync(path.join(project, 'browser.mjs'), "import { run } from './app.mjs';\nglobalThis.nwaveRun = run;\n");
    const bundle = await build({
      entryPoints: [path.join(project, 'browser.mjs')],
      absWorkingDir: project,
      bundle: true,
      minify: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setContent('<!doctype html><title>embed</title>');
      await page.addScriptTag({ content: bundle.outputFiles[0].text });
      const got = await page.evaluate(
        ([ck, wavs]) =>
          (globalThis as unknown as { nwaveRun: (c: string, w: Uint8Array[]) => unknown }).nwaveRun(
            ck,
            wavs.map((w) => new Uint8Array(w)),
          ),
        [readFileSync(MODEL, 'utf8'), CLIPS.map((f) => [...readFileSync(f)])] as const,
      );
      expect(errors).toEqual([]);
      expect(got).toEqual(expected);
    } finally {
      await browser.close();
    }
  });

  it('keeps Node-only and heavy imports out of the browser-safe core', () => {
    const files = execFileSync(
      'grep',
      ['-rlE', "from '(node:|fs'|path'|@tensorflow|electron|naudiodon|onnxruntime)", path.join(root, 'runtime/src'), '--include=*.ts'],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n')
      .filter(Boolean);
    const offenders = files.filter((f) => !f.includes(`${path.sep}node${path.sep}`) && !f.endsWith('.test.ts'));
    expect(offenders.map((f) => path.relative(root, f))).toEqual([]);
  });
});
