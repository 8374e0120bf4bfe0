/**
 * "No chip constant stays anywhere else": the trainer's sources (tests aside) name no chip
 * profile object and state no chip number; they read the profile (`net.chip`, a layer's `chip`,
 * `resolveTrainChip`, `DEFAULT_CHIP`). The numbers looked for are taken from the built-in profiles
 * themselves, so a new profile field is covered as soon as it has a distinctive value; generic
 * numbers (0, 1, 2, 5, ...) are looked for only where they would be assigned to a chip quantity.
 * The made-up chip of test/chips-as-data.test.ts is the behavioural half of this proof.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chipProfileIds, getChipProfile } from '@nwave/runtime';

const SRC = import.meta.dirname;
const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('test-helper'))
  .map((f) => path.join(SRC, f));

/** Code without comments and without the text of string and template literals (line numbers kept). */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/\/\/.*$/gm, ' ')
    .replace(/(['"`])(?:\\.|(?!\1)[^\\\n])*\1/g, '""');
}

/** Numbers that only a chip would explain (generic small numbers are too common to flag alone). */
const GENERIC = new Set([0, 1, 2, 3, 4, 5, 8, 10, 16, 20, 50, 64, 100, 0.1, 0.5]);
function distinctiveNumbers(): number[] {
  const out = new Set<number>();
  const walk = (v: unknown): void => {
    if (typeof v === 'number' && !GENERIC.has(v)) out.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const id of chipProfileIds()) {
    const p = getChipProfile(id);
    // Tau literals (tutorial defaults) are fine: describeNetwork snaps them to the profile. Power
    // constants are the runtime's business.
    walk({ ...p, filterCentersHz: [p.filterCentersHz[0], p.filterCentersHz.at(-1)], neuron: { ...p.neuron, tau: null }, power: null });
    // The weight grids' largest codes (0.9/127 was the frontend's smallest step).
    for (const k of ['frontend', 'core'] as const) out.add(2 ** (p.synapse[k].maxBits - 1) - 1);
  }
  return [...out].filter((x) => !GENERIC.has(x));
}

const CHIP_NAMES =
  /\b(H1V1_ESTIMATE|H1V2_ESTIMATE|W_MAX|SIGN_GROUP_SIZE|LEAK_MISMATCH_SIGMA|HW_THRESHOLD|CHIP_FILTERS|DEFAULT_QUANTIZATION_BITS)\b/;
/** A literal given to a chip quantity: `wMax = 0.9`, `group: 5`, `threshold = 1`, ... */
const CHIP_ASSIGNMENT =
  /\b(wMax|limit|threshold|theta|signGroupSize|group|leakSpread|thresholdSpread|chargeScale|ceiling|membraneCeiling|maxBits|coreSizes|filters|core)\s*(=|:|\?\?)\s*\[?-?\d/;

describe('no chip constant in the trainer', () => {
  const numbers = distinctiveNumbers();

  it('looks for the profiles\u2019 own numbers (sanity)', () => {
    expect(files.length).toBeGreaterThan(20);
    for (const x of [0.9, 1.66, 0.036, 127, 15]) expect(numbers).toContain(x);
  });

  it.each(files.map((f) => [path.relative(SRC, f), f]))('%s reads the chip from its profile', (_, file) => {
    const code = codeOnly(readFileSync(file, 'utf8'));
    const found: string[] = [];
    const raw = readFileSync(file, 'utf8').split('\n');
    code.split('\n').forEach((line, i) => {
      // A number that merely equals a chip's, marked as such where it stands.
      if (raw[i].includes('(not a chip number)')) return;
      if (CHIP_NAMES.test(line)) found.push(`${i + 1}: names a chip constant: ${line.trim()}`);
      if (CHIP_ASSIGNMENT.test(line)) found.push(`${i + 1}: gives a chip quantity a literal: ${line.trim()}`);
      for (const m of line.matchAll(/(?<![\w.])\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])/g)) {
        const x = Number(m[0]);
        if (numbers.some((n) => Math.abs(n - x) <= 1e-9 * Math.abs(n))) found.push(`${i + 1}: chip number ${m[0]}: ${line.trim()}`);
      }
    });
    expect(found).toEqual([]);
  });
});
