/**
 * Property-based tests (fast-check) over the inputs a user controls: WAV reader (whole-file and
 * streaming), checkpoint loader, CLI flag parsers, detector settings. A bounded number of cases
 * per run keeps the suite fast (FUZZ_RUNS overrides it); `npm run fuzz` runs the long campaign.
 */
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { TARGETS, cleanupFuzzFiles } from './targets.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
afterAll(cleanupFuzzFiles);

describe('fuzz (bounded)', () => {
  for (const t of TARGETS)
    it(`${t.name}: every input either works or fails with the project's own error`, () => {
      fc.assert(
        fc.property(t.arbitrary, (x) => t.property(x)),
        { numRuns: RUNS },
      );
    });
});
