import { describe, expect, it } from 'vitest';
import { lrFactor } from './trainer.js';

describe('lrFactor (learning-rate schedule)', () => {
  it('is 1 throughout with the constant schedule', () => {
    for (const e of [1, 5, 10]) expect(lrFactor({ lrSchedule: 'constant', lrMinFraction: 0.05, epochs: 10 }, e)).toBe(1);
  });
  it('decays from 1 to lrMinFraction along a half cosine', () => {
    const cfg = { lrSchedule: 'cosine', lrMinFraction: 0.1, epochs: 11 } as const;
    expect(lrFactor(cfg, 1)).toBeCloseTo(1, 12);
    expect(lrFactor(cfg, 6)).toBeCloseTo(0.55, 12);
    expect(lrFactor(cfg, 11)).toBeCloseTo(0.1, 12);
    const f = Array.from({ length: 11 }, (_, i) => lrFactor(cfg, i + 1));
    for (let i = 1; i < f.length; i++) expect(f[i]).toBeLessThan(f[i - 1]);
  });
});
