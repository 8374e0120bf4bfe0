/**
 * What a user of the built packages pays, measured on the builds (`npm run build`), not the sources:
 *  - size of the browser core: the `@nwave/runtime` package entry bundled for the browser with
 *    esbuild (minified, then gzip -9), target ≤ 30 kB; also the share of each input;
 *  - CLI start-up, whole process, as ratios against `node -e 0` measured in the same run:
 *    `nwave --version` (target ≤ 2×) and `nwave detect` on a 1 s clip (target ≤ 3×);
 *  - CLI throughput: `nwave detect` over 10 minutes of audio, whole process (target ≥ 1,000× real time).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { encodeWav16 } from '@nwave/runtime/wav';
import { ROOT, speechMaterial } from './bench-utils.js';

const NWAVE_BIN = path.join(ROOT, 'cli', 'bin', 'nwave.js');
const CORE_BUDGET_BYTES = 30 * 1024;

/** The browser core as an app gets it: `import … from '@nwave/runtime'` resolved to the build. */
export async function measureCoreBundle(): Promise<{ minBytes: number; gzipBytes: number; inputs: [string, number][] }> {
  const out = await build({
    stdin: { contents: "export * from '@nwave/runtime';", resolveDir: ROOT, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0].contents;
  const inputs = new Map<string, number>();
  for (const [file, info] of Object.entries(Object.values(out.metafile.outputs)[0].inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = m ? m[1] : 'nwave runtime';
    inputs.set(key, (inputs.get(key) ?? 0) + info.bytesInOutput);
  }
  return { minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, inputs: [...inputs].sort((a, b) => b[1] - a[1]) };
}

/** Best wall time (ms) of `runs` whole-process runs of `node args`. */
function processMs(args: string[], runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

export async function benchPackage(): Promise<void> {
  if (!existsSync(path.join(ROOT, 'runtime', 'dist', 'index.js')) || !existsSync(path.join(ROOT, 'cli', 'dist', 'main.js'))) {
    console.log('packages are not built: run `npm run build` first');
    return;
  }
  const core = await measureCoreBundle();
  const kB = (b: number) => `${(b / 1024).toFixed(1)} kB`;
  console.log(
    `browser core (@nwave/runtime entry, esbuild minified): ${kB(core.minBytes)}, gzip ${kB(core.gzipBytes)} ` +
      `(${((100 * core.gzipBytes) / CORE_BUDGET_BYTES).toFixed(0)} % of the 30 kB budget${core.gzipBytes <= CORE_BUDGET_BYTES ? '' : ', OVER'})`,
  );
  console.log(`  minified bytes by input: ${core.inputs.map(([k, v]) => `${k} ${kB(v)}`).join(', ')}`);

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nwave-bench-cli-'));
  try {
    const clip = path.join(tmp, 'clip-1s.wav');
    writeFileSync(clip, encodeWav16(speechMaterial(1), 16000));
    const long = path.join(tmp, 'long-10min.wav');
    const longS = 600;
    writeFileSync(long, encodeWav16(speechMaterial(longS), 16000));
    const runs = 7;
    // Warm the file cache and V8's compile cache alike for every measured command.
    processMs(['-e', '0'], 2);
    processMs([NWAVE_BIN, 'detect', clip], 2);
    const base = processMs(['-e', '0'], runs);
    const version = processMs([NWAVE_BIN, '--version'], runs);
    const detect1s = processMs([NWAVE_BIN, 'detect', clip], runs);
    const detectLong = processMs([NWAVE_BIN, 'detect', long], 3);
    // The same run's CPU time (user + system, read by the process itself at exit): on a shared
    // machine wall time also counts the other jobs' turns.
    const cpuHook = path.join(tmp, 'cpu-at-exit.mjs');
    const cpuOut = path.join(tmp, 'cpu-ms.txt');
    writeFileSync(
      cpuHook,
      `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.cpuUsage(); writeFileSync(${JSON.stringify(cpuOut)}, String((u.user + u.system) / 1000)); });\n`,
    );
    let cpuLong = Infinity;
    for (let i = 0; i < 3; i++) {
      processMs(['--import', pathToFileURL(cpuHook).href, NWAVE_BIN, 'detect', long], 1);
      cpuLong = Math.min(cpuLong, Number(readFileSync(cpuOut, 'utf8')));
    }
    console.log(`node -e 0 (baseline, same run): ${base.toFixed(0)} ms`);
    console.log(`nwave --version:                ${version.toFixed(0)} ms = ${(version / base).toFixed(2)}× baseline (target ≤ 2×)`);
    console.log(`nwave detect 1 s clip:          ${detect1s.toFixed(0)} ms = ${(detect1s / base).toFixed(2)}× baseline (target ≤ 3×)`);
    console.log(
      `nwave detect 10 min of audio:   ${detectLong.toFixed(0)} ms whole process = ${((longS * 1000) / detectLong).toFixed(0)}× real time (target ≥ 1,000×); ` +
        `CPU ${cpuLong.toFixed(0)} ms = ${((longS * 1000) / cpuLong).toFixed(0)}× real time`,
    );
    console.log(`  (best of ${runs}, 3 for the long file; 16 kHz 16-bit WAV, default model)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
