/**
 * The runtime is installable and importable on its own: build it with tsc (no bundler) into a
 * temp folder and use the compiled JavaScript from plain Node, without tsx or the monorepo.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const out = mkdtempSync(path.join(os.tmpdir(), 'nwave-runtime-dist-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('@nwave/runtime as a standalone package', () => {
  it('compiles with its own build config and runs from plain Node', () => {
    // Lay it out as an installed package: node_modules/@nwave/runtime + its own dependencies only
    // (the three WASM audio decoders are loaded by `@nwave/runtime/node` on demand, never by the core).
    const pkgDir = path.join(out, 'node_modules', '@nwave', 'runtime');
    execFileSync(
      process.execPath,
      [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'runtime/tsconfig.build.json'), '--outDir', pkgDir],
      { stdio: 'pipe' },
    );
    const pkg = JSON.parse(readFileSync(path.join(root, 'runtime/package.json'), 'utf8'));
    const deps = Object.keys(pkg.dependencies ?? {}).sort();
    expect(deps).toEqual(['@wasm-audio-decoders/flac', '@wasm-audio-decoders/ogg-vorbis', 'mpg123-decoder', 'wavefile', 'zod']);
    writeFileSync(
      path.join(pkgDir, 'package.json'),
      JSON.stringify({ name: '@nwave/runtime', type: 'module', exports: { '.': './index.js', './node': './node/index.js' } }),
    );
    mkdirSync(path.join(out, 'node_modules'), { recursive: true });
    for (const d of deps) {
      mkdirSync(path.dirname(path.join(out, 'node_modules', d)), { recursive: true });
      symlinkSync(path.join(root, 'node_modules', d), path.join(out, 'node_modules', d));
    }
    const script = `
      import { NwaveModel } from '@nwave/runtime';
      import { readFileSync } from 'node:fs';
      const m = NwaveModel.fromJSON(readFileSync(${JSON.stringify(path.join(root, 'test/fixtures/models/tones.nwave.json'))}, 'utf8'));
      const x = Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(2 * Math.PI * 400 * i / 16000));
      console.log(JSON.stringify(m.classify(x, 16000).label));
    `;
    writeFileSync(path.join(out, 'main.mjs'), script);
    const res = execFileSync(process.execPath, [path.join(out, 'main.mjs')], { cwd: out, encoding: 'utf8' });
    expect(JSON.parse(res.trim())).toBe('low');
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
