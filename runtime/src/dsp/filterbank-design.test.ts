import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { CHIP_FILTER_CENTERS_HZ, designPeakFilter, peakFilterGain, validCenters } from './filterbank-design.js';

// Reference doc §4.3, "Centres (Hz)".
const TABLE_HZ = [97.6, 137.1, 192.5, 270.3, 379.6, 533.0, 748.6, 1051.2, 1476.2, 2073.1, 2911.3, 4088.3, 5741.3, 8062.5, 11322.3, 15900.0];

/** |H(e^{jw})| from the (b, a) coefficients with explicit complex arithmetic (independent of peakFilterGain). */
function gainAt(b: number[], a: number[], fHz: number, fs: number): number {
  const w = (2 * Math.PI * fHz) / fs;
  const poly = (c: number[]) => {
    let re = 0;
    let im = 0;
    c.forEach((ck, k) => {
      re += ck * Math.cos(-w * k);
      im += ck * Math.sin(-w * k);
    });
    return [re, im];
  };
  const [nr, ni] = poly(b);
  const [dr, di] = poly(a);
  return Math.sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
}

describe('CHIP_FILTER_CENTERS_HZ', () => {
  it('matches the reference table to 0.1 Hz and is log-spaced', () => {
    expect(CHIP_FILTER_CENTERS_HZ).toHaveLength(16);
    CHIP_FILTER_CENTERS_HZ.forEach((f, k) => expect(Math.abs(f - TABLE_HZ[k])).toBeLessThan(0.05 + 1e-9));
    const r = Math.pow(15900 / 97.6, 1 / 15);
    expect(r).toBeCloseTo(1.404, 3);
    for (let k = 1; k < 16; k++) expect(CHIP_FILTER_CENTERS_HZ[k] / CHIP_FILTER_CENTERS_HZ[k - 1]).toBeCloseTo(r, 9);
  });
});

describe('validCenters', () => {
  const cases: [number, number, string | null][] = [
    [16000, 13, 'Using 13 valid freqs out of 16 for sr=16000Hz (Nyquist=8000.0Hz).'],
    [22050, 14, 'Using 14 valid freqs out of 16 for sr=22050Hz (Nyquist=11025.0Hz).'],
    [32000, 16, null],
    [44100, 16, null],
    [48000, 16, null],
  ];
  for (const [sr, kept, msg] of cases) {
    it(`keeps ${kept} centres at ${sr} Hz${msg ? ' and warns in the SDK wording' : ' without a warning'}`, () => {
      const warnings: string[] = [];
      const out = validCenters(CHIP_FILTER_CENTERS_HZ, sr, (m) => warnings.push(m));
      expect(out).toHaveLength(kept);
      expect(out).toEqual(CHIP_FILTER_CENTERS_HZ.slice(0, kept));
      expect(warnings).toEqual(msg ? [msg] : []);
    });
  }
  it('drops a centre exactly at Nyquist and keeps order of arbitrary input', () => {
    const warnings: string[] = [];
    expect(validCenters([3000, 8000, 100, 7999], 16000, (m) => warnings.push(m))).toEqual([3000, 100, 7999]);
    expect(warnings).toEqual(['Using 3 valid freqs out of 4 for sr=16000Hz (Nyquist=8000.0Hz).']);
  });
  it('prints a fractional Nyquist like Python does', () => {
    const warnings: string[] = [];
    validCenters(CHIP_FILTER_CENTERS_HZ, 11025, (m) => warnings.push(m));
    expect(warnings[0]).toBe('Using 12 valid freqs out of 16 for sr=11025Hz (Nyquist=5512.5Hz).');
  });
  it('rejects a bad rate or an empty result', () => {
    expect(() => validCenters(CHIP_FILTER_CENTERS_HZ, 0)).toThrow(InvalidArgumentError);
    expect(() => validCenters([5000], 8000, () => {})).toThrow(/Nyquist/);
  });
});

describe('designPeakFilter', () => {
  it('reproduces the scipy.signal.iirpeak formulas', () => {
    const fs = 16000;
    const f = designPeakFilter(1000, 4, fs);
    const w0 = (2 * Math.PI * 1000) / fs;
    const g = 1 / (1 + Math.tan(w0 / 8));
    expect(f.b0).toBeCloseTo(1 - g, 15);
    expect(f.b2).toBe(-f.b0);
    expect(f.a1).toBeCloseTo(-2 * g * Math.cos(w0), 15);
    expect(f.a2).toBeCloseTo(2 * g - 1, 15);
  });

  for (const fs of [16000, 22050, 48000]) {
    it(`has gain 1 (within 1e-9) at every valid centre and < 1 off-centre at ${fs} Hz`, () => {
      for (const fc of validCenters(CHIP_FILTER_CENTERS_HZ, fs, () => {})) {
        const c = designPeakFilter(fc, 4, fs);
        const b = [c.b0, 0, c.b2];
        const a = [1, c.a1, c.a2];
        expect(Math.abs(gainAt(b, a, fc, fs) - 1)).toBeLessThan(1e-9);
        expect(Math.abs(peakFilterGain(c, fc, fs) - 1)).toBeLessThan(1e-9);
        for (const ratio of [0.5, 0.9, 0.99, 1.01, 1.1]) {
          if (fc * ratio < fs / 2) expect(gainAt(b, a, fc * ratio, fs)).toBeLessThan(1);
        }
        // b = b0·[1, 0, -1] puts zeros at DC and Nyquist.
        expect(gainAt(b, a, 0, fs)).toBeLessThan(1e-12);
      }
    });
  }

  it('rejects centres at/above Nyquist, non-positive Q and rates', () => {
    expect(() => designPeakFilter(8000, 4, 16000)).toThrow(InvalidArgumentError);
    expect(() => designPeakFilter(1000, 0, 16000)).toThrow(InvalidArgumentError);
    expect(() => designPeakFilter(1000, 4, -1)).toThrow(InvalidArgumentError);
    expect(() => designPeakFilter(-5, 4, 16000)).toThrow(InvalidArgumentError);
  });
});
