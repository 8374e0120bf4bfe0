/**
 * `npm run fuzz [runs] [target...]`: the long fuzz campaign (default 10,000 inputs per target).
 * Every failing input (shrunk by fast-check) is written to test/fuzz/failures/<target>-<hash>.json,
 * which test/fuzz/regressions.test.ts replays in the suite. Prints inputs/s and failures per target;
 * exits 1 when any target failed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { TARGETS, cleanupFuzzFiles } from '../test/fuzz/targets.js';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fuzz', 'failures');
const runs = Number(process.argv[2] ?? 10_000);
const only = process.argv.slice(3);
let failed = 0;
mkdirSync(OUT, { recursive: true });

for (const t of TARGETS) {
  if (only.length && !only.includes(t.name)) continue;
  const t0 = performance.now();
  let seen = 0;
  const found: unknown[] = [];
  // Keep going after a failure (every distinct failing input is saved), up to 20 per target.
  for (let round = 0; seen < runs && found.length < 20; round++) {
    const r = fc.check(
      fc.property(t.arbitrary, (x) => {
        seen++;
        t.property(x);
      }),
      { numRuns: runs - seen, seed: 1000 + round, endOnFailure: false },
    );
    if (!r.failed) break;
    const input = r.counterexample![0];
    found.push(input);
    const json = JSON.stringify(
      { target: t.name, seed: r.seed, path: r.counterexamplePath, error: String(r.errorInstance), input: t.toJSON(input) },
      null,
      2,
    );
    const file = path.join(
      OUT,
      `${t.name}-${createHash('sha256')
        .update(JSON.stringify(t.toJSON(input)))
        .digest('hex')
        .slice(0, 12)}.json`,
    );
    writeFileSync(file, json + '\n');
    console.log(`  ${t.name}: FAILED (${String(r.errorInstance).split('\n')[0]}) -> ${path.relative(process.cwd(), file)}`);
  }
  const s = (performance.now() - t0) / 1000;
  failed += found.length;
  console.log(`${t.name}: ${seen} inputs in ${s.toFixed(1)} s (${(seen / s).toFixed(0)}/s), ${found.length} failing`);
}
cleanupFuzzFiles();
process.exitCode = failed ? 1 : 0;
