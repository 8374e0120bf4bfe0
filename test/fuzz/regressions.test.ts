/**
 * Replays every input the fuzz campaign (`npm run fuzz`) ever saved in test/fuzz/failures/:
 * each was a crash, hang or wrong result once and must keep passing its property.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TARGETS, cleanupFuzzFiles } from './targets.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'failures');
const saved = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
afterAll(cleanupFuzzFiles);

describe('fuzz regressions (saved failing inputs)', () => {
  it('the failures folder only holds inputs of known targets', () => {
    for (const f of saved) {
      const { target } = JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as { target: string };
      expect(TARGETS.map((t) => t.name)).toContain(target);
    }
  });
  for (const f of saved)
    it(f, () => {
      const { target, input } = JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as { target: string; input: unknown };
      const t = TARGETS.find((x) => x.name === target)!;
      t.property(t.fromJSON(input));
    });
});
